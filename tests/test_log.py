"""The append-only log: verified loading, all-or-nothing appends, amendments, upcasting."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import eurasia_events as ee
from eurasia_events.codec import GENESIS
from logkit import forge_line, write_log_dir

CITE = [{"source": "seed-004", "quote": "Russia became China's largest oil source country for the first time in 2016."}]


def meeting(event_id: str, date: str = "2016-06-25", **extra) -> ee.Meeting:
    return ee.Meeting(id=event_id, date=date, title=f"meeting {event_id}", sources=CITE, kind="summit",
                      parties=["RU", "CN"], **extra)


def small_log(folder: Path, n: int = 5) -> Path:
    log = ee.load(folder, create=True)
    log.append([meeting(f"m{i}", f"201{i}-01-0{i + 1}") for i in range(n)], recorded="2026-01-01T00:00:00Z")
    return folder / "log.jsonl"


def test_bundled_log_loads_and_verifies() -> None:
    """load() with no argument finds and verifies the bundled curated log."""
    log = ee.load()
    assert len(log) > 100
    assert all(record.seq == index + 1 for index, record in enumerate(log))
    assert log.get("2014-05-21-pos-gas-contract").TYPE == "supply_contract"


def test_append_then_reload_gives_the_same_records(empty_log_dir: Path) -> None:
    """What was appended is what a fresh load reads, hashes and instants included."""
    path = small_log(empty_log_dir)
    first = list(ee.load(empty_log_dir))
    again = list(ee.load(path))
    assert first == again
    assert [r.event.id for r in again] == [f"m{i}" for i in range(5)]
    assert str(again[0].recorded) == "2026-01-01T00:00:00.000000Z"


def test_load_never_writes(empty_log_dir: Path) -> None:
    """Reading is not writing: the file's bytes and mtime are unchanged by load()."""
    path = small_log(empty_log_dir)
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    ee.load(empty_log_dir).as_of("2020-01-01").summary()
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


@settings(max_examples=80)
@given(st.data())
def test_any_single_byte_change_to_a_past_record_is_detected(tmp_path_factory: pytest.TempPathFactory,
                                                             data: st.DataObject) -> None:
    """Changing any one byte of any record except the last makes load() fail."""
    folder = tmp_path_factory.mktemp("log")
    for name in ("entities.json", "sources.json"):
        (folder / name).write_bytes((ee.bundled_path() / name).read_bytes())
    path = small_log(folder, 4)
    raw = bytearray(path.read_bytes())
    last_start = raw.rstrip(b"\n").rfind(b"\n") + 1
    offset = data.draw(st.integers(0, last_start - 1), label="offset")
    new = data.draw(st.integers(0, 255).filter(lambda b: b != raw[offset]), label="byte")
    raw[offset] = new
    path.write_bytes(bytes(raw))
    with pytest.raises(ee.EurasiaEventsError):
        ee.load(folder)


@pytest.mark.parametrize(("damage", "line"), [("delete", 2), ("swap", 2), ("insert", 3), ("edit", 2)])
def test_tampering_names_file_and_line(empty_log_dir: Path, damage: str, line: int) -> None:
    """Deleted, reordered, inserted or edited past lines raise IntegrityError naming file and line."""
    path = small_log(empty_log_dir)
    lines = path.read_bytes().splitlines(keepends=True)
    if damage == "delete":
        del lines[1]
    elif damage == "swap":
        lines[1], lines[2] = lines[2], lines[1]
    elif damage == "insert":
        lines.insert(2, lines[0])
    else:
        lines[1] = lines[1].replace(b"meeting m1", b"meeting M1")
    path.write_bytes(b"".join(lines))
    with pytest.raises(ee.IntegrityError, match=rf"{path}:{line}\b"):
        ee.load(empty_log_dir)


def test_torn_tail_is_reported_not_dropped(empty_log_dir: Path) -> None:
    """A crash mid-write (no final newline) raises TornTailError; the file is left as it was."""
    path = small_log(empty_log_dir)
    torn = path.read_bytes()[:-40]
    path.write_bytes(torn)
    with pytest.raises(ee.TornTailError, match="repair"):
        ee.load(empty_log_dir)
    assert path.read_bytes() == torn


