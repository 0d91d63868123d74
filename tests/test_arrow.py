"""Arrow tables of views and of the log, the Parquet export, and the ``arrow`` extra's absence."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import attrs
import pytest

import eurasia_events as ee
from eurasia_events.arrow import event_columns, write_parquet
from eurasia_events.cli import main
from eurasia_events.events import EVENT_TYPES, _date, _entities, _flag, _number, _quantity, _text

pa = pytest.importorskip("pyarrow", reason="pyarrow is missing: pip install -e '.[test]' (the arrow extra)")
pq = pytest.importorskip("pyarrow.parquet")
duckdb = pytest.importorskip("duckdb", reason="duckdb is missing: pip install -e '.[test]'")

BUNDLED = ee.bundled_path()
UTC = dt.UTC
OPEN = (dt.date.min, dt.date.max)
ICEWS: dict[str, Any] = {"id": "icews", "title": "ICEWS Coded Event Data", "publisher": "Harvard Dataverse",
                         "kind": "dataset", "version": "V30", "address": "https://doi.org/10.7910/DVN/28075"}


@pytest.fixture(scope="module")
def log() -> ee.Log:
    return ee.load()


# --- the reference: written out here, not read from the library's typing code --------------


def day_bounds(text: str) -> tuple[dt.date | None, dt.date | None]:
    """The first and last possible days of a view's date text (EDTF, or a range ``A..B``); None when open."""
    if "/" not in text and ".." in text:
        left, _sep, right = text.partition("..")
        first = ee.PartialDate.parse(left).earliest if left else None
        last = ee.PartialDate.parse(right).latest if right else None
    else:
        date = ee.PartialDate.parse(text)
        first, last = date.earliest, date.latest
    return (None if first is None or first in OPEN else dt.date(first.year, first.month, first.day),
            None if last is None or last in OPEN else dt.date(last.year, last.month, last.day))


def ordinal_day(ordinal: int) -> dt.date | None:
    day = dt.date.fromordinal(ordinal)
    return None if day in OPEN else day


def moment(instant: ee.Instant | None) -> dt.datetime | None:
    return None if instant is None else dt.datetime(1970, 1, 1, tzinfo=UTC) + dt.timedelta(microseconds=instant.micros)


def expected_cells(name: str, value: Any, kind: str) -> dict[str, Any]:
    """The Arrow columns (name to Python value) one cell of a kind should give."""
    if kind == "date":
        first, last = (None, None) if value is None else day_bounds(str(value))
        return {name: None if value is None else str(value), f"{name}_earliest": first, f"{name}_latest": last}
    if kind == "quantity":
        return {f"{name}_value": None if value is None else float(value.value),
                f"{name}_unit": None if value is None else value.unit,
                f"{name}_bound": (value.bound or None) if value is not None else None}
    if kind == "count":
        return {f"{name}_certain": None if value is None else value.certain,
                f"{name}_possible": None if value is None else value.possible}
    if kind == "day":
        return {name: dt.date.fromisoformat(value)}
    if isinstance(value, ee.Instant):
        return {name: moment(value)}
    if isinstance(value, tuple):
        return {name: list(value)}
    if isinstance(value, Decimal):
        return {name: float(value)}
    return {name: value}


def same(read: Any, built: Any) -> bool:
    """A table read back from Parquet equals the one written, values, types and the schema's metadata
    (a list's item is named ``element`` in Parquet, ``item`` in Arrow: the names are not compared)."""
    return bool(read.equals(built)) and read.schema.metadata == built.schema.metadata


def cell_kind(table: Any, name: str, value: Any) -> str:
    """How the table spread a view's column (the reference checks the values, the schema test the spreading)."""
    names = table.column_names
    if f"{name}_value" in names:
        return "quantity"
    if f"{name}_certain" in names:
        return "count"
    if f"{name}_earliest" in names:
        return "date"
    if name == "day":
        return "day"
    return "plain"


# --- views -----------------------------------------------------------------------------------


