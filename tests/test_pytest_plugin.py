"""The pytest plugin's fixtures, directly and through the installed entry point."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import eurasia_events as ee


def test_eurasia_log_is_empty_with_bundled_registries(eurasia_log: ee.Log, tmp_path: Path) -> None:
    """`eurasia_log` is an empty file log in tmp_path that knows the bundled entities and sources."""
    assert len(eurasia_log) == 0
    assert Path(eurasia_log.store.location).parent == tmp_path / "eurasia-log"
    assert "gazprom" in eurasia_log.entities
    assert len(eurasia_log.sources) == len(ee.load().sources)


def test_eurasia_log_accepts_appends_that_persist(eurasia_log: ee.Log) -> None:
    """An event citing bundled entities and sources appends, and a reload sees it."""
    event = ee.Meeting(id="test-summit", date="2030-05", title="A summit", parties=("CN", "RU"), kind="summit",
                       sources=[{"source": next(iter(eurasia_log.sources)), "quote": "words"}])
    eurasia_log.append([event], recorded="2030-06-01T00:00:00Z")
    assert [r.event.id for r in ee.load(eurasia_log.store.location)] == ["test-summit"]


def test_eurasia_bundled_log_is_a_writable_copy(eurasia_bundled_log: ee.Log) -> None:
    """`eurasia_bundled_log` holds every bundled record, in a file of its own."""
    bundled = ee.load()
    assert [r.hash for r in eurasia_bundled_log] == [r.hash for r in bundled]
    assert eurasia_bundled_log.store.location != bundled.store.location


DOC = Path(__file__).resolve().parents[1] / "docs" / "testing.md"


@pytest.mark.parametrize("number", range(len(re.findall(r"```python\n", DOC.read_text(encoding="utf-8")))))
def test_docs_examples_run_through_the_entry_point(tmp_path: Path, number: int) -> None:
    """A fresh pytest run in another folder runs each python example of docs/testing.md: no conftest, no import."""
    example = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)[number]
    (tmp_path / "test_user.py").write_text(example)
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error",
                             str(tmp_path)], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{example.count('def test_')} passed" in result.stdout
