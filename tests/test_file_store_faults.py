"""The JSON Lines store under faults: readers racing a writer, batches cut short by a
crash, and an I/O error injected at every write step.

A batch is committed when its journal is removed; until then readers stop where it
starts, and the next writer (or ``repair``) rolls it back, keeping a copy.
"""

from __future__ import annotations

import errno
import multiprocessing
import os
import random
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import eurasia_events as ee
from eurasia_events import stores
from eurasia_events.cli import main
from logkit import copy_registries, meeting, new_log, write_log_dir

THOROUGH = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"
BATCHES = 300 if THOROUGH else 120  # of 1-3 records of 200-500 kB each
READERS = 3  # one loads the whole log each time, the others follow it line by line
_fork = multiprocessing.get_context("fork")
_real = {name: getattr(os, name) for name in ("open", "write", "fsync", "replace", "unlink", "ftruncate")}


class _Crash(BaseException):
    """A simulated crash: no handler of the store runs (as after SIGKILL), only ``finally`` blocks."""


def _journal(path: Path) -> Path:
    return path.with_name(path.name + ".journal")


def _cut_records(keep: int, action: Callable[[], None] | None = None) -> None:
    """Make the next write of records put only ``keep`` bytes in the file, then ``action``
    (kill the process) or a simulated crash."""
    def write(fd: int, data: bytes | memoryview) -> int:
        if bytes(data[:7]) == b'{"seq":':  # the records, not the batch journal written before them
            _real["write"](fd, bytes(data)[:keep])
            if action is not None:
                action()
            raise _Crash
        return _real["write"](fd, data)

    os.write = write


# -- readers racing a writer -------------------------------------------------------------


def _stream(path: Path, sizes: list[int], seed: int) -> None:
    rng = random.Random(seed)
    log = new_log(ee.FileStore(path))
    n = 0
    for size in sizes:
        log.append([meeting(n + i, notes="x" * rng.randrange(200_000, 500_000)) for i in range(size)])
        n += size


def _read(folder: Path, follow: bool, ends: set[int], writer_done: Any, results: Any) -> None:
    """Load the log in a loop, or (``follow``) read only the new lines each time, as a log's
    sync does: cheap, so thousands of reads land while the writer is mid-batch."""
    reads = partial = 0
    lengths = set()
    follower = ee.FileStore(folder / "log.jsonl")
    held = 0
    while not writer_done.is_set() and reads < 200_000:  # bounded even if the writer hangs
        try:
            if follow:
                held += sum(1 for _line in follower.iter_lines(held))
                partial += held not in ends
            else:
                log = ee.load(folder)
                lengths.add(len(log))
                partial += len(log) not in ends or (len(log) > 0 and log[-1].event.id != f"m-{len(log) - 1}")
            reads += 1
        except ee.TornTailError as error:
            results.put(("tear", str(error)))
    results.put(("done", (follow, reads, partial, len(lengths))))


def test_readers_during_large_appends_see_whole_batches_and_no_false_tear(tmp_path: Path) -> None:
    """Readers in a loop while a writer streams large batches: never a tear, always a prefix of whole batches."""
    copy_registries(tmp_path)
    rng = random.Random(14)
    sizes = [rng.randrange(1, 4) for _ in range(BATCHES)]
    ends = {0}
    for size in sizes:
        ends.add(max(ends) + size)
    writer_done, results = _fork.Event(), _fork.Queue()
    readers = [_fork.Process(target=_read, args=(tmp_path, n > 0, ends, writer_done, results))
               for n in range(READERS)]
    writer = _fork.Process(target=_stream, args=(tmp_path / "log.jsonl", sizes, 14))
    with ee.FileStore(tmp_path / "log.jsonl").locked():
        pass  # create the log before the race
    writer.start()
    for reader in readers:
        reader.start()
    writer.join(600)
    writer_done.set()
    reports, tears = [], []
    while len(reports) < READERS:
        kind, value = results.get(timeout=600)
        (reports if kind == "done" else tears).append(value)
    for reader in readers:
        reader.join(60)
    assert writer.exitcode == 0
    assert tears == []
    assert [partial for _follow, _reads, partial, _lengths in reports] == [0] * READERS
    loads = sum(reads for follow, reads, _partial, _lengths in reports if not follow)
    follows = sum(reads for follow, reads, _partial, _lengths in reports if follow)
    assert loads >= 1
    assert follows >= 1
    assert len(ee.load(tmp_path)) == max(ends)
    print(f"\n{READERS} readers: {loads} loads ({sum(r[3] for r in reports)} distinct lengths) and {follows} "
          f"incremental reads during {len(sizes)} batches ({max(ends)} records of 200-500 kB): no tear, "
          "no partial batch")


