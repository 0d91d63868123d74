"""Structured fuzzing of stored records: each record carries a *valid* hash and link around
hostile fields (wrong types, huge values, odd Unicode, deep nesting, missing or extra
envelope keys, a bad ``type``, extreme ``recorded`` instants), so the fuzz gets past the hash
check to the parser and the event checks. Only library errors (``EurasiaEventsError``) may
come out of ``load()``, ``Log.verify()`` and the ``validate`` and ``show`` commands.

The suite runs a short pass. The thorough run (at least 100,000 records) is
``python bench/fuzz_records.py`` (see docs/reliability.md).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import eurasia_events as ee
from eurasia_events.cli import main
from logkit import BUNDLED, RECORDED, meeting_data, valid_lines

REGISTRIES = (ee.EntityRegistry.from_file(BUNDLED / "entities.json"),
              ee.SourceRegistry.from_file(BUNDLED / "sources.json"))
PREFIX = valid_lines(1)  # one valid record, m-0, that amendments may target
PREFIX_HASH: str = json.loads(PREFIX[0])["hash"]
ENVELOPE = ("seq", "recorded", "schema", "type", "prev", "data")

SAMPLES: list[dict[str, Any]] = [
    meeting_data(1),
    {"type": "supply_contract", "id": "c-1", "date": "2014-05-21", "title": "Gas contract",
     "sources": [{"source": "seed-000", "quote": "q"}], "parties": ["RU", "CN"], "agreement": "a-1",
     "commodity": "pipeline_gas", "annual_volume": "38 bcm/yr"},
    {"type": "sanctions_imposed", "id": "s-1", "date": "2014-07-31", "title": "Sanctions",
     "sources": [{"source": "seed-000", "quote": "q"}], "measure": "eu-2014", "imposer": "eu",
     "targets": ["RU"], "description": "Sectoral sanctions"},
    {"type": "correction", "id": "fix-1", "target": "m-0", "reason": "typo", "changes": {"title": "T"}},
    {"type": "retraction", "id": "ret-1", "target": "m-0", "reason": "wrong"},
]
FIELD_NAMES = sorted({key for sample in SAMPLES for key in sample} | {"disputes", "notes", "status", "until"})

ODD_TEXT = ["", " ", "\x00", "\u202e-1", "\ufeff", "e\u0301", "\ud800", "\udfff", "m-\uff11", "\U0001d426-1",
            "\u0000\u0085\u2028", "2014-05-21\u200b", "１９９９-01-01", "38 bcm/yr\u00a0", "NaN", "Infinity"]
BIG_INTS = [2**31, 2**63 - 1, 2**63, -(2**63) - 1, 2**64, 10**100, -(10**400), 0, -1]
INSTANTS = ["0001-01-01T00:00:00+14:00", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z",
            "9999-12-31T23:59:59-23:59", "2026-01-01T00:00:00", "2026-13-01T00:00:00Z", "2026-01-01",
            "+12026-01-01T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T00:00:00+24:00", "2026-W01-1T00:00Z",
            "\u0662\u0660\u0662\u0666-01-01T00:00:00Z", RECORDED]


class Deep:
    """JSON nested ``depth`` levels deep, written out only in the line (a short repr keeps
    hypothesis from recursing when it prints a failing example)."""

    def __init__(self, depth: int) -> None:
        self.depth = depth

    def __repr__(self) -> str:
        return f"Deep({self.depth})"


_DEEP = re.compile(r'"@deep(\d+)@"')


def _dumps(value: Any, ascii_only: bool) -> str:
    text = json.dumps(value, ensure_ascii=ascii_only, default=lambda deep: f"@deep{deep.depth}@")
    return _DEEP.sub(lambda m: '[{"k":' * int(m[1]) + "0" + "}]" * int(m[1]), text)


leaves = (st.none() | st.booleans() | st.integers() | st.sampled_from(BIG_INTS)
          | st.floats(allow_nan=False, allow_infinity=False) | st.sampled_from(ODD_TEXT)
          | st.text(max_size=20) | st.sampled_from(INSTANTS))
hostile = st.one_of(
    st.recursive(leaves, lambda inner: st.lists(inner, max_size=4)
                 | st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=4), inner, max_size=4),
                 max_leaves=12),
    st.builds(Deep, st.integers(1, 3000)),
    st.integers(1, 1_100_000).map(lambda n: "x" * n),  # up to past the line limit
)
recorded_texts = st.sampled_from(INSTANTS) | st.datetimes().map(lambda d: d.isoformat() + "Z") | st.text(max_size=40)


@st.composite
def hostile_records(draw: st.DrawFn) -> dict[str, Any]:
    """A record's envelope (without its hash) around event data, with one to three hostile changes."""
    sample = dict(draw(st.sampled_from(SAMPLES)))
    type_ = sample.pop("type")
    record: dict[str, Any] = {"seq": 2, "recorded": RECORDED, "schema": 1, "type": type_, "prev": PREFIX_HASH,
                              "data": sample}
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from(["field", "field", "drop field", "envelope", "drop key", "extra key",
                                      "type", "recorded"]))
        data = record.get("data")
        if where == "field" and isinstance(data, dict):
            data[draw(st.sampled_from(FIELD_NAMES))] = draw(hostile)
        elif where == "drop field" and isinstance(data, dict) and data:
            del data[draw(st.sampled_from(sorted(data)))]
        elif where == "envelope":
            record[draw(st.sampled_from(ENVELOPE))] = draw(hostile)
        elif where == "drop key" and record:
            del record[draw(st.sampled_from(sorted(record)))]
        elif where == "extra key":
            record[draw(st.sampled_from(["hash", "extra", "Seq", "data\u0000"]))] = draw(hostile)
        elif where == "type":
            record["type"] = draw(st.sampled_from(["meeting", "correction", "retraction", "Meeting", "", "x" * 1000])
                                  | hostile)
        elif where == "recorded":
            record["recorded"] = draw(recorded_texts)
    return record


