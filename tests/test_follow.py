"""Followers: ``Log.refresh`` and ``Log.follow`` on every store, ``eurasia-events follow``, and a
projection kept outside the library that resumes exactly where it stopped after a kill."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

import eurasia_events as ee
from eurasia_events.cli import main
from logkit import RECORDED, copy_registries, log_target, make_store, meeting, new_log, reopen

KINDS = ["file", "sqlite", "postgres"]
RECORDS = 1000
_fork = multiprocessing.get_context("fork")


def _bursts(kind: str, folder: Path, seed: int) -> None:
    """Append RECORDS meetings in bursts of 1 to 40 records, in batches of 1 to 5, with pauses."""
    rng = random.Random(seed)
    log = new_log(make_store(kind, folder))
    n = 0
    while n < RECORDS:
        burst_end = min(RECORDS, n + rng.randrange(1, 41))
        while n < burst_end:
            size = min(burst_end - n, rng.randrange(1, 6))
            log.append([meeting(n + i) for i in range(size)], recorded=RECORDED)
            n += size
        time.sleep(rng.uniform(0, 0.03))


@pytest.mark.parametrize("kind", KINDS)
def test_a_follower_sees_each_record_once_in_order(kind: str, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """One process appends 1,000 records in bursts while another follows: each seen exactly once, in order."""
    store = make_store(kind, tmp_path)
    with store.locked():
        pass  # the log exists before the follower opens it
    follower = new_log(reopen(store))
    writer = _fork.Process(target=_bursts, args=(kind, tmp_path, 16))
    seen: list[tuple[int, str]] = []
    writer.start()
    try:
        for record in follower.follow(after_seq=0, poll=0.02, timeout=60):
            seen.append((record.seq, record.event.id))
            if len(seen) == RECORDS:
                break
    finally:
        writer.join(120)
    assert writer.exitcode == 0
    assert seen == [(n + 1, f"m-{n}") for n in range(RECORDS)]
    assert follower.last_seq == RECORDS
    assert follower.as_of("2100-01-01").meetings().rows  # the views followed the records
    with capsys.disabled():
        print(f"\n[{kind}] follower: {len(seen)} records, each once, in order")


@pytest.mark.parametrize("kind", KINDS)
def test_refresh_reads_only_new_records_and_checks_the_boundary(kind: str, tmp_path: Path) -> None:
    """refresh() takes in others' appends (views included); a log rewritten behind it is an IntegrityError."""
    store = make_store(kind, tmp_path)
    writer, reader = new_log(store), new_log(reopen(store))
    writer.append([meeting(0)], recorded=RECORDED)
    assert reader.refresh() == 1
    assert reader.refresh() == 0
    before = len(reader.timeline())
    writer.append([meeting(1), meeting(2)], recorded=RECORDED)
    assert reader.refresh() == 2
    assert len(reader.timeline()) == before + 2
    assert reader.head == writer.head
    # Someone rewrites the log from scratch: other records, the same count and more.
    other = new_log(ee.MemoryStore())
    other.append([meeting(7), meeting(8), meeting(9), meeting(10)], recorded=RECORDED)
    from logkit import overwrite_lines

    overwrite_lines(store, other.store.read_lines())
    with pytest.raises(ee.IntegrityError, match=r":[34]: |changed since the log was read"):
        reader.refresh()


def test_refresh_notices_a_log_cut_short(tmp_path: Path) -> None:
    """A log that lost records the reader had read is an IntegrityError, not 'nothing new'."""
    store = make_store("file", tmp_path)
    writer, reader = new_log(store), new_log(reopen(store))
    writer.append([meeting(0), meeting(1)], recorded=RECORDED)
    reader.refresh()
    data = store.path.read_bytes()
    store.path.write_bytes(data[: data.index(b"\n") + 1])
    with pytest.raises(ee.IntegrityError, match=r"now ends before record 2|changed since"):
        reader.refresh()