# -- a batch cut short by a crash --------------------------------------------------------


def _batch_cut_at(folder: Path, keep: int) -> tuple[bytes, list[str]]:
    """A log of 2 records, then a batch of 3 whose writer dies after ``keep`` bytes of it;
    returns the batch's bytes and ids."""
    path = write_log_dir(folder, 2)
    log = new_log(ee.FileStore(path))
    batch = [meeting(10 + i, notes="y" * 40) for i in range(3)]
    captured: list[bytes] = []

    def capture(fd: int, data: bytes | memoryview) -> int:
        if bytes(data[:7]) == b'{"seq":':
            captured.append(bytes(data))
            _real["write"](fd, bytes(data)[:keep])
            raise _Crash
        return _real["write"](fd, data)

    os.write = capture
    try:
        with pytest.raises(_Crash):
            log.append(batch)
    finally:
        os.write = _real["write"]
    return captured[0], [event.id for event in batch]


def test_a_batch_cut_at_any_offset_is_rolled_back_whole_with_a_copy(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A crash anywhere inside a multi-record batch: readers see the log as before it, and the
    next writer or repair removes all of it, keeping the removed bytes in a copy."""
    payload, _ids = _batch_cut_at(tmp_path / "probe", 0)
    bounds = [i + 1 for i, byte in enumerate(payload) if byte == ord("\n")]
    cuts = sorted({*range(0, len(payload), 1 if THOROUGH else 23), *bounds[:-1], *(b - 1 for b in bounds)})
    for n, keep in enumerate(cuts):
        folder = tmp_path / f"cut{n}"
        payload, ids = _batch_cut_at(folder, keep)
        path = folder / "log.jsonl"
        assert path.stat().st_size > 0
        assert _journal(path).exists()
        seen = ee.load(folder)  # a reader: no tear, none of the batch, even its complete records
        assert [r.event.id for r in seen] == ["m-0", "m-1"]
        if n % 2:  # the next writer rolls the batch back before appending
            log = new_log(ee.FileStore(path))
            log.append([meeting(20)])
            copies = log.store.rescued  # type: ignore[attr-defined]
        else:
            assert main(["repair", str(folder)]) == 0
            err = capsys.readouterr().err
            assert "rolled back a batch" in err
            copies = [Path(word.rstrip(".")) for word in err.split() if ".removed-" in word]
        after = [r.event.id for r in ee.load(folder)]
        assert not set(ids) & set(after)
        assert after == (["m-0", "m-1", "m-20"] if n % 2 else ["m-0", "m-1"])
        assert not _journal(path).exists()
        if keep:
            assert [copy.read_bytes() for copy in copies] == [payload[:keep]]
        else:
            assert copies == []  # nothing was written, so nothing to keep
    print(f"\nbatch cut short at {len(cuts)} offsets of {len(payload)} bytes: each rolled back whole")


def _die_in_batch(path: Path, keep: int) -> None:
    log = new_log(ee.FileStore(path))
    _cut_records(keep, lambda: os.kill(os.getpid(), signal.SIGKILL))
    log.append([meeting(100 + i, notes="z" * 5_000) for i in range(4)])


def test_a_writer_killed_inside_a_batch_leaves_none_of_it(tmp_path: Path) -> None:
    """SIGKILL while a 4-record batch is half written: a reader sees none of it; the next writer
    rolls it back and keeps the removed bytes."""
    path = write_log_dir(tmp_path, 2)
    rng = random.Random(8)
    kills = 6
    for round_ in range(kills):
        before = path.read_bytes()
        keep = rng.randrange(1, 4 * 5_300)  # past the first records' ends, usually
        child = _fork.Process(target=_die_in_batch, args=(path, keep))
        child.start()
        child.join(60)
        assert child.exitcode == -signal.SIGKILL
        assert path.read_bytes()[: len(before)] == before
        assert path.stat().st_size == len(before) + keep
        assert len(ee.load(tmp_path)) == 2 + round_
        log = new_log(ee.FileStore(path))
        log.append([meeting(200 + round_)])
        assert [r.event.id for r in ee.load(tmp_path)][2:] == [f"m-{200 + i}" for i in range(round_ + 1)]
        (copy,) = log.store.rescued  # type: ignore[attr-defined]
        kept = copy.read_bytes()
        assert len(kept) == keep
        assert kept.startswith(f'{{"seq":{3 + round_},'.encode())
    print(f"\n{kills} writers killed inside a batch: each batch rolled back whole, a copy kept")


# -- an I/O error at every write step ----------------------------------------------------


class _Faults:
    """Wraps the ``os`` calls the store makes, counting them, and fails the ``fail``-th call of one."""

    def __init__(self, name: str | None = None, fail: int = -1) -> None:
        self.name, self.fail = name, fail
        self.calls: dict[str, int] = {}

    def wrap(self, name: str) -> Callable[..., Any]:
        real = _real[name]

        def call(*args: Any, **kwargs: Any) -> Any:
            if sys._getframe(1).f_globals.get("__name__") == stores.__name__:  # only the store's own calls
                count = self.calls[name] = self.calls.get(name, 0) + 1
                if name == self.name and count == self.fail:
                    raise OSError(errno.EIO, f"injected failure of os.{name}")
            return real(*args, **kwargs)

        return call

    def __enter__(self) -> _Faults:
        for name in _real:
            setattr(os, name, self.wrap(name))
        return self

    def __exit__(self, *exc: object) -> None:
        for name, real in _real.items():
            setattr(os, name, real)


def _scene(folder: Path, dead_batch: bool) -> tuple[ee.Log, Path]:
    path = write_log_dir(folder, 2)
    if dead_batch:  # a writer died half-way through a batch: the next append rolls it back first
        _die = new_log(ee.FileStore(path))
        _cut_records(700)
        try:
            _die.append([meeting(50), meeting(51)])
        except _Crash:
            pass
        finally:
            os.write = _real["write"]
    return new_log(ee.FileStore(path)), path


def _same(log: ee.Log, path: Path) -> None:
    fresh = ee.load(path)
    assert len(log) == len(fresh)
    assert log[-1].hash == fresh[-1].hash


@pytest.fixture
def restore_os() -> Iterator[None]:
    """Put back every patched ``os`` function, whatever the test did."""
    yield
    for name, real in _real.items():
        setattr(os, name, real)


@pytest.mark.parametrize("dead_batch", [False, True], ids=["append", "append-after-a-dead-batch"])
def test_a_failure_at_every_write_step_is_a_library_error_and_leaves_memory_equal_to_disk(
        tmp_path: Path, dead_batch: bool, restore_os: None) -> None:
    """os.open/write/fsync/replace/unlink/ftruncate fail in turn at each call an append makes:
    a library error, the log in memory equals a fresh load, and the next append works."""
    log, _path = _scene(tmp_path / "dry", dead_batch)
    with _Faults() as counting:
        log.append([meeting(60), meeting(61)])
    steps = [(name, k) for name, count in sorted(counting.calls.items()) for k in range(1, count + 1)]
    assert {"open", "write", "fsync", "replace", "unlink"} <= {name for name, _k in steps}
    for n, (name, k) in enumerate(steps):
        log, path = _scene(tmp_path / f"f{n}", dead_batch)
        with _Faults(name, k), pytest.raises(ee.EurasiaEventsError, match="injected failure"):
            log.append([meeting(60), meeting(61)])
        _same(log, path)
        assert len(log) == 2
        log.append([meeting(62)])  # the next append works (and rolls back anything left)
        _same(log, path)
        assert [r.event.id for r in log] == ["m-0", "m-1", "m-62"]
        assert not _journal(path).exists()
    print(f"\n{len(steps)} faults injected ({'after a dead batch' if dead_batch else 'plain append'}): "
          + ", ".join(f"{name} x{count}" for name, count in sorted(counting.calls.items())))