def hashed_line(record: dict[str, Any], *, ascii_only: bool = True) -> bytes:
    """The record as one stored line with a correct ``hash``, computed as codec.encode_record does:
    SHA-256 of the line's bytes up to ``,"hash"`` followed by ``}``."""
    body = "{" + ",".join(f"{json.dumps(key)}:{_dumps(value, ascii_only)}"
                          for key, value in record.items())
    raw = body.encode("utf-8", "surrogatepass")  # a lone surrogate becomes bytes that are not UTF-8
    digest = hashlib.sha256(raw + b"}").hexdigest()
    return raw + f',"hash":"{digest}"}}'.encode()


def check_in_memory(lines: list[bytes]) -> bool:
    """Read a log of these lines and verify it: True if it verified, False if refused with a library error.

    Anything else (a builtin exception) propagates and fails the test.
    """
    entities, sources = REGISTRIES
    try:
        log = ee.Log(ee.MemoryStore(lines), entities=entities, sources=sources)
        log.verify()
        for record in log:
            str(record.recorded)  # every reader that shows a record prints its instant
        log.check_head(log.head)
    except ee.EurasiaEventsError:
        return False
    return True


def check_cli(folder: Path, event_id: str) -> None:
    """``validate`` and ``show`` on the log in ``folder``: exit 0, or exit 1 with one line on stderr."""
    for args in (["validate"], ["show", event_id]):
        out_bytes = io.BytesIO()
        out = io.TextIOWrapper(out_bytes, encoding="utf-8")  # strict, as a real UTF-8 stdout is
        err = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main(["--log", str(folder), *args])
            out.flush()
        assert status in (0, 1), (args, status, err.getvalue())
        if status == 1:
            message = err.getvalue()
            assert message.startswith("eurasia-events: error: "), message
            assert message.count("\n") == 1, message


def _load(folder: Path) -> bool:
    try:
        ee.load(folder).verify()
    except ee.EurasiaEventsError:
        return False
    return True


def fuzz_files(tmp_path_factory: pytest.TempPathFactory, records: list[dict[str, Any]], ascii_only: bool) -> None:
    """Hostile records chained after a valid one, as a log file: load(), verify(), validate and show."""
    lines = list(PREFIX)
    for record in records:
        record = dict(record)
        if "seq" in record and record["seq"] == 2:
            record["seq"] = len(lines) + 1  # keep the chain whole, so the checks behind it are reached
        if record.get("prev") == PREFIX_HASH:
            record["prev"] = lines[-1][-66:-2].decode()  # the hash that ends the previous line
        lines.append(hashed_line(record, ascii_only=ascii_only))
    verified = check_in_memory(lines)
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "log.jsonl").write_bytes(b"".join(line + b"\n" for line in lines))
    assert _load(folder) == verified  # the file store reads what the memory store reads
    data = records[0].get("data")
    event_id = data.get("id") if isinstance(data, dict) and isinstance(data.get("id"), str) else "m-0"
    check_cli(folder, event_id)


FUZZED = {"records": 0, "verified": 0}


def fuzz_memory(records: list[dict[str, Any]], ascii_only: bool) -> None:
    """Each hostile record after a valid one, read from memory, counted in ``FUZZED``."""
    for record in records:
        FUZZED["records"] += 1
        FUZZED["verified"] += check_in_memory([*PREFIX, hashed_line(record, ascii_only=ascii_only)])


FEW_RECORDS = st.lists(hostile_records(), min_size=1, max_size=3)
MANY_RECORDS = st.lists(hostile_records(), min_size=1, max_size=20)


@given(records=FEW_RECORDS, ascii_only=st.booleans())
@example(records=[{"seq": 2, "recorded": RECORDED, "schema": 1, "type": ["meeting"], "prev": PREFIX_HASH,
                   "data": {k: v for k, v in meeting_data(1).items() if k != "type"}}], ascii_only=True)
@example(records=[{"seq": 2, "recorded": "0001-01-01T00:00:00+14:00", "schema": 1, "type": "meeting",
                   "prev": PREFIX_HASH, "data": {k: v for k, v in meeting_data(1).items() if k != "type"}}],
         ascii_only=True)
def test_hostile_records_give_only_library_errors(tmp_path_factory: pytest.TempPathFactory,
                                                  records: list[dict[str, Any]], ascii_only: bool) -> None:
    """Records with valid hashes and hostile fields: load(), verify(), validate and show give only library errors."""
    fuzz_files(tmp_path_factory, records, ascii_only)


@given(records=MANY_RECORDS, ascii_only=st.booleans())
def test_many_hostile_records_in_memory(records: list[dict[str, Any]], ascii_only: bool) -> None:
    """Each hostile record after a valid one, read from memory: it verifies or gives a library error."""
    fuzz_memory(records, ascii_only)