def views(log: ee.Log) -> dict[str, ee.View[Any]]:
    """Views of every shape on the bundled log: dates, ranges, quantities, lists, counts, instants."""
    return {
        "members": log.as_of("2015-08-10").members("eaeu"),
        "agreements": log.as_of("2020-01-01").agreements(),
        "volumes": log.as_of("2020-01-01").volumes(),
        "supply": log.as_of("2024-01-01").supply(),
        "sanctions": log.as_of("2024-06-01").sanctions(),
        "projects": log.as_of("2020-01-01").projects(),
        "finance": log.as_of("2020-01-01").finance(),
        "trade": log.as_of("2024-01-01").trade(),
        "meetings": log.as_of("2020-01-01").meetings(),
        "policies": log.as_of("2026-01-01").policies(),
        "summary": log.as_of("2020-01-01").summary(),
        "timeline": log.timeline(),
        "between": log.between("2015", "2015"),
        "series-gas": log.series("gas", "2010-01-01", "2030-01-01"),
        "series-count": log.series("agreements", "2010-01-01", "2020-01-01"),
        "diff": log.diff("2014-01-01", "2016-01-01"),
        "history": log.history("eaeu"),
    }


VIEWS = ("members", "agreements", "volumes", "supply", "sanctions", "projects", "finance", "trade", "meetings",
         "policies", "summary", "timeline", "between", "series-gas", "series-count", "diff", "history")


@pytest.mark.parametrize("name", VIEWS)
def test_view_values_equal_the_rows(log: ee.Log, name: str) -> None:
    """Every cell of every row comes out of to_arrow() as the row holds it: dates as text and their
    possible days, quantities as value, unit and bound, lists as lists, instants as UTC datetimes."""
    view = views(log)[name]
    assert len(view) > 0, name
    table = view.to_arrow()
    assert table.num_rows == len(view)
    out = table.to_pylist()
    for row, got in zip(view, out, strict=True):
        want: dict[str, Any] = {}
        for column in view.columns:
            value = getattr(row, column)
            want.update(expected_cells(column, value, cell_kind(table, column, value)))
        assert {k: got[k] for k in want} == want, (name, row)
        assert set(got) == set(want), (name, sorted(set(got) ^ set(want)))


def test_view_column_order_follows_the_view(log: ee.Log) -> None:
    """Columns come in the view's order, each spread in place (a date's bounds right after its text)."""
    table = log.as_of("2020-01-01").agreements().to_arrow()
    assert table.column_names == [
        "agreement", "title", "kind", "status", "certain", "binding", "parties",
        "signed", "signed_earliest", "signed_latest", "in_force_from", "in_force_from_earliest",
        "in_force_from_latest", "in_force_until", "in_force_until_earliest", "in_force_until_latest",
        "commodity", "annual_volume_value", "annual_volume_unit", "annual_volume_bound", "events", "ratified"]


def test_column_types_per_field_kind(log: ee.Log) -> None:
    """Each kind of field has its Arrow type: date32 bounds, float64 values, list<string>, bool, int64,
    timestamp[us, UTC], and a series' day as one date32 column."""
    types = {f.name: str(f.type) for f in log.as_of("2020-01-01").agreements().to_arrow().schema}
    assert types["signed"] == "string"
    assert types["signed_earliest"] == types["in_force_until_latest"] == "date32[day]"
    assert types["annual_volume_value"] == "double"
    assert types["annual_volume_unit"] == types["annual_volume_bound"] == "string"
    assert types["parties"] == types["events"] == "list<item: string>"
    assert types["certain"] == types["binding"] == "bool"
    types = {f.name: str(f.type) for f in log.as_of("2024-06-01").sanctions().to_arrow().schema}
    assert types["persons"] == "int64"
    types = {f.name: str(f.type) for f in log.between("2015", "2015").to_arrow().schema}
    assert types["recorded"] == "timestamp[us, tz=UTC]"
    types = {f.name: str(f.type) for f in log.series("gas", "2010", "2020").to_arrow().schema}
    assert types == {"day": "date32[day]", "value_value": "double", "value_unit": "string", "value_bound": "string",
                     "possible_value": "double", "possible_unit": "string", "possible_bound": "string",
                     "certain": "bool"}
    types = {f.name: str(f.type) for f in log.series("agreements", "2010", "2020").to_arrow().schema}
    assert types["value"] == types["possible"] == "int64"


def test_an_empty_view_has_the_schema_of_a_full_one(log: ee.Log) -> None:
    """Types come from the row class, not the values: no rows, same columns and types."""
    empty = log.as_of("2020-01-01").policies()
    full = log.as_of("2026-01-01").policies()
    assert len(empty) == 0 < len(full)
    assert empty.to_arrow().schema.equals(full.to_arrow().schema, check_metadata=False)


