"""A pytest plugin for test suites built on this library (registered through the
``pytest11`` entry point, so installing the package is enough).

Fixtures:

- ``eurasia_log``: a fresh, empty file log in the test's temporary folder, with the
  bundled entity and source registries, so events citing them can be appended.
- ``eurasia_bundled_log``: a fresh copy of the bundled curated log, safe to append to.

A test using one (no import needed)::

    def test_append(eurasia_log):
        assert len(eurasia_log) == 0
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .log import ENTITIES_FILE, LOG_FILE, SOURCES_FILE, Log, bundled_path, load

__all__ = ["eurasia_bundled_log", "eurasia_log"]


def _copy(folder: Path, *, with_events: bool) -> Log:
    folder.mkdir()
    bundled = bundled_path()
    for name in (ENTITIES_FILE, SOURCES_FILE):
        shutil.copyfile(bundled / name, folder / name)
    if with_events:
        shutil.copyfile(bundled / LOG_FILE, folder / LOG_FILE)
    else:
        (folder / LOG_FILE).write_bytes(b"")
    return load(folder)


@pytest.fixture
def eurasia_log(tmp_path: Path) -> Log:
    """An empty file log in ``tmp_path / "eurasia-log"`` with the bundled registries."""
    return _copy(tmp_path / "eurasia-log", with_events=False)


@pytest.fixture
def eurasia_bundled_log(tmp_path: Path) -> Log:
    """A copy of the bundled curated log in ``tmp_path / "eurasia-bundled-log"``."""
    return _copy(tmp_path / "eurasia-bundled-log", with_events=True)