def test_all_or_nothing(empty_log_dir: Path) -> None:
    """If one event of a batch is invalid, none is written."""
    path = small_log(empty_log_dir)
    before = path.read_bytes()
    log = ee.load(empty_log_dir)
    bad = ee.Meeting(id="bad", date="2016", title="t", sources=CITE, kind="summit", parties=["XX"])
    with pytest.raises(ee.InvalidEventError, match="unknown entity 'XX'") as caught:
        log.append([meeting("good"), bad])
    assert (caught.value.event_id, caught.value.field) == ("bad", "parties")
    assert path.read_bytes() == before
    assert len(log) == 5


def test_duplicate_ids_are_refused(empty_log_dir: Path) -> None:
    """An id already in the log, or twice in one batch, is refused."""
    small_log(empty_log_dir)
    log = ee.load(empty_log_dir)
    with pytest.raises(ee.InvalidEventError, match="duplicate"):
        log.append([meeting("m1")])
    with pytest.raises(ee.InvalidEventError, match="duplicate"):
        log.append([meeting("x"), meeting("x")])


def test_stale_expected_last_seq(empty_log_dir: Path) -> None:
    """A writer that read seq 5 loses to one that appended first: ConcurrencyError, nothing written."""
    small_log(empty_log_dir)
    mine, theirs = ee.load(empty_log_dir), ee.load(empty_log_dir)
    theirs.append([meeting("theirs")], expected_last_seq=5)
    with pytest.raises(ee.ConcurrencyError, match="expected last record 5"):
        mine.append([meeting("mine")], expected_last_seq=5)
    assert [r.event.id for r in ee.load(empty_log_dir)][-1] == "theirs"


def test_unknown_source_is_refused(memory_log: ee.Log) -> None:
    """A citation must name a registered source."""
    event = ee.Meeting(id="m", date="2016", title="t", sources=[{"source": "nowhere", "quote": "q"}], kind="talks")
    with pytest.raises(ee.InvalidEventError, match="unknown source 'nowhere'"):
        memory_log.append([event])


def test_corrections_and_retractions_respect_known_at(memory_log: ee.Log) -> None:
    """A correction replaces fields from when it was recorded; a retraction hides from then on."""
    memory_log.append([meeting("m", "2016-06-25")], recorded="2026-01-01T00:00:00Z")
    memory_log.append([ee.Correction(id="fix", target="m", reason="wrong day", changes={"date": "2016-06-26"})],
                      recorded="2026-02-01T00:00:00Z")
    assert str(memory_log.get("m").date) == "2016-06-26"
    assert str(memory_log.get("m", known_at="2026-01-15T00:00:00Z").date) == "2016-06-25"
    memory_log.append([ee.Retraction(id="gone", target="m", reason="never happened")],
                      recorded="2026-03-01T00:00:00Z")
    with pytest.raises(ee.UnknownEventError, match="retracted"):
        memory_log.get("m")
    assert [e.id for e in memory_log.events(known_at="2026-02-15")] == ["m"]
    assert [r.event.id for r in memory_log.history("m")] == ["m", "fix", "gone"]


def test_amendments_are_validated(memory_log: ee.Log) -> None:
    """A correction of an unknown id, or one that makes its target invalid, is refused."""
    memory_log.append([meeting("m")])
    with pytest.raises(ee.InvalidEventError, match="no event 'nope'") as caught:
        memory_log.append([ee.Correction(id="c", target="nope", reason="r", changes={"title": "x"})])
    assert caught.value.field == "target"
    with pytest.raises(ee.InvalidEventError, match="makes 'm' invalid"):
        memory_log.append([ee.Correction(id="c", target="m", reason="r", changes={"date": "2016-13"})])
    with pytest.raises(ee.InvalidEventError, match="cannot change 'id'"):
        ee.Correction(id="c", target="m", reason="r", changes={"id": "other"})