def test_view_metadata_keeps_name_title_and_totals(log: ee.Log) -> None:
    """The view's name, title and totals ride in the schema's metadata, totals as the json format types them."""
    view = log.as_of("2020-01-01").volumes()
    meta = json.loads(view.to_arrow().schema.metadata[b"eurasia_events"])
    assert meta["view"] == "volumes"
    assert meta["title"] == view.title
    assert meta["totals"]["annual volume"] == {"certain": {"value": 38, "unit": "bcm/yr"},
                                               "possible": {"value": 38, "unit": "bcm/yr"}}
    assert meta["version"] == ee.__version__


def test_a_quantity_bound_and_an_open_date_are_kept(log: ee.Log) -> None:
    """An approximate figure keeps its bound; an open end of a possible-days range is a null day."""
    rows = log.to_arrow().to_pylist()
    bounded = [r for r in rows if r["amount_bound"] == "~"]
    assert bounded, "the bundled log has approximate amounts"
    event = log.get(bounded[0]["id"])
    assert event.amount.bound == "~"
    assert bounded[0]["amount_value"] == float(event.amount.value)
    open_ended = [r for r in rows if r["date"].endswith("/..") or r["date"].startswith("../")]
    assert open_ended, "the bundled log has an open-ended date"
    assert all(r["date_latest"] is None or r["date_earliest"] is None for r in open_ended)


# --- the log ---------------------------------------------------------------------------------


def test_log_table_values_equal_the_events(log: ee.Log) -> None:
    """One row per event as currently known, in the order of log.events(); every column as the event
    holds it; recorded and amended as the CSV export gives them; each type's fields typed, null elsewhere."""
    from eurasia_events.export import event_records

    table = log.to_arrow()
    events = log.events()
    rows = table.to_pylist()
    assert [r["id"] for r in rows] == [e.id for e in events]
    csv_rows = {r["id"]: r for r in event_records(log)}
    first_seq = {}
    for record in log:
        if getattr(record.event, "target", None) is None:
            first_seq.setdefault(record.event.id, record.seq)
    kinds = event_columns()
    assert sum(1 for r in rows if r["amended"] is not None) > 0, "the bundled log has corrections"
    for event, row in zip(events, rows, strict=True):
        lo, hi = event.span
        assert row["type"] == event.TYPE
        assert row["title"] == event.title
        assert row["notes"] == event.notes
        assert row["date"] == str(event.date)
        assert row["precision"] == event.date.precision.value
        assert (row["date_earliest"], row["date_latest"]) == day_bounds(str(event.date))
        assert (row["span_earliest"], row["span_latest"]) == (ordinal_day(lo), ordinal_day(hi))
        assert row["parties"] == list(event.parties)
        assert row["status"] == event.status.value
        assert row["related"] == list(event.related)
        assert row["sources"] == list(dict.fromkeys(c.source for c in event.sources))
        assert [c["source"] for c in row["citations"]] == [c.source for c in event.sources]
        assert [c["quote"] for c in row["citations"]] == [c.quote or None for c in event.sources]
        assert [c["address"] for c in row["citations"]] == [
            log.sources[c.source].address or log.sources[c.source].file for c in event.sources]
        assert [(d["field"], d["value"]) for d in row["disputes"]] == [(d.field, d.value) for d in event.disputes]
        assert row["seq"] == first_seq[event.id]
        assert row["recorded"].strftime("%Y-%m-%dT%H:%M:%S.%fZ") == csv_rows[event.id]["recorded"]
        amended = row["amended"].strftime("%Y-%m-%dT%H:%M:%S.%fZ") if row["amended"] else ""
        assert amended == csv_rows[event.id]["amended"]
        own = {f.name for f in attrs.fields(type(event))}
        for name, kind in kinds.items():
            declared = getattr(type(event), name, None)
            if name in own:
                value = getattr(event, name)
            elif isinstance(declared, (bool, str)):  # a constant the type declares: binding, term_from...
                value = declared
            else:
                value = None
            want = expected_cells(name, value, kind)
            assert {k: row[k] for k in want} == want, (event.id, name)


def test_log_table_as_known_at_an_instant(log: ee.Log) -> None:
    """known_at: the events and their fields as the log stood then, no later record counted."""
    instant = log[199].recorded
    table = log.to_arrow(known_at=instant)
    assert table.column("id").to_pylist() == [e.id for e in log.events(instant)]
    assert max(table.column("recorded").to_pylist()) <= moment(instant)  # type: ignore[operator]
    assert all(a is None or a <= moment(instant) for a in table.column("amended").to_pylist())  # type: ignore[operator]
    assert json.loads(table.schema.metadata[b"eurasia_events"])["known_at"] == str(instant)


