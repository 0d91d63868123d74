"""Hostile and broken input, for the loader and for appends: each is refused with an error
that says where and what, and the log is left byte for byte as it was."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import eurasia_events as ee
from eurasia_events.cli import main
from logkit import RECORDED, forge_line, meeting, meeting_data, valid_lines, write_log_dir

E = ee.InvalidEventError

SUPPLY = {"type": "supply_contract", "id": "c-1", "date": "2014-05-21", "title": "Gas contract",
          "sources": [{"source": "seed-000", "quote": "q"}], "parties": ["RU", "CN"], "agreement": "a-1",
          "commodity": "pipeline_gas", "annual_volume": "38 bcm/yr"}
SANCTIONS = {"type": "sanctions_imposed", "id": "s-1", "date": "2014-07-31", "title": "Sanctions",
             "sources": [{"source": "seed-000", "quote": "q"}], "measure": "eu-2014", "imposer": "eu",
             "targets": ["RU"], "description": "Sectoral sanctions"}


def _line(obj: dict[str, Any]) -> bytes:
    return json.dumps(obj).encode() + b"\n"


def _without(obj: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k != key}


# name: (bytes of the input file, error type, words the message must hold)
APPEND_CORPUS: dict[str, tuple[bytes, type[Exception], list[str]]] = {
    "malformed JSON": (b'{"type": "meeting", "id": "m-1",,}\n', E, ["new.jsonl:1", "not valid JSON"]),
    "truncated line": (_line(meeting_data(1))[:60], E, ["new.jsonl:1", "not valid JSON"]),
    "wrong type of value": (_line(meeting_data(1, title=5)), E, ["new.jsonl:1", "'m-1'", "'title'", "text"]),
    "missing field": (_line(_without(meeting_data(1), "title")), E, ["new.jsonl:1", "'m-1'", "'title'", "missing"]),
    "unknown event type": (_line(meeting_data(1, type="sumit")), E, ["new.jsonl:1", "'m-1'", "'type'", "sumit"]),
    "unknown field": (_line(meeting_data(1, venue="Kremlin")), E, ["new.jsonl:1", "'m-1'", "'venue'"]),
    "unknown entity": (_line(meeting_data(1, parties=["RU", "atlantis"])), E,
                       ["new.jsonl:1", "'m-1'", "'parties'", "atlantis"]),
    "unknown source": (_line(meeting_data(1, sources=[{"source": "nowhere", "quote": "q"}])), E,
                       ["new.jsonl:1", "'m-1'", "'sources'", "nowhere"]),
    "month 13": (_line(meeting_data(1, date="2015-13")), E, ["new.jsonl:1", "'m-1'", "'date'", "2015-13"]),
    "30 February": (_line(meeting_data(1, date="2015-02-30")), E, ["new.jsonl:1", "'m-1'", "'date'", "30"]),
    "negative volume": (_line({**SUPPLY, "annual_volume": "-38 bcm/yr"}), E,
                        ["new.jsonl:1", "'c-1'", "'annual_volume'", "positive"]),
    "zero volume": (_line({**SUPPLY, "annual_volume": "0 bcm/yr"}), E,
                    ["new.jsonl:1", "'c-1'", "'annual_volume'", "positive"]),
    "end before start": (_line({**SANCTIONS, "until": "2013-01"}), E,
                         ["new.jsonl:1", "'s-1'", "'until'", "before it starts"]),
    "duplicate id in the file": (_line(meeting_data(7)) + _line(meeting_data(7)), E,
                                 ["new.jsonl:2", "'m-7'", "'id'", "duplicate"]),
    "id already in the log": (_line(meeting_data(0)), E, ["new.jsonl:1", "'m-0'", "'id'", "duplicate"]),
    "correction of an unknown id": (
        _line({"type": "correction", "id": "fix-1", "target": "m-99", "reason": "typo",
               "changes": {"title": "T"}}), E, ["new.jsonl:1", "'fix-1'", "'target'", "m-99"]),
    "correction making an event invalid": (
        _line({"type": "correction", "id": "fix-1", "target": "m-0", "reason": "typo",
               "changes": {"date": "2015-02-30"}}), E, ["new.jsonl:1", "'fix-1'", "'changes'"]),
    "non-UTF-8 bytes": (b'{"type": "meeting", "title": "\xff\xfe"}\n', E, ["new.jsonl:1", "UTF-8"]),
    "not an object": (b"[1, 2, 3]\n", E, ["new.jsonl:1", "'type'"]),
    "deeply nested JSON": (b'{"type": "meeting", "notes": ' + b"[" * 200_000 + b"]" * 200_000 + b"}\n", E,
                           ["new.jsonl:1", "nested too deeply"]),
    "NaN": (_line(meeting_data(1))[:-2] + b', "notes": NaN}\n', E, ["new.jsonl:1", "NaN"]),
    "Infinity": (_line(meeting_data(1))[:-2] + b', "notes": -Infinity}\n', E, ["new.jsonl:1", "Infinity"]),
    "50 MB line": (_line(meeting_data(1, notes="x" * 50_000_000)), ee.LogFormatError, ["record 2", "limit"]),
    "50 MB of garbage": (b"{" * 50_000_000 + b"\n", E, ["new.jsonl:1"]),
}

# Accepted on purpose: an editor's byte order mark and Windows line ends.
APPEND_ACCEPTED = {
    "BOM": b"\xef\xbb\xbf" + _line(meeting_data(1)),
    "CRLF line ends": _line(meeting_data(1)).replace(b"\n", b"\r\n") + _line(meeting_data(2)).replace(b"\n", b"\r\n"),
    "blank lines": b"\n" + _line(meeting_data(1)) + b"  \n",
}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A log folder with one record (m-0) and the bundled registries."""
    write_log_dir(tmp_path / "log", 1)
    return tmp_path / "log"


