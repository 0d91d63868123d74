"""Crash safety: torn tails at every byte offset, and writers killed (SIGKILL) mid-append.

A crash may lose the append in flight, never a record an earlier append returned from,
and never lets a partial record be read as valid.
"""

from __future__ import annotations

import os
import random
import select
import signal
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

import eurasia_events as ee
from eurasia_events import stores
from eurasia_events.cli import main
from logkit import copy_registries, meeting, new_log, write_log_dir

_ack_write = os.write  # kept apart from the os.write a fault injection replaces
THOROUGH = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"
KILLS = 150 if THOROUGH else 20


def test_truncation_at_every_offset_of_the_last_record(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Cut inside the last record: load() names the torn tail; repair keeps every earlier record."""
    path = write_log_dir(tmp_path / "original", 3)
    whole = path.read_bytes()
    start = whole.rindex(b"\n", 0, len(whole) - 1) + 1  # first byte of the last record
    earlier = whole[:start]
    case = tmp_path / "case"
    copy_registries(case)
    log_file = case / "log.jsonl"
    offsets = range(start + 1, len(whole))
    for cut in offsets:
        log_file.write_bytes(whole[:cut])
        with pytest.raises(ee.TornTailError, match=r"log\.jsonl:3: the last record is incomplete .* repair"):
            ee.load(case)
        assert main(["repair", str(log_file)]) == 0
        repaired = log_file.read_bytes()
        if cut == len(whole) - 1:  # only the newline was lost: the record is whole, repair restores it
            assert repaired == whole
        else:
            assert repaired == earlier
            assert "removed an incomplete last record" in capsys.readouterr().err
        log = ee.load(case)
        assert len(log) == (3 if cut == len(whole) - 1 else 2)
        assert [r.event for r in log][:2] == [meeting(0), meeting(1)]
    print(f"truncation: {len(offsets)} cut offsets, each detected and repaired")


def test_repair_never_removes_a_complete_record(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """On a whole log repair changes nothing; a damaged record before the tail is an error, not cut."""
    path = write_log_dir(tmp_path, 3)
    whole = path.read_bytes()
    assert main(["repair", str(tmp_path)]) == 0
    assert path.read_bytes() == whole
    assert "nothing to repair" in capsys.readouterr().err
    damaged = whole.replace(b"Meeting 1", b"Meeting 9")
    path.write_bytes(damaged)
    assert main(["repair", str(tmp_path)]) == 1
    assert "log.jsonl:2: the record does not match its hash" in capsys.readouterr().err
    assert path.read_bytes() == damaged


def test_repair_of_an_sqlite_log(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """SQLite never holds half a record: repair checks the file and changes nothing."""
    copy_registries(tmp_path)
    new_log(ee.SQLiteStore(tmp_path / "log.sqlite")).append([meeting(0)])
    assert main(["repair", str(tmp_path / "log.sqlite")]) == 0
    assert "nothing to repair" in capsys.readouterr().err


def _die_mid_write(kind: str, rng: random.Random) -> None:
    """Make the next append kill its own process half-way, as a crash or power cut would.

    File store: only a random prefix of the bytes reaches the file. SQLite: the rows are
    inserted but the process dies before the transaction commits.
    """
    if kind == "file":
        real_write = os.write

        def torn_write(fd: int, data: bytes | memoryview) -> int:
            if bytes(data[:7]) == b'{"seq":':  # the records, not the batch journal written before them
                real_write(fd, bytes(data)[: rng.randrange(1, len(data))])
                os.kill(os.getpid(), signal.SIGKILL)
            return real_write(fd, data)

        stores.os.write = torn_write  # type: ignore[attr-defined]
    else:
        real_append = ee.SQLiteStore.append_lines

        def append_then_die(self: ee.SQLiteStore, lines: Sequence[bytes]) -> None:
            real_append(self, lines)
            os.kill(os.getpid(), signal.SIGKILL)

        ee.SQLiteStore.append_lines = append_then_die  # type: ignore[method-assign]


def _writer(kind: str, path: Path, ack: int, seed: int, inject_after: int | None) -> None:
    """Append batches forever, acknowledging each returned append's last seq on ``ack``."""
    rng = random.Random(seed)
    store = ee.FileStore(path) if kind == "file" else ee.SQLiteStore(path)
    log = new_log(store)
    appends = 0
    n = len(log)
    while True:
        batch = [meeting(n + i, notes="x" * rng.randrange(1, 60_000)) for i in range(rng.randrange(1, 4))]
        if appends == inject_after:
            _die_mid_write(kind, rng)
        log.append(batch)
        appends += 1
        n += len(batch)
        _ack_write(ack, f"{log.last_seq}\n".encode())


def _acked(read_end: int) -> int:
    data = b""
    while select.select([read_end], [], [], 0)[0]:
        chunk = os.read(read_end, 65536)
        if not chunk:
            break
        data += chunk
    seqs = [int(x) for x in data.split()]
    return max(seqs, default=0)


@pytest.mark.parametrize("kind", ["file", "sqlite"])
def test_sigkill_during_appends_loses_no_acknowledged_record(kind: str, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """Kill the writer at random moments many times: what an append returned stays, byte for byte."""
    copy_registries(tmp_path)
    path = tmp_path / ("log.jsonl" if kind == "file" else "log.sqlite")
    rng = random.Random(6)
    survived: list[bytes] = []
    torn = acked_total = injected = rolled_back = 0
    for round_ in range(KILLS):
        # Half the rounds die at a random moment (usually between writes); the other half
        # die inside the write itself, after a random number of good appends.
        inject_after = rng.randrange(0, 8) if round_ % 2 else None
        injected += inject_after is not None
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns into pytest
            try:
                os.close(read_end)
                _writer(kind, path, write_end, round_, inject_after)
            finally:
                os._exit(0)
        os.close(write_end)
        if inject_after is None:
            time.sleep(rng.uniform(0.005, 0.12))
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status), f"round {round_}: the writer ended on its own: {status}"
        acked = max(_acked(read_end), len(survived))
        os.close(read_end)
        rolled_back += kind == "file" and (path.parent / (path.name + ".journal")).exists()
        if not survived and not acked and not path.exists():
            continue  # killed before it created the log (a slow start on a loaded machine): nothing to lose
        try:
            log = ee.load(path)  # readers stop where an unfinished batch starts
        except ee.TornTailError:
            torn += 1
            assert main(["repair", str(path)]) == 0
            log = ee.load(path)  # raises if repair left anything invalid
        lines = log.store.read_lines()
        assert lines[: len(survived)] == survived, f"round {round_}: an earlier record changed or vanished"
        assert len(lines) >= acked, f"round {round_}: record {acked} was acknowledged, the log has {len(lines)}"
        if inject_after is not None:
            # A transaction, and a file-store batch (journaled), is all or nothing.
            assert len(lines) == acked, f"round {round_}: the append that died left records behind"
        acked_total += max(0, acked - len(survived))
        survived = lines
    capsys.readouterr()
    with capsys.disabled():
        print(f"\n[{kind}] {KILLS} SIGKILLs ({injected} inside a write), {len(survived)} records survived "
              f"intact, {acked_total} acknowledged records checked, {rolled_back} unfinished batches rolled back")
    # Neither store ever shows half a record: SQLite commits transactions, and a file-store
    # batch cut short is left behind its journal, which readers stop at and the next writer
    # rolls back.
    assert torn == 0
    if kind == "file":
        assert rolled_back >= injected  # every death inside a write left a journaled batch