def test_log_table_column_types(log: ee.Log) -> None:
    """The envelope's columns and a few of the types' own fields have their documented Arrow types."""
    types = {f.name: str(f.type) for f in log.to_arrow().schema}
    assert list(types)[:19] == ["id", "type", "date", "date_earliest", "date_latest", "precision", "span_earliest",
                                "span_latest", "title", "parties", "status", "sources", "citations", "recorded",
                                "seq", "amended", "related", "disputes", "notes"]
    assert types["date_earliest"] == types["span_latest"] == types["effective_earliest"] == "date32[day]"
    assert types["recorded"] == types["amended"] == "timestamp[us, tz=UTC]"
    assert types["seq"] == types["persons"] == "int64"
    assert types["parties"] == types["sources"] == types["targets"] == "list<item: string>"
    assert types["citations"] == ("list<item: struct<source: string, kind: string, version: string, address: string, "
                                  "quote: string, record: string, locator: string>>")
    assert types["annual_volume_value"] == "double"
    assert types["binding"] == "bool"


def test_every_log_has_the_same_schema(log: ee.Log, memory_log: ee.Log) -> None:
    """The log's table has one schema whatever the log holds: an empty log's, the curated log's (where
    the coded interactions' columns are all null) and an imported log's are the same, so files concatenate."""
    imported = dataset_log()
    imported.append([ee.CodedInteraction(
        id="icews-1-20190301", date="2019-03-01", title="Consult", parties=["CN", "RU"],
        sources=[{"source": "icews", "record": "1@2019-03-01"}], scheme="cameo", code="042")])
    schemas = [x.to_arrow().schema for x in (memory_log, log, imported)]
    assert all(schema.equals(schemas[0], check_metadata=False) for schema in schemas)
    assert str(schemas[1].field("intensity").type) == "double"


def dataset_log() -> ee.Log:
    sources = ee.SourceRegistry.from_file(BUNDLED / "sources.json")
    return ee.Log(ee.MemoryStore(), entities=ee.EntityRegistry.from_file(BUNDLED / "entities.json"),
                  sources=ee.SourceRegistry.from_records([*sources.to_records(), ICEWS]))


def test_coded_interactions_get_typed_columns() -> None:
    """A coded interaction's fields are typed columns (the code as text, zeros kept); its citation
    names the dataset record, not a quote; its recorded time is the one it was appended with."""
    log = dataset_log()
    added = "2019-03-02T04:15:00Z"
    log.append([ee.CodedInteraction(
        id="icews-21563720-20190301", date="2019-03-01", title="Consult", parties=["CN", "RU"],
        sources=[{"source": "icews", "record": "21563720@2019-03-01", "locator": "story 28235806, sentence 2"}],
        scheme="cameo", code="042", initiator="CN", recipient="RU", initiator_name="China",
        intensity=1.9, quad_class=1)], recorded=added)
    table = log.to_arrow()
    types = {f.name: str(f.type) for f in table.schema}
    assert (types["code"], types["intensity"], types["quad_class"], types["context"]) == (
        "string", "double", "int64", "list<item: string>")
    (row,) = table.to_pylist()
    assert (row["code"], row["scheme"], row["intensity"], row["quad_class"], row["context"]) == (
        "042", "cameo", 1.9, 1, [])
    assert row["citations"] == [{"source": "icews", "kind": "dataset", "version": "V30",
                                 "address": "https://doi.org/10.7910/DVN/28075", "quote": None,
                                 "record": "21563720@2019-03-01", "locator": "story 28235806, sentence 2"}]
    assert row["recorded"] == dt.datetime(2019, 3, 2, 4, 15, tzinfo=UTC)
    assert row["annual_volume_value"] is None
    assert row["binding"] is None