@pytest.mark.parametrize("name", list(APPEND_CORPUS))
def test_append_refuses_bad_input(name: str, folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`eurasia-events append FILE` and read_event_lines + Log.append refuse it; the log is unchanged."""
    data, error_type, words = APPEND_CORPUS[name]
    new = tmp_path / "new.jsonl"
    new.write_bytes(data)
    log_file = folder / "log.jsonl"
    before = log_file.read_bytes()
    assert main(["append", str(new), "--log", str(folder)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("eurasia-events: error: ")
    assert err.count("\n") == 1, "one line, no traceback"
    for word in words:
        assert word in err, f"{word!r} not in {err!r}"
    assert log_file.read_bytes() == before
    with pytest.raises(error_type):  # the library route gives the same error type
        _append_file(folder, new)
    assert log_file.read_bytes() == before


def _append_file(folder: Path, new: Path) -> None:
    log = ee.load(folder)
    found = ee.log.read_event_lines(new)
    events = [event for event, _ in found]
    log.validate_new(events, [where for _, where in found])
    log.append(events)


@pytest.mark.parametrize("name", list(APPEND_ACCEPTED))
def test_append_accepts_bom_and_crlf(name: str, folder: Path, tmp_path: Path) -> None:
    """A byte order mark, CRLF line ends and blank lines in the input are tolerated."""
    new = tmp_path / "new.jsonl"
    new.write_bytes(APPEND_ACCEPTED[name])
    assert main(["append", str(new), "--log", str(folder)]) == 0
    assert [r.event.id for r in ee.load(folder)][:2] == ["m-0", "m-1"]


def test_append_of_a_missing_file(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A missing input file is a one-line error naming it."""
    assert main(["append", str(folder / "nope.jsonl"), "--log", str(folder)]) == 1
    assert "nope.jsonl" in capsys.readouterr().err


def test_log_append_refuses_bad_batches(folder: Path) -> None:
    """Log.append: not an event, an oversized record, an unknown target; nothing is written."""
    log_file = folder / "log.jsonl"
    before = log_file.read_bytes()
    log = ee.load(folder)
    bad_batches: list[tuple[list[Any], type[Exception], str]] = [
        ([meeting(1), "not an event"], E, "expected an event, got str"),
        ([meeting(1), meeting(2, notes="x" * 2_000_000)], ee.LogFormatError, "over the limit"),
        ([ee.Retraction(id="r-1", target="m-5", reason="dup")], E, "no event 'm-5' to amend"),
        ([meeting(0)], E, "duplicate event id"),
    ]
    for batch, error_type, words in bad_batches:
        with pytest.raises(error_type, match=words):
            log.append(batch, recorded=RECORDED)
        assert log_file.read_bytes() == before
        assert len(log) == 1


# -- the loader: records whose hash verifies but whose content is bad -----------------------


def _forged(data: bytes | dict[str, Any], type_: str = "meeting") -> bytes:
    """A log of m-0 and then one forged record carrying ``data`` with a correct hash and link."""
    [first] = valid_lines(1)
    line, _ = forge_line(2, data, type_=type_, prev=first[-66:-2].decode())
    return first + b"\n" + line + b"\n"


def _event(obj: dict[str, Any]) -> dict[str, Any]:
    return _without(obj, "type")


LOAD_CORPUS: dict[str, tuple[bytes, type[Exception], list[str]]] = {
    "malformed JSON": (_forged(b'{"id": "m-1",,}'), ee.LogFormatError, ["log.jsonl:2", "not a JSON record"]),
    "truncated line": (b"".join(line + b"\n" for line in valid_lines(2))[:-40], ee.TornTailError,
                       ["log.jsonl:2", "incomplete", "repair"]),
    "edited without rehashing": (b"".join(line + b"\n" for line in valid_lines(2)).replace(b"Meeting 1", b"Meeting!"),
                                 ee.IntegrityError, ["log.jsonl:2", "does not match its hash"]),
    "wrong type of value": (_forged(_event(meeting_data(1, title=5))), E, ["log.jsonl:2", "'m-1'", "'title'"]),
    "missing field": (_forged(_without(_event(meeting_data(1)), "title")), E, ["log.jsonl:2", "'m-1'", "'title'"]),
    "unknown event type": (_forged(_event(meeting_data(1)), type_="sumit"), E, ["log.jsonl:2", "'m-1'", "'type'"]),
    "unknown entity": (_forged(_event(meeting_data(1, parties=["RU", "atlantis"]))), E,
                       ["log.jsonl:2", "'m-1'", "'parties'", "atlantis"]),
    "month 13": (_forged(_event(meeting_data(1, date="2015-13"))), E, ["log.jsonl:2", "'m-1'", "'date'"]),
    "30 February": (_forged(_event(meeting_data(1, date="2015-02-30"))), E, ["log.jsonl:2", "'m-1'", "'date'"]),
    "negative volume": (_forged(_event({**SUPPLY, "annual_volume": "-38 bcm/yr"}), "supply_contract"), E,
                        ["log.jsonl:2", "'c-1'", "'annual_volume'"]),
    "zero volume": (_forged(_event({**SUPPLY, "annual_volume": "0 bcm/yr"}), "supply_contract"), E,
                    ["log.jsonl:2", "'c-1'", "'annual_volume'"]),
    "end before start": (_forged(_event({**SANCTIONS, "until": "2013-01"}), "sanctions_imposed"), E,
                         ["log.jsonl:2", "'s-1'", "'until'"]),
    "non-UTF-8 bytes": (_forged(b'{"id": "m-1", "title": "\xff"}'), ee.LogFormatError, ["log.jsonl:2", "UTF-8"]),
    "NaN": (_forged(b'{"id": "m-1", "notes": NaN}'), ee.LogFormatError, ["log.jsonl:2", "NaN"]),
    "Infinity": (_forged(b'{"id": "m-1", "notes": Infinity}'), ee.LogFormatError, ["log.jsonl:2", "Infinity"]),
    "deeply nested JSON": (_forged(b"[" * 200_000 + b"]" * 200_000), ee.LogFormatError,
                           ["log.jsonl:2", "nested too deeply"]),
    "50 MB line": (_forged(_event(meeting_data(1, notes="x" * 50_000_000))), ee.LogFormatError,
                   ["log.jsonl:2", "limit"]),
    "a lone CR before the newline only": (b"".join(line + b"\r\r\n" for line in valid_lines(1)), ee.IntegrityError,
                                          ["log.jsonl:1"]),
}

# Once bugs of log.Log._ingest (duplicate ids, amendments of unknown events), now fixed.
LOAD_BUGS = {
    "duplicate id": (_forged(_event(meeting_data(0))), E, ["log.jsonl:2", "'m-0'", "'id'"]),
    "correction of an unknown id": (
        _forged({"id": "fix-1", "target": "m-99", "reason": "typo", "changes": {"title": "T"}}, "correction"), E,
        ["log.jsonl:2", "'fix-1'", "'target'"]),
}


def _read(path: Path) -> None:
    ee.load(path).events()  # resolving amendments is part of reading


def _check_load(tmp_path: Path, data: bytes, error_type: type[Exception], words: list[str]) -> None:
    path = write_log_dir(tmp_path, 0)
    path.write_bytes(data)
    with pytest.raises(error_type) as caught:
        _read(tmp_path)
    for word in words:
        assert word in str(caught.value), f"{word!r} not in {caught.value}"
    assert path.read_bytes() == data


@pytest.mark.parametrize("name", list(LOAD_CORPUS))
def test_load_refuses_bad_records(name: str, tmp_path: Path) -> None:
    """load() raises the library's error naming file:line, event id and field; the log is unchanged."""
    _check_load(tmp_path, *LOAD_CORPUS[name])


@pytest.mark.parametrize("name", list(LOAD_BUGS))
def test_load_refuses_bad_records_known_bugs(name: str, tmp_path: Path) -> None:
    """load() refuses a duplicate id and an amendment of an unknown event."""
    _check_load(tmp_path, *LOAD_BUGS[name])


@pytest.mark.parametrize("variant", ["BOM", "CRLF"])
def test_load_tolerates_bom_and_crlf(variant: str, tmp_path: Path) -> None:
    """A byte order mark or CRLF line ends (an editor's doing) do not stop the log from loading."""
    path = write_log_dir(tmp_path, 3)
    data = path.read_bytes()
    path.write_bytes(b"\xef\xbb\xbf" + data if variant == "BOM" else data.replace(b"\n", b"\r\n"))
    assert len(ee.load(tmp_path)) == 3


# -- fuzzing: only the library's own errors escape ---------------------------------------

VALID = b"".join(line + b"\n" for line in valid_lines(3))


@st.composite
def mutated_logs(draw: st.DrawFn) -> bytes:
    """A valid three-record log with a few random byte edits, deletions, insertions or line swaps."""
    data = bytearray(VALID)
    for _ in range(draw(st.integers(1, 4))):
        how = draw(st.sampled_from(["flip", "delete", "insert", "swap", "truncate"]))
        at = draw(st.integers(0, len(data) - 1)) if data else 0
        if how == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif how == "delete":
            del data[at: at + draw(st.integers(1, 40))]
        elif how == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=20))
        elif how == "swap":
            lines = bytes(data).split(b"\n")
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            data = bytearray(b"\n".join(lines))
        else:
            del data[at:]
    return bytes(data)


