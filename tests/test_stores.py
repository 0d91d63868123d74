"""One contract for every storage backend (memory, JSON Lines file, SQLite), and a
stateful test driving all of them and a plain list model with the same operations."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

import eurasia_events as ee
from eurasia_events.codec import GENESIS
from logkit import (
    RECORDED,
    STORE_KINDS,
    available_kinds,
    forge_line,
    make_store,
    meeting,
    new_log,
    overwrite_lines,
    registries,
    reopen,
)


@pytest.fixture(params=STORE_KINDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ee.Store:
    """A fresh, empty store of each kind."""
    return make_store(request.param, tmp_path)


def ids(log: ee.Log) -> list[str]:
    return [record.event.id for record in log]


def test_store_satisfies_the_protocol(store: ee.Store) -> None:
    """Every backend has what the log needs: a location, a lock, reads and appends."""
    assert isinstance(store.location, str)
    assert store.read_lines() == []
    with store.locked():
        store.append_lines([b"a\n", b"b\n"])
    assert store.read_lines() == [b"a", b"b"]
    assert store.read_lines(1) == [b"b"]
    assert store.read_lines(2) == []


def test_lines_come_one_at_a_time_and_each_can_be_read_again(store: ee.Store) -> None:
    """iter_lines gives what read_lines gives, lazily; line(i) reads one record again, also
    while the iteration is still going (a correction reads its target's line)."""
    with store.locked():
        store.append_lines([b"first\n", b"second record\n"])
    lines = store.iter_lines()
    assert next(lines) == b"first"
    assert store.line(0) == b"first"
    assert next(lines) == b"second record"
    assert store.line(1) == b"second record"
    assert list(lines) == []
    with store.locked():
        store.append_lines([b"third\n"])
    assert list(store.iter_lines(2)) == store.read_lines(2) == [b"third"]
    assert [store.line(i) for i in range(3)] == [b"first", b"second record", b"third"]


def test_records_keep_their_order(store: ee.Store) -> None:
    """Records come back in the order appended, across batches and after reopening."""
    log = new_log(store)
    log.append([meeting(0), meeting(1)], recorded=RECORDED)
    log.append([meeting(2)], recorded=RECORDED)
    log.append([meeting(3), meeting(4), meeting(5)], recorded=RECORDED)
    expected = [f"m-{n}" for n in range(6)]
    assert ids(log) == expected
    again = new_log(reopen(store))
    assert ids(again) == expected
    assert [r.seq for r in again] == list(range(1, 7))
    assert [r.hash for r in again] == [r.hash for r in log]


def test_same_records_give_same_bytes_in_every_store(tmp_path: Path) -> None:
    """The stores hold a record as the same bytes, so the hash chain is store-independent."""
    held = []
    for kind in available_kinds():
        log = new_log(make_store(kind, tmp_path / kind))
        log.append([meeting(0), meeting(1)], recorded=RECORDED)
        held.append(log.store.read_lines())
    assert len(held) >= 3
    assert all(lines == held[0] for lines in held)


def test_append_is_all_or_nothing(store: ee.Store) -> None:
    """One invalid event in a batch means no event of the batch is written."""
    log = new_log(store)
    log.append([meeting(0)], recorded=RECORDED)
    before = store.read_lines()
    bad = meeting(3, parties=["RU", "atlantis"])
    with pytest.raises(ee.InvalidEventError, match="atlantis") as caught:
        log.append([meeting(1), meeting(2), bad], recorded=RECORDED)
    assert caught.value.event_id == "m-3"
    assert caught.value.field == "parties"
    assert store.read_lines() == before
    assert len(log) == 1
    assert ids(new_log(reopen(store))) == ["m-0"]


def test_an_error_inside_the_lock_writes_nothing_transactional(tmp_path: Path) -> None:
    """SQLite rolls back lines appended in a transaction that then fails."""
    store = ee.SQLiteStore(tmp_path / "log.sqlite")

    def fail_after_writing() -> None:
        with store.locked():
            store.append_lines([b"x\n"])
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        fail_after_writing()
    assert store.read_lines() == []


def test_optimistic_concurrency(store: ee.Store) -> None:
    """With a stale ``expected_last_seq`` the append fails with ConcurrencyError and writes nothing."""
    first, second = new_log(store), new_log(reopen(store))
    first.append([meeting(0)], recorded=RECORDED, expected_last_seq=0)
    before = store.read_lines()
    with pytest.raises(ee.ConcurrencyError, match="expected last record 0, but the log is at 1"):
        second.append([meeting(1)], recorded=RECORDED, expected_last_seq=0)
    assert store.read_lines() == before
    second.append([meeting(1)], recorded=RECORDED, expected_last_seq=1)
    assert ids(first) == ["m-0"]  # a log reads others' appends on its next write or reload
    first.append([meeting(2)], recorded=RECORDED)
    assert ids(first) == ["m-0", "m-1", "m-2"]


@pytest.mark.parametrize("batches", [[[0], [0]], [[0, 1, 0]]], ids=["across-appends", "within-a-batch"])
def test_duplicate_ids_are_refused(store: ee.Store, batches: list[list[int]]) -> None:
    """An id already in the log, or twice in one batch, is refused and nothing is written."""
    log = new_log(store)
    *good, last = batches
    for batch in good:
        log.append([meeting(n) for n in batch], recorded=RECORDED)
    before = store.read_lines()
    with pytest.raises(ee.InvalidEventError, match="duplicate event id") as caught:
        log.append([meeting(n) for n in last], recorded=RECORDED)
    assert (caught.value.event_id, caught.value.field) == ("m-0", "id")
    assert store.read_lines() == before


def test_a_duplicate_id_written_behind_the_logs_back_is_an_error(store: ee.Store) -> None:
    """A stored log with one id twice (chain intact) fails to load."""
    first, h1 = forge_line(1, {**_data(0)})
    second, _ = forge_line(2, {**_data(0)}, prev=h1)
    overwrite_lines(store, [first, second])
    with pytest.raises(ee.InvalidEventError, match="duplicate"):
        new_log(store)


def _data(n: int) -> dict[str, Any]:
    return ee.codec.encode_event(meeting(n))


TAMPERING: dict[str, Callable[[list[bytes]], list[bytes]]] = {
    "edited byte": lambda lines: [lines[0], lines[1].replace(b"Meeting 1", b"Meeting 7"), lines[2]],
    "deleted record": lambda lines: [lines[0], lines[2]],
    "deleted first record": lambda lines: lines[1:],
    "swapped records": lambda lines: [lines[1], lines[0], lines[2]],
    "duplicated record": lambda lines: [lines[0], lines[1], lines[1], lines[2]],
    "rehashed edit": lambda lines: [lines[0], _rehash(lines[1].replace(b"Meeting 1", b"Meeting 7")), lines[2]],
}


def _rehash(line: bytes) -> bytes:
    # An attacker who recomputes the record's own hash still breaks the next record's link.
    body = line[: line.rindex(b',"hash":"')]
    import hashlib

    digest = hashlib.sha256(body + b"}").hexdigest().encode()
    return body + b',"hash":"' + digest + b'"}'


@pytest.mark.parametrize("how", list(TAMPERING))
def test_tampering_is_detected(store: ee.Store, how: str) -> None:
    """Editing, deleting, reordering or duplicating a stored record breaks the chain on load."""
    log = new_log(store)
    log.append([meeting(0), meeting(1), meeting(2)], recorded=RECORDED)
    overwrite_lines(store, TAMPERING[how](store.read_lines()))
    with pytest.raises(ee.IntegrityError, match=r":[1-3]: "):
        new_log(reopen(store))


def test_sqlite_rows_out_of_sequence_are_detected(tmp_path: Path) -> None:
    """A gap in the SQLite table's sequence numbers is reported by the store itself."""
    store = ee.SQLiteStore(tmp_path / "log.sqlite")
    new_log(store).append([meeting(0), meeting(1), meeting(2)], recorded=RECORDED)
    with sqlite3.connect(store.path) as conn:
        conn.execute("DELETE FROM records WHERE seq = 2")
    conn.close()
    with pytest.raises(ee.IntegrityError, match=r"log.sqlite:2: row 3 where 2 was expected"):
        store.read_lines()


def test_old_schema_records_are_upcast_on_read(store: ee.Store) -> None:
    """A schema-0 record is upgraded by its upcaster as it is read; the stored bytes stay as written."""
    old = {k: v for k, v in _data(0).items() if k != "kind"} | {"meeting_kind": "summit"}
    line, digest = forge_line(1, old, type_="meeting_v0", schema=0)
    overwrite_lines(store, [line])

    def upcast(type_: str, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        data = dict(data)
        data["kind"] = data.pop("meeting_kind")
        return type_.removesuffix("_v0"), data

    entities, sources = registries()
    with pytest.raises(ee.LogFormatError, match="no upcaster from schema 0 to 1"):
        ee.Log(reopen(store), entities=entities, sources=sources)
    log = ee.Log(reopen(store), entities=entities, sources=sources, upcasters={0: upcast})
    [record] = list(log)
    assert record.schema == 0
    assert isinstance(record.event, ee.Meeting)
    assert record.event.kind == "summit"
    assert record.hash == digest
    log.append([meeting(1)], recorded=RECORDED)  # the chain continues from the old record
    assert store.read_lines()[0] == line


def test_appends_seen_by_other_handles(store: ee.Store) -> None:
    """A log picks up records another handle appended, verifying them, before it writes."""
    writer, reader = new_log(store), new_log(reopen(store))
    writer.append([meeting(0), meeting(1)], recorded=RECORDED)
    reader.append([meeting(2)], recorded=RECORDED)
    assert ids(reader) == ["m-0", "m-1", "m-2"]
    assert reader[0].event == writer[0].event


def test_sqlite_refuses_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    """A .sqlite path holding something else gives LogFormatError, not sqlite3's error."""
    path = tmp_path / "log.sqlite"
    path.write_bytes(b"this is not a database, just text\n" * 10)
    with pytest.raises(ee.LogFormatError, match=r"log\.sqlite"):
        ee.SQLiteStore(path).read_lines()
    with pytest.raises(ee.LogFormatError, match=r"log\.sqlite"):
        ee.load(path)


def test_load_accepts_folder_jsonl_and_sqlite(tmp_path: Path) -> None:
    """load() reads a folder, a .jsonl file and a .sqlite file, with the registries beside them."""
    from logkit import copy_registries

    copy_registries(tmp_path)
    for store in (ee.FileStore(tmp_path / "log.jsonl"), ee.SQLiteStore(tmp_path / "other.sqlite")):
        new_log(store).append([meeting(0)], recorded=RECORDED)
    assert ids(ee.load(tmp_path)) == ["m-0"]
    assert ids(ee.load(tmp_path / "log.jsonl")) == ["m-0"]
    assert isinstance(ee.load(tmp_path / "other.sqlite").store, ee.SQLiteStore)
    assert ids(ee.load(tmp_path / "other.sqlite")) == ["m-0"]
    with pytest.raises(ee.LogNotFoundError, match=r"new\.sqlite"):
        ee.load(tmp_path / "new.sqlite")
    assert not (tmp_path / "new.sqlite").exists()  # reading never creates a file
    assert len(ee.load(tmp_path / "new.sqlite", create=True)) == 0  # only when asked to
    with pytest.raises(ee.LogFormatError, match="no such log folder or file"):
        ee.load(tmp_path / "missing")


# -- stateful: every store against a plain list ------------------------------------------


class StoresAgainstAList(RuleBasedStateMachine):
    """Appends, failed appends and reloads applied to all stores and to a list of ids."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="ee-stateful-"))
        self.stores = {kind: make_store(kind, self.folder / kind) for kind in available_kinds()}
        self.logs = {kind: new_log(store) for kind, store in self.stores.items()}
        self.model: list[str] = []
        self.next = 0

    def teardown(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def _fresh(self, count: int) -> list[ee.Meeting]:
        batch = [meeting(self.next + i) for i in range(count)]
        self.next += count
        return batch

    def _each(self, action: Callable[[ee.Log], Any]) -> set[str]:
        outcomes = set()
        for log in self.logs.values():
            try:
                action(log)
                outcomes.add("ok")
            except ee.EurasiaEventsError as error:
                outcomes.add(type(error).__name__)
        assert len(outcomes) == 1, f"the stores disagree: {outcomes}"
        return outcomes

    @rule(count=st.integers(0, 4), check_seq=st.booleans())
    def append(self, count: int, check_seq: bool) -> None:
        batch = self._fresh(count)
        expected = len(self.model) if check_seq else None
        assert self._each(lambda log: log.append(batch, recorded=RECORDED, expected_last_seq=expected)) == {"ok"}
        self.model.extend(e.id for e in batch)

    @rule(stale=st.integers(1, 3))
    def append_with_stale_seq(self, stale: int) -> None:
        batch = self._fresh(1)
        seq = len(self.model) - stale if len(self.model) >= stale else len(self.model) + stale
        assert self._each(lambda log: log.append(batch, recorded=RECORDED, expected_last_seq=seq)) == {
            "ConcurrencyError"}

    @precondition(lambda self: self.model)
    @rule(data=st.data(), count=st.integers(0, 3))
    def append_batch_with_a_duplicate(self, data: st.DataObject, count: int) -> None:
        batch: list[ee.Meeting] = self._fresh(count)
        old = data.draw(st.sampled_from(self.model))
        position = data.draw(st.integers(0, len(batch)))
        batch.insert(position, meeting(int(old.removeprefix("m-"))))
        assert self._each(lambda log: log.append(batch, recorded=RECORDED)) == {"InvalidEventError"}

    @rule()
    def append_batch_with_an_unknown_entity(self) -> None:
        batch = [*self._fresh(2), meeting(self.next, parties=["RU", "no-such-entity"])]
        self.next += 1
        assert self._each(lambda log: log.append(batch, recorded=RECORDED)) == {"InvalidEventError"}

    @rule()
    def reopen(self) -> None:
        self.stores = {kind: reopen(store) for kind, store in self.stores.items()}
        self.logs = {kind: new_log(store) for kind, store in self.stores.items()}

    @invariant()
    def stores_agree_with_the_model(self) -> None:
        lines = {kind: store.read_lines() for kind, store in self.stores.items()}
        assert all(held == lines["memory"] for held in lines.values()), "the stores hold different bytes"
        for log in self.logs.values():
            assert [r.event.id for r in log] == self.model
            assert log.last_seq == len(self.model)
            assert (log[-1].hash if len(log) else GENESIS) == (
                forge_tail_hash(lines["memory"]))


def forge_tail_hash(lines: list[bytes]) -> str:
    """The hash the last stored line claims (GENESIS for none)."""
    return lines[-1][-66:-2].decode() if lines else GENESIS


# Each step touches three stores and fsyncs; a third of the profile's examples keeps CI fast.
StoresAgainstAList.TestCase.settings = settings(
    settings(), max_examples=max(10, settings().max_examples // 3), stateful_step_count=15
)
test_stores_agree_with_a_list_model = StoresAgainstAList.TestCase


def test_convert_round_trip_is_byte_identical(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """file -> SQLite -> file gives the same bytes; convert verifies and refuses a non-empty destination."""
    from eurasia_events.cli import main
    from logkit import write_log_dir

    original = write_log_dir(tmp_path, 5)
    original.write_bytes(original.read_bytes().replace(b"\n", b"\r\n", 1))  # a CRLF record survives too
    assert main(["convert", str(original), str(tmp_path / "big.sqlite")]) == 0
    assert main(["convert", str(tmp_path / "big.sqlite"), str(tmp_path / "copy.jsonl")]) == 0
    assert (tmp_path / "copy.jsonl").read_bytes() == original.read_bytes()
    assert "5 records copied and verified" in capsys.readouterr().err
    assert main(["convert", str(original), str(tmp_path / "big.sqlite")]) == 1
    assert "already holds 5 records" in capsys.readouterr().err
    original.write_bytes(original.read_bytes().replace(b"Meeting 3", b"Meeting 9"))
    assert main(["convert", str(original), str(tmp_path / "bad.sqlite")]) == 1
    assert "log.jsonl:4" in capsys.readouterr().err
    assert not (tmp_path / "bad.sqlite").exists()
