"""Helpers shared by the storage, crash, concurrency and bad-input tests.

Small hand-written logs built in a temporary folder with the bundled registries; they
never depend on the curated log's content.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

import eurasia_events as ee
from eurasia_events.codec import GENESIS

BUNDLED = ee.bundled_path()
RECORDED = "2026-01-01T00:00:00.000000Z"
STORE_KINDS = ("memory", "file", "sqlite", "postgres")
PG_DSN_VARIABLE = "EURASIA_EVENTS_PG_DSN"
"""The server the PostgreSQL tests use (``.ci/pg start DIR`` starts one and prints its DSN)."""


def available_kinds() -> tuple[str, ...]:
    """The store kinds this run can test together: PostgreSQL only with a server."""
    return tuple(k for k in STORE_KINDS if k != "postgres" or os.environ.get(PG_DSN_VARIABLE))


def pg_dsn() -> str:
    """The test server's DSN; skips the test without one, and fails it in CI (``CI=true``)."""
    dsn = os.environ.get(PG_DSN_VARIABLE)
    if not dsn:
        message = (f"{PG_DSN_VARIABLE} is not set: no PostgreSQL server to test against "
                   "(start one with '.ci/pg start DIR' and export the DSN it prints; see docs/postgres.md)")
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; CI must run the PostgreSQL tests", pytrace=False)
        pytest.skip(message)
    problem = _unreachable(dsn)
    if problem:  # a server was promised: never a silent skip
        pytest.fail(f"{PG_DSN_VARIABLE}={dsn}: {problem}", pytrace=False)
    return dsn


@functools.cache
def _unreachable(dsn: str) -> str:
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed: pip install -e '.[test]' (the postgres extra)"
    try:
        psycopg.connect(dsn, connect_timeout=10).close()
    except psycopg.Error as error:
        return f"cannot connect: {error}"
    return ""


_PG_SCHEMAS: set[str] = set()


def pg_url(folder: Path) -> str:
    """The URL of a schema of the test server that belongs to ``folder`` (created here; dropped
    after the test by the ``_drop_postgres_schemas`` fixture)."""
    import psycopg

    dsn = pg_dsn()
    schema = "t_" + hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:24]
    if schema not in _PG_SCHEMAS:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        _PG_SCHEMAS.add(schema)
    return f"{dsn}{'&' if '?' in dsn else '?'}options=-csearch_path%3D{schema}"


def drop_pg_schemas() -> None:
    """Drop the schemas the test made."""
    if not _PG_SCHEMAS:
        return
    import psycopg

    with psycopg.connect(os.environ[PG_DSN_VARIABLE], autocommit=True) as conn:
        for schema in sorted(_PG_SCHEMAS):
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    _PG_SCHEMAS.clear()


def log_target(kind: str, folder: Path) -> str | Path:
    """What ``load()`` takes for the log ``make_store(kind, folder)`` holds."""
    if kind == "postgres":
        return pg_url(folder)
    return folder / ("log.jsonl" if kind == "file" else "log.sqlite")


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


QUOTE = [{"source": "seed-004", "quote": "q"}]
"""A citation any test event may carry (seed 004 is in the bundled source registry)."""


def log_of(*items: ee.Event) -> ee.Log:
    """A memory log holding the events, with the bundled registries."""
    log = new_log(ee.MemoryStore())
    log.append(items)
    return log


def make_store(kind: str, folder: Path) -> ee.Store:
    """A fresh, empty store of ``kind`` (memory, file, sqlite or postgres) under ``folder``
    (for postgres: in a schema of its own, the log's tables created; the same for the same folder)."""
    if kind == "memory":
        return ee.MemoryStore()
    if kind == "file":
        return ee.FileStore(folder / "log.jsonl")
    if kind == "postgres":
        store = ee.PostgresStore(pg_url(folder))
        store.init()
        return store
    return ee.SQLiteStore(folder / "log.sqlite")


def reopen(store: ee.Store) -> ee.Store:
    """Another handle on the same records (the same object for memory)."""
    if isinstance(store, ee.FileStore):
        return ee.FileStore(store.path)
    if isinstance(store, ee.SQLiteStore):
        return ee.SQLiteStore(store.path)
    if isinstance(store, ee.PostgresStore):
        return ee.PostgresStore(store.url)
    return store


def overwrite_lines(store: ee.Store, lines: list[bytes]) -> None:
    """Replace every stored line behind the store's back (tampering, for tests)."""
    if isinstance(store, ee.MemoryStore):
        store._lines[:] = lines
    elif isinstance(store, ee.FileStore):
        store.path.write_bytes(b"".join(line + b"\n" for line in lines))
    elif isinstance(store, ee.PostgresStore):
        import psycopg

        with psycopg.connect(store.url) as conn:  # one transaction; the head follows the rows
            conn.execute("DELETE FROM eurasia_events_records")
            with conn.cursor() as cursor:
                cursor.executemany("INSERT INTO eurasia_events_records (seq, line) VALUES (%s, %s)",
                                   [(i + 1, line) for i, line in enumerate(lines)])
            conn.execute("UPDATE eurasia_events_meta SET last_seq = %s", (len(lines),))
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