def test_interaction_views_type_their_counts() -> None:
    """The interactions view's uncertain count becomes count_certain and count_possible (int64), its
    mean intensity a float64; the timeline's count of interactions an int64; values as the rows hold them."""
    log = dataset_log()
    log.append([ee.CodedInteraction(
        id=f"icews-{n}-2019030{n}", date=f"2019-03-0{n}", title="Consult", parties=["CN", "RU"],
        sources=[{"source": "icews", "record": f"{n}@2019-03-0{n}"}], scheme="cameo", code="042",
        initiator="CN", recipient="RU", intensity=float(n)) for n in (1, 2, 4)])
    for view in (log.interactions(by="month,direction"), log.timeline()):
        table = view.to_arrow()
        assert table.num_rows == len(view) > 0
        for row, got in zip(view, table.to_pylist(), strict=True):
            want: dict[str, Any] = {}
            for column in view.columns:
                value = getattr(row, column)
                want.update(expected_cells(column, value, cell_kind(table, column, value)))
            assert got == want
    types = {f.name: str(f.type) for f in log.interactions(by="month").to_arrow().schema}
    assert types == {"month": "string", "count_certain": "int64", "count_possible": "int64", "intensity": "double"}
    assert str(log.timeline().to_arrow().schema.field("count").type) == "int64"


@attrs.frozen(kw_only=True)
class Gauge(ee.Event):
    """A made-up event type: the table must give it columns with no change to the arrow module."""

    TYPE: ClassVar[str] = "test_gauge"
    reading: ee.Quantity | None = _quantity("A reading.", dimensions=("gas volume per year",))
    taken: ee.PartialDate | None = _date("When read.", optional=True)
    sites: tuple[str, ...] = _entities("Where.")
    dials: int | None = _number("How many dials.")
    calibrated: bool = _flag("Whether calibrated.", False)
    precision: str = _text("A field named like an envelope column.", default="", required=False)


def test_a_new_event_type_gets_its_columns(monkeypatch: pytest.MonkeyPatch, memory_log: ee.Log) -> None:
    """A type added to EVENT_TYPES brings its fields as typed columns; a field named like a column
    of the envelope keeps its values under field_<name>; other types' rows hold null there."""
    monkeypatch.setitem(EVENT_TYPES, Gauge.TYPE, Gauge)
    assert {k: event_columns()[k] for k in ("reading", "taken", "sites", "dials", "calibrated")} == {
        "reading": "quantity", "taken": "date", "sites": "list", "dials": "int", "calibrated": "bool"}
    log = ee.Log(ee.MemoryStore(), entities=memory_log.entities, sources=memory_log.sources)
    cite = [{"source": "seed-004", "quote": "In May 2014"}]
    log.append([Gauge(id="gauge-1", date="2019-05", title="A gauge", sources=cite, reading="5 bcm/yr",
                      taken="2019-05-02", sites=["RU"], dials=3, calibrated=True, precision="fine"),
                ee.Meeting(id="meet-1", date="2019-06-01", title="Talks", sources=cite, kind="talks")])
    gauge, meet = log.to_arrow().to_pylist()
    assert (gauge["reading_value"], gauge["reading_unit"], gauge["taken_latest"], gauge["sites"], gauge["dials"],
            gauge["calibrated"], gauge["field_precision"], gauge["precision"]) == (
        5.0, "bcm/yr", dt.date(2019, 5, 2), ["RU"], 3, True, "fine", "month")
    assert meet["reading_value"] is None
    assert meet["sites"] is None
    assert meet["field_precision"] is None


# --- Parquet ---------------------------------------------------------------------------------


def test_parquet_round_trip_with_pyarrow_and_duckdb(log: ee.Log, tmp_path: Path) -> None:
    """A Parquet file reads back as the same table (types and metadata); DuckDB reads dates as DATE,
    instants as TIMESTAMP WITH TIME ZONE, lists as lists, and answers from it."""
    events, members = log.to_arrow(), log.as_of("2015-08-10").members("eaeu").to_arrow()
    write_parquet(events, tmp_path / "events.parquet")
    write_parquet(members, tmp_path / "members.parquet")
    assert same(pq.read_table(tmp_path / "events.parquet"), events)
    assert same(pq.read_table(tmp_path / "members.parquet"), members)
    path = str(tmp_path / "events.parquet")
    described = dict(duckdb.execute("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(?))",
                                    [path]).fetchall())
    assert (described["date_earliest"], described["recorded"], described["annual_volume_value"],
            described["parties"], described["seq"]) == (
        "DATE", "TIMESTAMP WITH TIME ZONE", "DOUBLE", "VARCHAR[]", "BIGINT")
    assert duckdb.execute("SELECT count(*) FROM read_parquet(?)", [path]).fetchone() == (events.num_rows,)
    assert duckdb.execute("SELECT annual_volume_value, annual_volume_unit, start_earliest FROM read_parquet(?) "
                          "WHERE id = '2014-05-21-pos-gas-contract'", [path]).fetchone() == (
        38.0, "bcm/yr", dt.date(2018, 1, 1))
    with_ru = duckdb.execute("SELECT count(*) FROM read_parquet(?) WHERE list_contains(parties, 'RU')",
                             [path]).fetchone()
    assert with_ru == (sum(1 for e in log.events() if "RU" in e.parties),)
    kg = duckdb.execute("SELECT since_earliest, since_latest, certain FROM read_parquet(?) WHERE member = 'KG'",
                        [str(tmp_path / "members.parquet")]).fetchone()
    assert kg == (dt.date(2015, 8, 6), dt.date(2015, 8, 12), False)


