"""Shared fixtures (hypothesis profiles are in the repository's root conftest.py)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

import eurasia_events as ee
from logkit import drop_pg_schemas

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


@pytest.fixture(autouse=True)
def _drop_postgres_schemas() -> Iterator[None]:
    """Drop the PostgreSQL schemas a test made (each test's log lives in a schema of its own)."""
    yield
    drop_pg_schemas()
