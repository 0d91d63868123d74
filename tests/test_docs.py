"""The documentation: the generated event types reference is current, the site's nav lists every page, and
the site builds (API reference and executed tutorial included) without a warning."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_event_types_reference_is_generated() -> None:
    """docs/event-types.md equals what docs/gen_event_types.py writes (rerun the script after changing events)."""
    spec = importlib.util.spec_from_file_location("gen_event_types", DOCS / "gen_event_types.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (DOCS / "event-types.md").read_text(encoding="utf-8") == module.generate(), (
        "docs/event-types.md is stale: run python docs/gen_event_types.py")


def test_mkdocs_nav_lists_every_page() -> None:
    """Every markdown page in docs/ is in mkdocs.yml's nav, and every nav entry exists or is planned."""
    config = (DOCS.parent / "mkdocs.yml").read_text(encoding="utf-8")
    for page in DOCS.glob("*.md"):
        assert page.name in config, f"{page.name} is missing from mkdocs.yml nav"


def test_site_builds_strict_with_api_reference_and_tutorial(tmp_path: Path) -> None:
    """`mkdocs build --strict` passes; the API page documents the public names and the tutorial page has its outputs."""
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
                            cwd=DOCS.parent, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    api = (tmp_path / "api" / "index.html").read_text(encoding="utf-8")
    for name in ("eurasia_events.Log.as_of", "eurasia_events.query_period", "eurasia_events.PartialDate",
                 "eurasia_events.testing.assert_as_of"):
        assert f'id="{name}"' in api, name
    tutorial = (tmp_path / "tutorial" / "index.html").read_text(encoding="utf-8")
    assert "jp-OutputArea-output" in tutorial  # executed at build time: outputs, not only code
    assert "Traceback" not in tutorial
    # doctest examples show as code, not as paragraphs
    assert "&gt;&gt;&gt; " in (tmp_path / "queries" / "index.html").read_text(encoding="utf-8")


def test_readme_docs_step_keeps_the_editable_install() -> None:
    """The README builds the site after an editable install (a plain `pip install .` would replace the test step's)."""
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    steps = re.findall(r"pip install (-e )?'?\.\[docs\]", readme)
    assert steps == ["-e "], steps
