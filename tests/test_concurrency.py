"""Concurrent writers: processes appending to one file, SQLite or PostgreSQL log at once."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path
from typing import Any

import pytest

import eurasia_events as ee
from logkit import copy_registries, log_target, make_store, meeting, new_log

THOROUGH = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"
PROCESSES, APPENDS = (8, 100) if THOROUGH else (4, 50)
RACES = 30 if THOROUGH else 6
_fork = multiprocessing.get_context("fork")


KINDS = ["file", "sqlite", "postgres"]


def _store(kind: str, folder: Path) -> ee.Store:
    return make_store(kind, folder)  # for postgres, the same schema for the same folder


def _appender(kind: str, folder: Path, worker: int, start: Any) -> None:
    log = new_log(_store(kind, folder))
    start.wait()
    for i in range(APPENDS):
        log.append([meeting(worker * 100_000 + i)])


@pytest.mark.parametrize("kind", KINDS)
def test_many_writers_lose_nothing(kind: str, tmp_path: Path) -> None:
    """N processes x M appends: exactly N x M records, a valid chain, no duplicates, no torn bytes."""
    copy_registries(tmp_path)
    with _store(kind, tmp_path).locked():
        pass  # create the log before the race
    start = _fork.Barrier(PROCESSES)
    workers = [_fork.Process(target=_appender, args=(kind, tmp_path, w, start)) for w in range(PROCESSES)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    assert [w.exitcode for w in workers] == [0] * PROCESSES
    log = ee.load(log_target(kind, tmp_path))  # verifies every hash and link
    ids = [r.event.id for r in log]
    assert len(ids) == PROCESSES * APPENDS
    assert len(set(ids)) == len(ids)
    for w in range(PROCESSES):  # each writer's records are in its own order
        mine = [int(i.removeprefix("m-")) - w * 100_000 for i in ids if int(i.removeprefix("m-")) // 100_000 == w]
        assert mine == list(range(APPENDS))
    print(f"[{kind}] {PROCESSES} processes x {APPENDS} appends: {len(ids)} records, chain valid")


def _racer(kind: str, folder: Path, worker: int, start: Any, results: Any) -> None:
    log = new_log(_store(kind, folder))
    seen = log.last_seq
    start.wait()
    try:
        log.append([meeting(worker * 100_000 + seen)], expected_last_seq=seen)
        results.put("won")
    except ee.ConcurrencyError:
        results.put("lost")


@pytest.mark.parametrize("kind", KINDS)
def test_expected_last_seq_lets_exactly_one_writer_win(kind: str, tmp_path: Path) -> None:
    """Two writers that read the same tail race: one appends, the other gets ConcurrencyError and writes nothing."""
    copy_registries(tmp_path)
    store = _store(kind, tmp_path)
    for race in range(RACES):
        before = store.read_lines()
        start, results = _fork.Barrier(2), _fork.Queue()
        racers = [_fork.Process(target=_racer, args=(kind, tmp_path, w, start, results)) for w in range(2)]
        for r in racers:
            r.start()
        for r in racers:
            r.join(60)
        assert [r.exitcode for r in racers] == [0, 0]
        assert sorted(results.get(timeout=5) for _ in racers) == ["lost", "won"], f"race {race}"
        after = store.read_lines()
        assert len(after) == len(before) + 1
        assert after[: len(before)] == before
    assert len(new_log(store)) == RACES
