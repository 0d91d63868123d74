"""Shared fixtures and hypothesis profiles.

Profiles: "default" (fast, for CI) and "thorough" (HYPOTHESIS_PROFILE=thorough).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

import eurasia_events as ee

settings.register_profile("default", max_examples=60, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
settings.register_profile("thorough", max_examples=2000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

BUNDLED = ee.bundled_path()
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


@pytest.fixture
def registries() -> tuple[ee.EntityRegistry, ee.SourceRegistry]:
    """The bundled entity and source registries."""
    return (ee.EntityRegistry.from_file(BUNDLED / "entities.json"),
            ee.SourceRegistry.from_file(BUNDLED / "sources.json"))


@pytest.fixture
def empty_log_dir(tmp_path: Path) -> Path:
    """A folder holding an empty log and copies of the bundled registries."""
    folder = tmp_path / "log"
    folder.mkdir()
    (folder / "log.jsonl").write_bytes(b"")
    for name in ("entities.json", "sources.json"):
        shutil.copy(BUNDLED / name, folder / name)
    return folder


@pytest.fixture
def memory_log(registries: tuple[ee.EntityRegistry, ee.SourceRegistry]) -> ee.Log:
    """An empty in-memory log with the bundled registries."""
    entities, sources = registries
    return ee.Log(ee.MemoryStore(), entities=entities, sources=sources)
