"""Helpers shared by the storage, crash, concurrency and bad-input tests.

Small hand-written logs built in a temporary folder with the bundled registries; they
never depend on the curated log's content.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import eurasia_events as ee
from eurasia_events.codec import GENESIS

BUNDLED = ee.bundled_path()
RECORDED = "2026-01-01T00:00:00.000000Z"
STORE_KINDS = ("memory", "file", "sqlite")


def registries() -> tuple[ee.EntityRegistry, ee.SourceRegistry]:
    """The bundled entity and source registries."""
    return (ee.EntityRegistry.from_file(BUNDLED / "entities.json"),
            ee.SourceRegistry.from_file(BUNDLED / "sources.json"))


def copy_registries(folder: Path) -> None:
    """Put copies of the bundled registries in ``folder``, so ``load(folder)`` finds them."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("entities.json", "sources.json"):
        shutil.copy(BUNDLED / name, folder / name)


def meeting_data(n: int, **changes: Any) -> dict[str, Any]:
    """The flat JSON of a valid meeting (``type`` included), numbered ``n``."""
    data: dict[str, Any] = {
        "type": "meeting", "id": f"m-{n}", "date": f"{2000 + n % 30}-05-0{1 + n % 9}",
        "title": f"Meeting {n}", "parties": ["RU", "CN"], "kind": "talks",
        "sources": [{"source": "seed-000", "quote": f"quote {n}"}],
    }
    data.update(changes)
    return data


def meeting(n: int, **changes: Any) -> ee.Meeting:
    """A valid meeting numbered ``n``."""
    data = meeting_data(n, **changes)
    del data["type"]
    return ee.Meeting(**data)


def new_log(store: ee.Store) -> ee.Log:
    """A log on ``store`` with the bundled registries."""
    entities, sources = registries()
    return ee.Log(store, entities=entities, sources=sources)


def make_store(kind: str, folder: Path) -> ee.Store:
    """A fresh, empty store of ``kind`` (memory, file or sqlite) under ``folder``."""
    if kind == "memory":
        return ee.MemoryStore()
    if kind == "file":
        return ee.FileStore(folder / "log.jsonl")
    return ee.SQLiteStore(folder / "log.sqlite")


def reopen(store: ee.Store) -> ee.Store:
    """Another handle on the same records (the same object for memory)."""
    if isinstance(store, ee.FileStore):
        return ee.FileStore(store.path)
    if isinstance(store, ee.SQLiteStore):
        return ee.SQLiteStore(store.path)
    return store


def overwrite_lines(store: ee.Store, lines: list[bytes]) -> None:
    """Replace every stored line behind the store's back (tampering, for tests)."""
    if isinstance(store, ee.MemoryStore):
        store._lines[:] = lines
    elif isinstance(store, ee.FileStore):
        store.path.write_bytes(b"".join(line + b"\n" for line in lines))
    else:
        assert isinstance(store, ee.SQLiteStore)
        with store.locked():
            pass  # creates the table
        with sqlite3.connect(store.path) as conn:
            conn.execute("DELETE FROM records")
            conn.executemany("INSERT INTO records (seq, line) VALUES (?, ?)",
                             [(i + 1, line) for i, line in enumerate(lines)])
        conn.close()


def forge_line(seq: int, data: bytes | dict[str, Any], *, type_: str = "meeting", prev: str = GENESIS,
               schema: int = 1, recorded: str = RECORDED) -> tuple[bytes, str]:
    """A record line (no newline) with a *correct* hash around arbitrary ``data``, and its hash.

    Lets a test put invalid events in a log whose chain verifies, so the loader's
    validation (not the hash check) has to catch them.
    """
    raw = data if isinstance(data, bytes) else json.dumps(data, ensure_ascii=False).encode()
    body = (f'{{"seq":{seq},"recorded":"{recorded}","schema":{schema},"type":{json.dumps(type_)},'
            f'"prev":"{prev}","data":').encode() + raw
    digest = hashlib.sha256(body + b"}").hexdigest()
    return body + f',"hash":"{digest}"}}'.encode(), digest


def valid_lines(count: int) -> list[bytes]:
    """``count`` valid, chained record lines (no newlines), written through a memory log."""
    log = new_log(ee.MemoryStore())
    for n in range(count):
        log.append([meeting(n)], recorded=RECORDED)
    store = log.store
    return store.read_lines()


def write_log_dir(folder: Path, count: int) -> Path:
    """A log folder with ``count`` valid records and the bundled registries; returns the log file."""
    copy_registries(folder)
    path = folder / "log.jsonl"
    path.write_bytes(b"".join(line + b"\n" for line in valid_lines(count)))
    return path