def _schema0_line(seq: int, prev: str) -> tuple[bytes, str]:
    # An old-format record: type "summit" with the venue in "place".
    data = {"id": "old", "date": "2014-05-20", "title": "old record", "sources": CITE, "place": "Shanghai"}
    body = (f'{{"seq":{seq},"recorded":"2020-01-01T00:00:00.000000Z","schema":0,"type":"summit",'
            f'"prev":"{prev}","data":{json.dumps(data, separators=(",", ":"))}')
    digest = hashlib.sha256((body + "}").encode()).hexdigest()
    return (body + f',"hash":"{digest}"}}\n').encode(), digest


def test_old_records_are_upcast_on_read(empty_log_dir: Path) -> None:
    """A schema-0 record is upgraded by a registered upcaster; the file is never rewritten."""
    line, _ = _schema0_line(1, GENESIS)
    (empty_log_dir / "log.jsonl").write_bytes(line)

    def summit_to_meeting(type_: str, data: dict) -> tuple[str, dict]:
        if type_ == "summit":
            data = dict(data, kind="summit", location=data.pop("place"))
            return "meeting", data
        return type_, data

    with pytest.raises(ee.LogFormatError, match="no upcaster from schema 0"):
        ee.load(empty_log_dir)
    log = ee.load(empty_log_dir, upcasters={0: summit_to_meeting})
    event = log.get("old")
    assert isinstance(event, ee.Meeting)
    assert event.location == "Shanghai"
    assert log[0].schema == 0
    assert (empty_log_dir / "log.jsonl").read_bytes() == line
    log.append([meeting("new")])
    assert ee.load(empty_log_dir, upcasters={0: summit_to_meeting})[1].schema == 1


def test_a_record_rewritten_after_loading_is_refused_when_built(tmp_path: Path) -> None:
    """Full events are built from the stored bytes; a record rewritten after the log was read
    (even with its own hash recomputed) is refused, not served."""
    path = write_log_dir(tmp_path, 3)
    log = ee.load(tmp_path)
    lines = path.read_bytes().splitlines()
    data = json.loads(lines[1])
    data["data"]["title"] = "Rewritten"
    forged, _ = forge_line(2, data["data"], prev=data["prev"], recorded=data["recorded"])
    path.write_bytes(b"\n".join([lines[0], forged, lines[2]]) + b"\n")
    with pytest.raises(ee.IntegrityError, match=r"log.jsonl:2: the record changed since the log was read"):
        log.get("m-1")
    assert log.get("m-0").title == "Meeting 0"  # the others still build


def test_verify_builds_every_record_and_event(tmp_path: Path) -> None:
    write_log_dir(tmp_path, 3)
    log = ee.load(tmp_path)
    assert log.verify() == 3
    assert [record.event.id for record in log] == ["m-0", "m-1", "m-2"]


def test_append_gives_each_record_its_own_recorded_instant(empty_log_dir: Path) -> None:
    """recorded= one instant per event gives each record its own (kept on reload); another count of
    instants than of events, or one that is not an instant, is refused and nothing is written."""
    log = ee.load(empty_log_dir)
    instants = ["2024-03-01T12:00:00Z", "2015-05-08T00:00:00Z", "2020-01-01T00:00:00.5Z"]
    log.append([meeting("a"), meeting("b"), meeting("c")], recorded=instants)
    want = [ee.to_instant(text) for text in instants]
    assert [r.recorded for r in log] == [r.recorded for r in ee.load(empty_log_dir)] == want
    with pytest.raises(ee.InvalidEventError, match="recorded: 1 instants for 2 events"):
        log.append([meeting("d"), meeting("e")], recorded=["2026-01-01T00:00:00Z"])
    with pytest.raises(ee.InvalidEventError, match="event 'e', field 'recorded'"):
        log.append([meeting("d"), meeting("e")], recorded=["2026-01-01T00:00:00Z", "not an instant"])
    assert len(ee.load(empty_log_dir)) == 3


