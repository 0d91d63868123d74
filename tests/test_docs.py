"""The documentation: the generated event types reference is current, and the site's nav lists every page."""

from __future__ import annotations

import importlib.util
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