def _fuzz_load(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "log.jsonl"
    path.write_bytes(data)
    with contextlib.suppress(ee.EurasiaEventsError):
        _read(path)
    assert path.read_bytes() == data


@given(st.binary(max_size=400))
@example(b"\n")
@example(b"\xef\xbb\xbf")
@example(b"{}\n")
@example(b"\xff\n")
def test_random_bytes_as_a_log(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    """Random bytes given as a log: load() succeeds or raises a EurasiaEventsError, nothing else."""
    _fuzz_load(tmp_path_factory.mktemp("fuzz"), data)


@given(mutated_logs())
def test_mutated_logs(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    """A valid log with random damage: load() succeeds or raises a EurasiaEventsError, nothing else."""
    _fuzz_load(tmp_path_factory.mktemp("fuzz"), data)


INPUT = b"".join(_line(meeting_data(n)) for n in (5, 6))


@given(st.one_of(st.binary(max_size=300), st.builds(lambda cut, junk: INPUT[:cut] + junk + INPUT[cut:],
                                                     st.integers(0, len(INPUT)), st.binary(max_size=8))))
def test_random_input_to_append(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    """Random or damaged input to `append`: exit 0 (all appended) or 1 (nothing appended), never a crash."""
    folder = tmp_path_factory.mktemp("fuzz")
    write_log_dir(folder, 1)
    log_file = folder / "log.jsonl"
    before = log_file.read_bytes()
    new = folder / "new.jsonl"
    new.write_bytes(data)
    status = main(["append", str(new), "--log", str(folder)])
    assert status in (0, 1)
    after = log_file.read_bytes()
    if status == 1:
        assert after == before
    else:
        assert after.startswith(before)
        assert len(ee.load(folder)) >= 1