def test_known_at_follows_recorded_times_out_of_log_order(memory_log: ee.Log) -> None:
    """Records recorded before the records ahead of them in the log (imported with the dataset's
    dates) are known from their own recorded times, corrections and retractions included."""
    memory_log.append([meeting("late", "2016-01-01")], recorded="2024-01-01T00:00:00Z")
    memory_log.append([meeting("early", "2016-01-02"), meeting("gone", "2016-01-03"),
                       ee.Correction(id="fix", target="early", reason="r", changes={"title": "early, fixed"}),
                       ee.Retraction(id="drop", target="gone", reason="r"),
                       ee.Correction(id="fix-late", target="late", reason="r", changes={"title": "late, fixed"})],
                      recorded=["2015-01-01T00:00:00Z", "2015-06-01T00:00:00Z", "2017-01-01T00:00:00Z",
                                "2018-01-01T00:00:00Z", "2025-01-01T00:00:00Z"])

    def model(known_at: ee.Instant) -> dict[str, str]:
        """Every record made by known_at, replayed in log order."""
        titles: dict[str, str] = {}
        for record in memory_log:
            event = record.event
            if record.recorded > known_at:
                continue
            if isinstance(event, ee.Correction):
                titles[event.target] = dict(event.changes)["title"]
            elif isinstance(event, ee.Retraction):
                del titles[event.target]
            else:
                titles[event.id] = event.title
        return titles

    for text in ("2014-12-31", "2015-03-01", "2015-07-01", "2017-06-01", "2018-06-01", "2024-06-01", "2025-06-01"):
        known_at = ee.to_instant(text)
        assert {e.id: e.title for e in memory_log.events(known_at)} == model(known_at), text
        assert [r.event.id for r in memory_log.records_until(known_at)] == \
            [r.event.id for r in memory_log if r.recorded <= known_at]
    assert [e.title for e in memory_log.events("2015-07-01")] == ["meeting early", "meeting gone"]
    assert [row.type for row in memory_log.history("early")] == ["meeting", "correction"]


def test_an_amendment_recorded_before_what_it_amends_is_refused(memory_log: ee.Log) -> None:
    """A correction or retraction recorded before its target (or the target's last correction) is
    refused, in the log or in the same batch; nothing is written."""
    memory_log.append([meeting("a")], recorded="2024-01-01T00:00:00Z")
    with pytest.raises(ee.InvalidEventError, match=r"event 'fix', field 'recorded'.*before 'a'"):
        memory_log.append([ee.Correction(id="fix", target="a", reason="r", changes={"title": "x"})],
                          recorded="2023-12-31T00:00:00Z")
    with pytest.raises(ee.InvalidEventError, match=r"event 'drop', field 'recorded'"):
        memory_log.append([ee.Correction(id="fix", target="a", reason="r", changes={"title": "x"}),
                           ee.Retraction(id="drop", target="a", reason="r")],
                          recorded=["2025-01-01T00:00:00Z", "2024-06-01T00:00:00Z"])
    assert len(memory_log) == 1
    memory_log.append([meeting("b"), ee.Retraction(id="drop-b", target="b", reason="r")],
                      recorded="2024-01-01T00:00:00Z")  # the same instant is not before
    assert len(memory_log) == 3


def test_the_collector_is_frozen_only_when_the_user_opts_in(tmp_path: Path) -> None:
    """Loading and querying 12,000 events leaves the process's collector as it was (no
    ``gc.freeze``, enabled again) unless ``load(freeze_gc=True)`` asks for it (issue 13)."""
    import subprocess
    import sys

    from logkit import copy_registries, meeting, new_log

    copy_registries(tmp_path)
    new_log(ee.FileStore(tmp_path / "log.jsonl")).append([meeting(n) for n in range(12_000)])
    script = ("import gc, sys, eurasia_events as ee\n"
              "log = ee.load(sys.argv[1], freeze_gc=sys.argv[2] == 'yes')\n"
              "log.as_of('2030-01-01').summary()\n"
              "print(gc.get_freeze_count() > 0, gc.isenabled())\n")
    for opt_in, expected in (("no", "False True"), ("yes", "True True")):
        result = subprocess.run([sys.executable, "-c", script, str(tmp_path), opt_in],
                                capture_output=True, text=True, timeout=300, check=True)
        assert result.stdout.strip() == expected, (opt_in, result.stdout, result.stderr)
