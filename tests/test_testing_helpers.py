"""eurasia_events.testing for users: assert_as_of refuses unknown keys; the strategies need only the `testing` extra."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import eurasia_events as ee
from eurasia_events.testing import assert_as_of

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def test_assert_as_of_fails_on_a_key_the_view_lacks() -> None:
    """A misspelt key fails, naming it, even where no row would differ (an empty view, an expected None)."""
    log = ee.load()
    assert_as_of(log, "2016", "members", [{"member": m} for m in ["AM", "BY", "KG", "KZ", "RU"]])
    with pytest.raises(AssertionError, match="members has no column 'country'"):
        assert_as_of(log, "2016", "members", [{"member": "AM", "country": None}])
    with pytest.raises(AssertionError, match="no column 'memebr'"):  # an empty log: no rows at all
        assert_as_of(ee.Log(entities=log.entities, sources=log.sources), "2016", "members", [{"memebr": None}])


def _module(requirement: str) -> str:
    """The import name of a requirement such as 'psycopg[binary]>=3.2' or 'mkdocs-jupyter>=0.24'."""
    name = re.match(r"[A-Za-z0-9_.-]+", requirement)
    assert name is not None
    return name.group(0).lower().replace("-", "_")


def test_testing_module_needs_only_the_testing_extra() -> None:
    """With every other extra's packages unimportable, eurasia_events.testing imports and a @given test runs."""
    extras = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    assert [_module(r) for r in extras["testing"]] == ["hypothesis"]
    blocked = {_module(r) for name, reqs in extras.items() if name != "testing" for r in reqs}
    blocked = {m for m in blocked if m not in ("hypothesis", "eurasia_events")} | {"_pytest"}
    assert {"pytest", "pandas", "matplotlib"} <= blocked
    script = f"""
import sys
BLOCKED = {sorted(blocked)!r}
class Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"blocked: {{name}}")
sys.meta_path.insert(0, Blocker())
from hypothesis import given, settings
from eurasia_events.testing import events, partial_dates, assert_as_of
import eurasia_events as ee
log = ee.load()
@settings(max_examples=5, deadline=None)
@given(events(log.entities, log.sources))
def check(event):
    assert event.id
check()
leaked = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)
assert not leaked, leaked
print("ok")
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