# --- the command line --------------------------------------------------------------------------


def test_cli_export_parquet(log: ee.Log, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """export --format parquet -o FILE writes log.to_arrow() and says so on stderr, nothing on stdout."""
    out = tmp_path / "events.parquet"
    assert main(["export", "--format", "parquet", "-o", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"wrote {len(log.events())} events as parquet" in captured.err
    assert same(pq.read_table(out), log.to_arrow())


def test_cli_view_commands_write_parquet(log: ee.Log, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A view command's --format parquet -o FILE writes the view's table; --columns chooses fields."""
    out = tmp_path / "members.parquet"
    assert main(["as-of", "2015-08-10", "members", "--format", "parquet", "-o", str(out)]) == 0
    assert same(pq.read_table(out), log.as_of("2015-08-10").members("eaeu").to_arrow())
    out = tmp_path / "between.parquet"
    assert main(["between", "2015", "2015", "--format", "parquet", "--columns", "id,date", "-o", str(out)]) == 0
    table = pq.read_table(out)
    assert table.column_names == ["id", "date", "date_earliest", "date_latest"]
    assert table.column("id").to_pylist() == [r.id for r in log.between("2015", "2015")]
    out = tmp_path / "entities.parquet"
    assert main(["entities", "gazprom", "--format", "parquet", "-o", str(out)]) == 0
    entities = pq.read_table(out)
    assert "gazprom" in entities.column("id").to_pylist()
    assert str(entities.schema.field("aliases").type) == \
        "list<element: string>"
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("argv", [["export", "--format", "parquet"],
                                  ["as-of", "2016-01-01", "members", "--format", "parquet"],
                                  ["timeline", "--format", "parquet", "-o", "-"]])
def test_cli_parquet_refuses_stdout(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """Parquet is binary: without an --output file the command is a usage error (exit 2), and writes nothing."""
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "--format parquet writes a binary file" in captured.err
    assert "--output FILE" in captured.err


def test_cli_output_takes_text_formats_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """-o FILE writes a text format to the file, as stdout would have had it (a table unfitted)."""
    assert main(["as-of", "2016-01-01", "members", "--format", "csv"]) == 0
    printed = capsys.readouterr().out
    out = tmp_path / "members.csv"
    assert main(["as-of", "2016-01-01", "members", "--format", "csv", "-o", str(out)]) == 0
    assert capsys.readouterr().out == ""
    assert out.read_text(encoding="utf-8") == printed


# --- without pyarrow ----------------------------------------------------------------------------


def test_without_pyarrow_a_missing_extra_error_names_the_extra(log: ee.Log, monkeypatch: pytest.MonkeyPatch,
                                                             tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """With pyarrow absent, to_arrow() raises MissingExtraError (an ImportError) naming the arrow extra;
    the CLI prints it as one line, exits 1 and writes no file."""
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow now raises ImportError
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    for call in (log.as_of("2016-01-01").members("eaeu").to_arrow, log.to_arrow):
        with pytest.raises(ee.MissingExtraError, match=r"pip install 'eurasia-events\[arrow\]'") as caught:
            call()
        assert isinstance(caught.value, ImportError)
    out = tmp_path / "events.parquet"
    assert main(["export", "--format", "parquet", "-o", str(out)]) == 1
    assert "eurasia-events[arrow]" in capsys.readouterr().err
    assert not out.exists()


def test_pyarrow_is_imported_only_when_a_table_is_built() -> None:
    """Importing the package and querying never imports pyarrow nor the arrow module."""
    script = ("import sys, eurasia_events as ee\n"
              "ee.load().as_of('2016-01-01').members('eaeu')\n"
              "print(sorted(m for m in sys.modules if m.split('.')[0] == 'pyarrow' or m == 'eurasia_events.arrow'))\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.strip() == "[]"