@pytest.mark.parametrize("kind", ["file", "postgres"])
def test_the_follow_command_prints_records_as_they_come(kind: str, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """eurasia-events follow prints one line per record (text or the stored JSON), and stops after --timeout."""
    copy_registries(tmp_path)
    log = new_log(make_store(kind, tmp_path))
    log.append([meeting(0), meeting(1)], recorded=RECORDED)
    target = str(log_target(kind, tmp_path))
    assert main(["--log", target, "follow", "--after", "0", "--timeout", "0.3", "--poll", "0.05"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[::3] for line in lines] == [["1", "m-0"], ["2", "m-1"]]
    assert main(["--log", target, "follow", "--after", "1", "--format", "jsonl", "--timeout", "0.1"]) == 0
    assert capsys.readouterr().out.encode() == log.store.read_lines()[1] + b"\n"
    assert main(["--log", target, "follow", "--after", "-1"]) == 1
    assert "expected a record number" in capsys.readouterr().err


# -- a projection kept outside the library, resuming after a kill (the pattern of docs/postgres.md) --


def project(log: ee.Log, db_path: Path, *, timeout: float, die_before_commit: int | None = None) -> None:
    """Count events per type in an SQLite file of the user's, with the last seq applied beside the
    counts, both changed in one transaction: after a crash it resumes exactly after that seq."""
    db = sqlite3.connect(db_path, isolation_level=None)
    db.execute("CREATE TABLE IF NOT EXISTS checkpoint (one INTEGER PRIMARY KEY CHECK (one = 1), last_seq INTEGER)")
    db.execute("CREATE TABLE IF NOT EXISTS per_type (type TEXT PRIMARY KEY, events INTEGER NOT NULL)")
    db.execute("CREATE TABLE IF NOT EXISTS applied (seq INTEGER NOT NULL)")  # no key: a repeat would show
    db.execute("INSERT OR IGNORE INTO checkpoint VALUES (1, 0)")
    (last,) = db.execute("SELECT last_seq FROM checkpoint").fetchone()
    for record in log.follow(after_seq=last, poll=0.02, timeout=timeout):
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO per_type VALUES (?, 1) ON CONFLICT (type) DO UPDATE SET events = events + 1",
                   (record.event.TYPE,))
        db.execute("INSERT INTO applied VALUES (?)", (record.seq,))
        if record.seq == die_before_commit:
            os.kill(os.getpid(), signal.SIGKILL)  # applied but not committed
        db.execute("UPDATE checkpoint SET last_seq = ?", (record.seq,))
        db.execute("COMMIT")
    db.close()


def _projector(kind: str, folder: Path, db_path: Path, die_before_commit: int | None) -> None:
    project(ee.load(log_target(kind, folder)), db_path, timeout=0.5, die_before_commit=die_before_commit)


@pytest.mark.parametrize("kind", ["file", "postgres"])
def test_a_projection_resumes_exactly_where_it_stopped(kind: str, tmp_path: Path) -> None:
    """Kill the projector at random moments and between applying a record and committing: in the end every
    record was applied exactly once, and the counts equal a fresh count."""
    copy_registries(tmp_path)
    log = new_log(make_store(kind, tmp_path))
    rng = random.Random(3)
    events: list[Any] = [meeting(n) for n in range(120)]
    events += [ee.Memorandum(id=f"memo-{n}", date="2020-01-01", title="M", agreement=f"a-{n}", parties=["RU", "CN"],
                             sources=[{"source": "seed-000", "quote": "q"}]) for n in range(30)]
    rng.shuffle(events)
    for start in range(0, len(events), 10):
        log.append(events[start : start + 10], recorded=RECORDED)
    db_path = tmp_path / "projection.sqlite"
    kills = 0
    for round_ in range(8):
        done = 0
        if db_path.exists():
            with sqlite3.connect(db_path) as db:
                done = db.execute("SELECT last_seq FROM checkpoint").fetchone()[0]
            db.close()
        die = rng.randrange(done + 1, len(events) + 1) if round_ % 2 and done < len(events) else None
        child = _fork.Process(target=_projector, args=(kind, tmp_path, db_path, die))
        child.start()
        if die is None:
            time.sleep(rng.uniform(0.05, 0.3))
            if child.is_alive():
                os.kill(child.pid or 0, signal.SIGKILL)
        child.join(60)
        kills += child.exitcode == -signal.SIGKILL
    child = _fork.Process(target=_projector, args=(kind, tmp_path, db_path, None))
    child.start()
    child.join(120)
    assert child.exitcode == 0
    assert kills >= 4
    db = sqlite3.connect(db_path)
    applied = [row[0] for row in db.execute("SELECT seq FROM applied ORDER BY rowid")]
    counts = dict(db.execute("SELECT type, events FROM per_type").fetchall())
    (last,) = db.execute("SELECT last_seq FROM checkpoint").fetchone()
    db.close()
    assert applied == list(range(1, len(events) + 1))
    assert counts == {"meeting": 120, "memorandum": 30}
    assert last == len(events)
