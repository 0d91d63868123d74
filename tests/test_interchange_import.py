"""Importing event datasets: the mapping table row by row, the import of fixture files into a log of
their own (ids, citations, recorded times, sources), idempotent re-import, bad rows, the curated log
refused, the combined load, and the ``import`` command."""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import eurasia_events as ee
from eurasia_events.cli import main
from eurasia_events.interchange import (
    CAMEO_NAMES,
    MAPPING,
    DatasetFormatError,
    DatasetRow,
    ImportReport,
    MappingRow,
    build_events,
    cameo_name,
    import_files,
    lookup,
    mapping_markdown,
)
from eurasia_events.interchange.formats import ReadStats, read_rows
from eurasia_events.interchange.mapping import ANY
from eurasia_events.log import open_store
from eurasia_events.stores import FileStore

FIXTURES = Path(__file__).parent / "fixtures" / "interchange"
GDELT = FIXTURES / "import_gdelt.tsv"
ICEWS = FIXTURES / "import_icews.tsv"
ICEWS_BAD = FIXTURES / "import_icews_bad.tsv"
POLECAT = FIXTURES / "import_polecat.tsv"
DOCS = Path(__file__).resolve().parents[1] / "docs" / "interchange.md"
TYPES = {"meeting": ee.Meeting, "treaty_signed": ee.TreatySigned, "sanctions_imposed": ee.SanctionsImposed}
CLOCK = ee.Instant.parse("2026-12-01T12:00:00Z")


def _row(scheme: str, code: str, mode: str = "", *, text: str = "", place: str = "Moscow") -> DatasetRow:
    return DatasetRow(
        dataset="gdelt" if scheme == "cameo" else "polecat", line=7, record="845299999" if scheme == "cameo" else
        "20190605-ab12_1", date=dt.date(2019, 6, 5), source_name="CHINA", source_country="CHN", source_sectors="",
        target_name="RUSSIA", target_country="RUS", target_sectors="", code=code, scheme=scheme, mode=mode,
        context=(), intensity=1.9, quad_class=1, text=text, story="https://www.example.org/a", publisher="",
        place=place, added=None)


def _sample(row: MappingRow) -> tuple[str, str]:
    """A code and mode the row decides (for a row standing for any other, one no other row names)."""
    code = row.code if row.code != ANY else ("190" if row.scheme == "cameo" else "assault")
    mode = row.mode if row.mode != ANY else ("multilateral" if row.code == "consult" else "")
    return code, mode


def _import(paths: list[Path], fmt: str, into: Path, **options: object) -> ImportReport:
    return import_files(paths, fmt, into=into, dyad=("CN", "RU"), clock=lambda: CLOCK, **options)  # type: ignore[arg-type]


# --- the mapping table ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("mapped", MAPPING, ids=lambda r: f"{r.scheme}-{r.code}-{r.mode or 'none'}")
def test_each_mapping_row_makes_its_documented_events(mapped: MappingRow) -> None:
    """A row with the table row's code (and mode) becomes a coded interaction and, if the table says so, the
    documented type with the documented field values, related to the coded interaction and naming the code."""
    code, mode = _sample(mapped)
    assert lookup(mapped.scheme, code, mode) == mapped
    row = _row(mapped.scheme, code, mode, text="Russia bans imports" if code == "163" else "")
    made = build_events(row, initiator="CN", recipient="RU", entities=ee.load().entities)
    coded = made[0]
    assert isinstance(coded, ee.CodedInteraction)
    assert (coded.scheme, coded.code, coded.mode, coded.initiator, coded.recipient) == (
        mapped.scheme, code, mode, "CN", "RU")
    if mapped.type == "coded_interaction":
        assert len(made) == 1
        return
    assert len(made) == 2
    typed = made[1]
    assert type(typed) is TYPES[mapped.type]
    assert typed.id == f"{coded.id}-{mapped.type.replace('_', '-')}"
    assert typed.related == (coded.id,)
    assert typed.parties == ("CN", "RU")
    assert typed.date == coded.date
    assert typed.sources == coded.sources
    assert (f"CAMEO {code}" if mapped.scheme == "cameo" else f"PLOVER {code}") in typed.notes
    for field, value in mapped.values:
        assert getattr(typed, field) == value, field
    if isinstance(typed, ee.Meeting):
        assert typed.location == "Moscow"
    elif isinstance(typed, ee.TreatySigned):
        assert typed.agreement == typed.id
        assert (typed.binding, typed.in_force_on_signature) == (False, False)  # a news report claims neither
    else:
        assert isinstance(typed, ee.SanctionsImposed)
        assert (typed.measure, typed.imposer, typed.targets) == (typed.id, "CN", ("RU",))
        assert typed.description == "Russia bans imports"


def test_sanctions_description_falls_back_to_the_code_name() -> None:
    """A sanctions row without event text is described by the CAMEO code's name."""
    made = build_events(_row("cameo", "163"), initiator="RU", recipient="CN", entities=ee.load().entities)
    assert isinstance(made[1], ee.SanctionsImposed)
    assert made[1].description == "Impose embargo, boycott, or sanctions"
    assert (made[1].imposer, made[1].targets) == ("RU", ("CN",))


@pytest.mark.parametrize(("initiator", "recipient"), [("CN", None), (None, "RU"), (None, None), ("CN", "CN")])
def test_a_typed_event_needs_two_recognised_sides(initiator: str | None, recipient: str | None) -> None:
    """Without both sides recognised as two registry entities, a mapped code gives only its coded interaction."""
    made = build_events(_row("cameo", "042"), initiator=initiator, recipient=recipient, entities=ee.load().entities)
    assert [type(e) for e in made] == [ee.CodedInteraction]
    assert made[0].title.startswith(("China", "CHINA"))


def test_titles_name_the_sides_and_the_code() -> None:
    """A title reads 'China -> Russia: Make a visit (CAMEO 042)', with PLOVER's type and mode for POLECAT."""
    entities = ee.load().entities
    assert build_events(_row("cameo", "042"), initiator="CN", recipient="RU", entities=entities)[0].title == (
        "China -> Russia: Make a visit (CAMEO 042)")
    assert build_events(_row("plover", "consult", "phone"), initiator="RU", recipient="CN",
                        entities=entities)[0].title == "Russia -> China: Consult (PLOVER consult/phone)"


def test_cameo_names_cover_the_roots_and_the_mapped_codes() -> None:
    """Every CAMEO root code and every code of the table has its codebook name; a sub-code takes its parent's."""
    assert all(f"{root:02d}" in CAMEO_NAMES for root in range(1, 21))
    assert all(r.code in CAMEO_NAMES for r in MAPPING if r.scheme == "cameo" and r.code != ANY)
    assert cameo_name("163") == "Impose embargo, boycott, or sanctions"
    assert cameo_name("0874") == "Yield"
    assert cameo_name("1661") == "Expel or withdraw"


def test_the_docs_show_the_mapping_table_as_the_code_holds_it() -> None:
    """docs/interchange.md's Mapping table section holds exactly the table the importer reads."""
    text = DOCS.read_text(encoding="utf-8")
    section = text.split("\n## Mapping table\n", 1)[1].split("\n## ", 1)[0]
    table = "\n".join(line for line in section.splitlines() if line.startswith("|")) + "\n"
    assert table == mapping_markdown(), "docs/interchange.md's mapping table is stale: paste mapping_markdown()"


# --- importing files ----------------------------------------------------------------------------------------


def test_import_gdelt_makes_coded_interactions_and_typed_events(tmp_path: Path) -> None:
    """Each GDELT row between the two becomes a coded interaction citing its record and URL, and the mapped codes
    their typed events; the log's sources.json holds the dataset source."""
    into = tmp_path / "imported"
    report = _import([GDELT], "gdelt", into)
    assert (report.scanned, report.kept, report.coded, report.typed, report.present) == (9, 8, 8, 7, 0)
    assert report.new == 15
    assert not report.bad
    assert not report.changed
    log = ee.load(into)
    coded = log.get("gdelt-845210002")
    assert isinstance(coded, ee.CodedInteraction)
    assert (coded.code, coded.intensity, coded.quad_class, coded.initiator, coded.recipient) == (
        "042", 1.9, 1, "CN", "RU")
    assert (coded.initiator_name, coded.recipient_name, coded.place) == ("XI JINPING", "MOSCOW",
                                                                         "Moscow, Moskva, Russia")
    citation = coded.sources[0]
    assert (citation.source, citation.record, citation.quote) == ("gdelt", "845210002", "")
    assert citation.locator == "https://www.example.org/2019/06/05/xi-arrives-moscow"
    visit = log.get("gdelt-845210002-meeting")
    assert isinstance(visit, ee.Meeting)
    assert visit.kind == "visit"
    assert {e.id for e in log.events() if not isinstance(e, ee.CodedInteraction)} == {
        f"gdelt-84521000{n}-{t}" for n, t in ((1, "meeting"), (2, "meeting"), (3, "meeting"), (4, "meeting"),
                                              (5, "meeting"), (6, "treaty-signed"), (7, "sanctions-imposed"))}
    assert "gdelt-845210009" not in {e.id for e in log.events()}  # United States -> China: not the dyad
    sources = json.loads((into / "sources.json").read_text(encoding="utf-8"))
    assert sources == [{"id": "gdelt", "title": "GDELT 2.0 Event Database", "publisher": "The GDELT Project",
                        "address": "https://www.gdeltproject.org/data.html", "language": "en", "kind": "dataset",
                        "version": "GDELT 2.0"}]
    assert not (into / "entities.json").exists()  # the bundled registry
    log.verify()


def test_gdelt_records_are_recorded_when_gdelt_added_them(tmp_path: Path) -> None:
    """An imported GDELT record's recorded time is its DATEADDED (UTC); typed events share their row's."""
    _import([GDELT], "gdelt", tmp_path / "imported")
    recorded = {r.event.id: r.recorded for r in ee.load(tmp_path / "imported")}
    assert recorded["gdelt-845210002"] == ee.Instant.parse("2019-06-05T09:15:00Z")
    assert recorded["gdelt-845210002-meeting"] == ee.Instant.parse("2019-06-05T09:15:00Z")
    assert recorded["gdelt-845210007"] == ee.Instant.parse("2019-07-01T06:45:00Z")


def test_icews_records_are_recorded_at_the_import_and_keyed_with_their_date(tmp_path: Path) -> None:
    """ICEWS gives no time of adding: the import's time is recorded; an Event ID recurring on another day is
    another record (ids pair the Event ID with the date); the citation locates story and sentence."""
    report = _import([ICEWS], "icews", tmp_path / "imported", version="Dataverse V37")
    assert (report.scanned, report.kept) == (5, 4)
    log = ee.load(tmp_path / "imported")
    assert {r.recorded for r in log} == {CLOCK}
    assert {"icews-40211001-20190605", "icews-40211001-20190703"} <= {e.id for e in log.events()}
    coded = log.get("icews-40211001-20190605")
    assert coded.sources[0].record == "40211001@2019-06-05"
    assert coded.sources[0].locator == "story 51200001, sentence 1"
    assert isinstance(coded, ee.CodedInteraction)
    assert coded.text == "Make a visit"
    assert log.sources["icews"].version == "Dataverse V37"
    assert log.get("icews-40211003-20190701-sanctions-imposed").description == (  # type: ignore[attr-defined]
        "Impose embargo, boycott, or sanctions")


def test_polecat_consult_modes_become_meetings(tmp_path: Path) -> None:
    """POLECAT: consult with mode visit or phone makes a meeting; multilateral, agree and sanction do not."""
    report = _import([POLECAT], "polecat", tmp_path / "imported")
    assert (report.kept, report.coded, report.typed) == (5, 5, 2)
    log = ee.load(tmp_path / "imported")
    kinds = {e.id: e.kind for e in log.events() if isinstance(e, ee.Meeting)}
    assert kinds == {"polecat-20190605-c0ffee01_1-meeting": "visit", "polecat-20190606-c0ffee02_1-meeting": "call"}
    sanction = log.get("polecat-20190609-c0ffee05_1")
    assert isinstance(sanction, ee.CodedInteraction)
    assert (sanction.scheme, sanction.code, sanction.mode, sanction.context) == (
        "plover", "sanction", "sever", ("economic",))


def test_date_range_and_dyad_filter(tmp_path: Path) -> None:
    """Only rows dated within --from/--to are kept."""
    report = import_files([GDELT], "gdelt", into=tmp_path / "imported", dyad=("Russia", "China"),
                          start="2019-06-14", end="2019-06-30")
    assert report.kept == 2
    assert {e.id for e in ee.load(tmp_path / "imported").events()} == {
        "gdelt-845210004", "gdelt-845210004-meeting", "gdelt-845210005", "gdelt-845210005-meeting"}


def test_reimport_appends_nothing(tmp_path: Path) -> None:
    """Importing the same file again appends nothing: the log's bytes are unchanged and every event is reported
    as already present."""
    into = tmp_path / "imported"
    first = _import([GDELT], "gdelt", into)
    before = (into / "log.jsonl").read_bytes()
    again = _import([GDELT], "gdelt", into)
    assert (again.new, again.present, again.changed) == (0, first.new, ())
    assert (into / "log.jsonl").read_bytes() == before


def test_a_row_that_changed_since_its_import_is_reported(tmp_path: Path) -> None:
    """A re-imported row giving other values than the log holds is reported as changed, and left as it is."""
    into = tmp_path / "imported"
    _import([GDELT], "gdelt", into)
    before = (into / "log.jsonl").read_bytes()
    edited = tmp_path / "edited.tsv"
    edited.write_text(GDELT.read_text(encoding="utf-8").replace("\t1.9\t", "\t2.9\t", 1), encoding="utf-8")
    report = _import([edited], "gdelt", into)
    assert report.new == 0
    assert [(c.id, c.line) for c in report.changed] == [("gdelt-845210002", 2)]
    assert "gdelt-845210002 differs" in report.summary()
    assert (into / "log.jsonl").read_bytes() == before


def test_a_bad_row_names_its_line_and_imports_nothing(tmp_path: Path) -> None:
    """A bad row stops the import before anything is written: the error names file, line and column; an
    existing log keeps its bytes, a missing one is not created."""
    into = tmp_path / "imported"
    with pytest.raises(DatasetFormatError) as caught:
        _import([ICEWS_BAD], "icews", into)
    assert (caught.value.file, caught.value.line, caught.value.field) == (str(ICEWS_BAD), 4, "CAMEO Code")
    assert f"{ICEWS_BAD}:4" in str(caught.value)
    assert not into.exists()
    _import([GDELT], "gdelt", into)
    before = (into / "log.jsonl").read_bytes(), (into / "sources.json").read_bytes()
    with pytest.raises(DatasetFormatError):
        _import([ICEWS, ICEWS_BAD], "icews", into)  # a good file first: still nothing
    assert ((into / "log.jsonl").read_bytes(), (into / "sources.json").read_bytes()) == before


def test_skip_bad_imports_the_other_rows(tmp_path: Path) -> None:
    """With skip_bad the good rows are imported and the bad one is reported with its line."""
    report = _import([ICEWS_BAD], "icews", tmp_path / "imported", skip_bad=True)
    assert [(b.line, b.column) for b in report.bad] == [(4, "CAMEO Code")]
    assert report.kept == 3
    ids = {e.id for e in ee.load(tmp_path / "imported").events()}
    assert "icews-40211001-20190703" in ids
    assert "icews-40211003-20190701" not in ids
    assert not list(tmp_path.glob("eurasia-import-*"))


def test_skip_bad_does_not_skip_a_bad_header(tmp_path: Path) -> None:
    """A file whose header row is bad has no rows to read: skip_bad still stops, naming line 1."""
    bad_header = tmp_path / "events.tab"
    bad_header.write_text("Event ID\tEvent Date\n1\t2019-06-05\n", encoding="utf-8")
    with pytest.raises(DatasetFormatError) as caught:
        _import([bad_header], "icews", tmp_path / "imported", skip_bad=True)
    assert caught.value.line == 1
    assert not (tmp_path / "imported").exists()


def _several_bad(tmp_path: Path) -> Path:
    """import_icews.tsv with bad rows in and out of the dyad and blank lines, 8 physical lines: 1 the header, 2 a
    good China-Russia row, 3 an impossible date (China-Russia), 4 a field too many (Russia-China), 5 blank, 6 a
    field too few (Japan-China), 7 blank (``\\r``), 8 a good China-Russia row."""
    lines = ICEWS.read_bytes().rstrip(b"\n").split(b"\n")
    lines[2] = lines[2].replace(b"\t2019-06-05\t", b"\t2019-06-31\t")
    path = tmp_path / "several_bad.tsv"
    path.write_bytes(b"\n".join([*lines[:3], lines[3] + b"\textra", b"", lines[4].rsplit(b"\t", 1)[0], b"\r",
                                 lines[5]]) + b"\n")
    return path


def test_skip_bad_reports_every_bad_row_and_imports_the_rest(tmp_path: Path) -> None:
    """Several bad rows, in and out of the dyad: without skip_bad the first stops the import (nothing written);
    with it every one is reported in file order, the good rows on both sides of them are imported, and the
    rows scanned count the bad rows but not the blank lines."""
    path = _several_bad(tmp_path)
    into = tmp_path / "imported"
    with pytest.raises(DatasetFormatError) as caught:
        _import([path], "icews", into)
    assert (caught.value.file, caught.value.line, caught.value.field) == (str(path), 3, "Event Date")
    assert not into.exists()
    report = _import([path], "icews", into, skip_bad=True)
    assert [(b.file, b.line, b.column) for b in report.bad] == [(str(path), 3, "Event Date"), (str(path), 4, None),
                                                                (str(path), 6, None)]
    assert "found 21" in report.bad[1].message
    assert "found 19" in report.bad[2].message
    assert (report.scanned, report.kept, report.coded) == (5, 2, 2)
    assert {e.id for e in ee.load(into).events() if isinstance(e, ee.CodedInteraction)} == {
        "icews-40211001-20190605", "icews-40211001-20190703"}
    summary = report.summary()
    for line, column in ((3, " (Event Date)"), (4, ""), (6, "")):
        assert f"skipped bad row: {path}:{line}{column}: " in summary


@pytest.mark.parametrize(("source", "fmt"), [(GDELT, "gdelt"), (ICEWS, "icews"), (POLECAT, "polecat")])
def test_scanned_is_every_data_row_of_every_file(tmp_path: Path, source: Path, fmt: str) -> None:
    """The report's scanned is what read_rows counts: each file's data rows before the dyad and date filters,
    not its header, not its blank lines (here also a last line without its newline)."""
    lines = source.read_bytes().rstrip(b"\n").split(b"\n")
    spaced = tmp_path / f"spaced{source.suffix}"
    spaced.write_bytes(b"\n".join([lines[0], b"", *lines[1:3], b"\r", b"", *lines[3:]]))
    report = _import([spaced, source], fmt, tmp_path / "imported", start="2019-06-06")
    stats = ReadStats()
    for file in (spaced, source):
        list(read_rows(file, fmt, stats=stats))
    assert report.scanned == stats.rows == 2 * (len(lines) - (fmt != "gdelt"))
    assert report.kept < report.scanned


def test_the_curated_log_is_refused(tmp_path: Path) -> None:
    """A log holding document-cited events (a copy of the curated log) is refused, and left as it was."""
    curated = tmp_path / "curated"
    shutil.copytree(ee.bundled_path(), curated)
    before = (curated / "log.jsonl").read_bytes(), (curated / "sources.json").read_bytes()
    with pytest.raises(ee.LogFormatError, match="curated events"):
        _import([GDELT], "gdelt", curated)
    assert ((curated / "log.jsonl").read_bytes(), (curated / "sources.json").read_bytes()) == before
    with pytest.raises(ee.LogFormatError):
        _import([GDELT], "gdelt", ee.bundled_path())


def test_another_release_of_a_dataset_is_refused(tmp_path: Path) -> None:
    """A log citing one release of a dataset refuses to mix in another under the same source."""
    _import([ICEWS], "icews", tmp_path / "imported", version="Dataverse V37")
    with pytest.raises(ee.LogFormatError, match="V30"):
        _import([ICEWS], "icews", tmp_path / "imported", version="Dataverse V30")


def test_combined_with_the_curated_log_imported_meetings_and_sanctions_show_as_of(tmp_path: Path) -> None:
    """Read with a copy of the curated log, imported meetings are in the meetings view and imported sanctions
    in the sanctions view; the curated answers stay."""
    curated = tmp_path / "curated"
    shutil.copytree(ee.bundled_path(), curated)
    _import([GDELT], "gdelt", tmp_path / "imported")
    both = ee.load(curated, tmp_path / "imported")
    state = both.as_of("2019-12-31")
    meetings = {row.event: row.kind for row in state.meetings()}
    assert meetings["gdelt-845210002-meeting"] == "visit"
    assert meetings["gdelt-845210001-meeting"] == "call"
    assert len([e for e in meetings if not e.startswith("gdelt-")]) == len(ee.load().as_of("2019-12-31").meetings())
    sanctions = {row.measure: row for row in state.sanctions(imposer="RU")}
    assert sanctions["gdelt-845210007-sanctions-imposed"].targets == ("CN",)
    agreements = {row.agreement: row for row in state.agreements()}
    assert agreements["gdelt-845210006-treaty-signed"].status != "in force"
    assert "gdelt-845210002-meeting" not in {r.event for r in both.as_of("2019-06-04").meetings()}


# --- the command ----------------------------------------------------------------------------------------------


def test_import_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`eurasia-events import` imports, prints its report (JSON on stdout with --report json), and appends
    nothing the second time."""
    into = str(tmp_path / "imported")
    args = ["import", "--format", "gdelt", str(GDELT), "--into", into, "--between", "CN", "RU"]
    assert main(args) == 0
    assert re.search(r"scanned 9 rows .* kept 8; appended 15 events", capsys.readouterr().err)
    assert main([*args, "--report", "json", "--from", "2019-06", "--to", "2019-06"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["kept"], report["new"], report["present"]) == (6, 0, 12)


def test_import_command_exits_1_on_a_bad_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A bad row: exit 1, one line naming the file and line, nothing created; --skip-bad imports the rest."""
    into = tmp_path / "imported"
    args = ["import", "--format", "icews", str(ICEWS_BAD), "--into", str(into), "--between", "CN", "RU"]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert f"{ICEWS_BAD}:4" in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not into.exists()
    assert main([*args, "--skip-bad"]) == 0
    assert "skipped bad row" in capsys.readouterr().err
    assert main(["import", "--format", "gdelt", str(GDELT), "--into", str(ee.bundled_path()), "--between", "CN",
                 "RU"]) == 1


def test_months_and_years_as_the_date_range(tmp_path: Path) -> None:
    """start and end take a month or a year, as the command line and log.interactions do: its first, its last
    day."""
    report = _import([GDELT], "gdelt", tmp_path / "a", start="2019-06", end="2019-06")
    assert (report.kept, report.coded) == (6, 6)
    assert _import([GDELT], "gdelt", tmp_path / "b", start="2019-07", end="2019").kept == 2
    assert _import([GDELT], "gdelt", tmp_path / "c", end="2018").kept == 0
    with pytest.raises(ee.InvalidEventError, match="start must be a day, a month or a year"):
        _import([GDELT], "gdelt", tmp_path / "d", start="2019-6")


def test_a_row_outside_the_dyad_is_checked_for_its_field_count_only(tmp_path: Path) -> None:
    """As the docs say: every row's field count is checked, the values of the rows kept only. A Turkey-Japan
    row with an impossible date imports (it is not between the two), one with a field too few does not."""
    lines = ICEWS.read_bytes().rstrip(b"\n").split(b"\n")
    fields = lines[1].split(b"\t")
    fields[1], fields[4], fields[10] = b"2019-02-30", b"Turkey", b"Japan"
    fields[2], fields[8] = b"Turkey", b"Japan"
    path = tmp_path / "tr_jp.tsv"
    path.write_bytes(b"\n".join([*lines, b"\t".join(fields)]) + b"\n")
    report = _import([path], "icews", tmp_path / "imported")
    assert (report.scanned, report.kept, report.bad) == (len(lines), _import([ICEWS], "icews", tmp_path / "b").kept, ())
    path.write_bytes(b"\n".join([*lines, b"\t".join(fields[:-1])]) + b"\n")
    with pytest.raises(DatasetFormatError, match="expected 20 tab-separated fields"):
        _import([path], "icews", tmp_path / "other")
    text = DOCS.read_text(encoding="utf-8")
    assert "every row checked, before" not in text
    assert text.count("field count of every row and the values of the rows kept") == 2


# --- the target log ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "content"), [("plain.txt", b"hello world\nsecond line\n"),
                                               ("events.jsonl", b'{"id": "e-1", "date": "2019"}\n')])
def test_an_existing_file_that_is_not_a_log_is_refused_first(tmp_path: Path, name: str, content: bytes) -> None:
    """--into naming a file that is not a log: "not a log", before any dataset file is read, and it is left as
    it was (no sources.json beside it). An empty file is an empty log."""
    target = tmp_path / name
    target.write_bytes(content)
    with pytest.raises(ee.LogFormatError, match=rf"^not a log: {re.escape(str(target))} exists and its first line "
                                                r"is not a log record \(it reads '"):
        _import([tmp_path / "missing.tsv"], "gdelt", target)  # refused before the (missing) file is opened
    assert target.read_bytes() == content
    assert not (tmp_path / "sources.json").exists()
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    assert _import([GDELT], "gdelt", empty).new == 15


# --- interrupted imports --------------------------------------------------------------------------------------


def _interrupt_the_last_write(monkeypatch: pytest.MonkeyPatch, events: int) -> list[int]:
    """Make the file store's write that would bring the appended records to ``events`` stop halfway, as a
    SIGINT in the middle of ``os.write`` does: journal in place, half the bytes written, KeyboardInterrupt.
    Returns the sizes of the batches written (whole ones, then the interrupted one)."""
    real = FileStore.append_lines
    sizes: list[int] = []

    def append_lines(self: FileStore, lines: list[bytes]) -> None:
        sizes.append(len(lines))
        if sum(sizes) < events:
            real(self, lines)
            return
        payload = b"".join(lines)
        self._write_journal(self.path.stat().st_size)
        with self.path.open("ab") as out:
            out.write(payload[: len(payload) // 2])
        raise KeyboardInterrupt

    monkeypatch.setattr(FileStore, "append_lines", append_lines)
    return sizes


def test_an_interrupted_import_leaves_the_log_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """All or nothing: interrupted while writing its last records, the import wrote none of them. Loaded, the log
    is what it was (readers stop at the unfinished batch); its next writer rolls the batch back, leaving its
    bytes as before; a re-run imports everything."""
    into = tmp_path / "imported"
    _import([GDELT], "gdelt", into, end="2019-06-05")  # 4 rows: 8 events
    log_file = into / "log.jsonl"
    before, head = log_file.read_bytes(), ee.load(into).head
    sizes = _interrupt_the_last_write(monkeypatch, 7)  # the 7 events of the rows after 5 June
    with pytest.raises(KeyboardInterrupt):
        _import([GDELT], "gdelt", into)
    assert ee.load(into).head == head
    assert sizes == [7]  # one batch
    assert log_file.read_bytes() != before  # half a batch, behind its journal
    monkeypatch.undo()
    with open_store(into).locked():  # what the next writer does first: roll the unfinished batch back
        pass
    assert log_file.read_bytes() == before
    report = _import([GDELT], "gdelt", into)
    assert (report.new, report.present) == (7, 8)
    assert len(ee.load(into)) == 15


def test_an_interrupt_after_the_commit_lets_the_import_finish(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C after the batch is committed (while the log reads its records back): the import is done, and says
    so with its report instead of claiming that nothing was imported."""
    real = ee.Log.append

    def append(self: ee.Log, *args: object, **kwargs: object) -> object:
        real(self, *args, **kwargs)  # type: ignore[arg-type]
        raise KeyboardInterrupt

    monkeypatch.setattr(ee.Log, "append", append)
    try:
        report = _import([GDELT], "gdelt", tmp_path / "imported")
    except KeyboardInterrupt:  # would stop the test session, not fail the test
        pytest.fail("the interrupt after the commit escaped the import")
    assert report.new == 15
    assert len(ee.load(tmp_path / "imported")) == 15


def test_an_interrupted_import_command_says_so_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """`import` interrupted: one line, exit 130, no traceback; nothing imported."""
    into = tmp_path / "imported"
    _interrupt_the_last_write(monkeypatch, 15)
    args = ["import", "--format", "gdelt", str(GDELT), "--into", str(into), "--between", "CN", "RU"]
    try:
        assert main(args) == 130
    except KeyboardInterrupt:  # would stop the test session, not fail the test
        pytest.fail("the command let the interrupt escape")
    assert capsys.readouterr().err == f"interrupted: nothing was imported; {into} is as it was\n"
    assert len(ee.load(into)) == 0
    monkeypatch.undo()
    assert main(args) == 0
    assert len(ee.load(into)) == 15


def _many_rows(path: Path, count: int) -> int:
    """A GDELT file of ``count`` China-Russia records (the fixture's first eight, again and again, each with an id
    of its own); returns the events they make."""
    rows = GDELT.read_bytes().rstrip(b"\n").split(b"\n")[:8]
    with path.open("wb") as out:
        for n in range(count):
            out.write(b"%d\t" % (900_000_000 + n) + rows[n % 8].split(b"\t", 1)[1] + b"\n")
    return count + sum(1 for n in range(count) if n % 8 != 7)  # every row but 036 also makes a typed event


def test_sigint_at_a_random_moment_imports_all_or_nothing(tmp_path: Path) -> None:
    """A real `eurasia-events import` in a subprocess, sent SIGINT at random moments while it reads and writes:
    each run either finishes (exit 0) or says it was interrupted (exit 130, one line, no traceback) and the log
    is what it was; a last run imports everything."""
    data = tmp_path / "many.export.CSV"
    total = _many_rows(data, 6000)
    into = tmp_path / "imported"
    _import([GDELT], "gdelt", into)  # a log that holds something already: 15 events
    script = ("import sys\nfrom eurasia_events.cli import main\nprint('ready', flush=True)\n"
              "sys.exit(main(sys.argv[1:]))\n")
    args = [sys.executable, "-c", script, "import", "--format", "gdelt", str(data), "--into", str(into),
            "--between", "CN", "RU"]
    started = time.monotonic()
    subprocess.run(args, check=True, capture_output=True, cwd=tmp_path)
    took = time.monotonic() - started
    shutil.rmtree(into)
    _import([GDELT], "gdelt", into)
    rng = random.Random()
    outcomes = []
    for attempt in range(3):
        store = open_store(into)
        with store.locked():  # roll back what an earlier attempt left, as the next writer would
            pass
        before, head = (into / "log.jsonl").read_bytes(), ee.load(into).head
        process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path)
        assert process.stdout is not None
        assert process.stdout.readline() == b"ready\n"
        time.sleep(rng.uniform(attempt * took / 3, (attempt + 1) * took / 3))
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=120)
        outcomes.append(process.returncode)
        if ee.load(into).head != head:  # finished before the signal came, as it reported or as it exited
            assert len(ee.load(into)) == 15 + total
            assert b"nothing was" not in err
            return
        assert process.returncode == 130, err
        assert err.decode() in {f"interrupted: nothing was imported; {into} is as it was\n",
                                "interrupted: nothing was done\n"}  # the latter while the parser is made
        assert ee.load(into).head == head
        with store.locked():
            pass
        assert (into / "log.jsonl").read_bytes() == before
    report = _import([data], "gdelt", into)
    assert (report.new, report.present) == (total, 0), outcomes
    assert len(ee.load(into)) == 15 + total


def test_the_command_notes_a_missing_version(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """ICEWS or POLECAT imported without --version: a one-line note on stderr (GDELT's release is known)."""
    note = "note: the dataset's version was not given: pass --version to record which release this is\n"
    base = ["--into", str(tmp_path / "a"), "--between", "CN", "RU"]
    assert main(["import", "--format", "icews", str(ICEWS), *base]) == 0
    assert capsys.readouterr().err.endswith(note)
    assert main(["import", "--format", "polecat", str(POLECAT), "--into", str(tmp_path / "b"), "--between", "CN",
                 "RU", "--report", "json"]) == 0
    captured = capsys.readouterr()
    assert captured.err == note
    assert json.loads(captured.out)["version"] == ""
    assert main(["import", "--format", "icews", str(ICEWS), "--into", str(tmp_path / "c"), "--between", "CN", "RU",
                 "--version", "Dataverse V37"]) == 0
    assert note not in capsys.readouterr().err
    assert main(["import", "--format", "gdelt", str(GDELT), *base]) == 0
    assert "note:" not in capsys.readouterr().err


def test_the_interchange_package_exports_its_all() -> None:
    """``from eurasia_events.interchange import *`` gives exactly ``__all__``: its public names, each documented."""
    import eurasia_events.interchange as interchange

    namespace: dict[str, object] = {}
    exec("from eurasia_events.interchange import *", namespace)
    exported = {name for name in namespace if not name.startswith("__")}
    public = {name for name in dir(interchange)
              if not name.startswith("_") and not isinstance(getattr(interchange, name), type(interchange))}
    assert exported == set(interchange.__all__) == public
    assert all(getattr(interchange, name).__doc__ for name in interchange.__all__
               if callable(getattr(interchange, name)))


def test_sigint_while_the_readers_are_imported_is_an_interruption(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C while `import` loads its readers (compiling them, on a first run: the random-moment
    test above once landed there) says it was interrupted, in one line, and writes nothing."""
    import types

    class Interrupted(types.ModuleType):
        def __getattr__(self, name: str) -> object:
            raise KeyboardInterrupt

    into = tmp_path / "imported"
    monkeypatch.setitem(sys.modules, "eurasia_events.interchange.importer", Interrupted("importer"))
    assert main(["import", "--format", "gdelt", str(GDELT), "--into", str(into), "--between", "CN", "RU"]) == 130
    assert capsys.readouterr().err == f"interrupted: nothing was imported; {into} is as it was\n"
    assert not into.exists()


@pytest.mark.parametrize("where", ["_parser", "_Progress"])
def test_sigint_before_a_command_starts_is_an_interruption(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                           where: str) -> None:
    """Ctrl-C while the command line's parser is made (argparse asks the terminal's size: the
    random-moment test above once landed there) or as `import` starts: one line, exit 130, no
    traceback, nothing written."""
    from unittest import mock

    import eurasia_events.cli as cli

    into = tmp_path / "imported"
    with mock.patch.object(cli, where, side_effect=KeyboardInterrupt):
        assert main(["import", "--format", "gdelt", str(GDELT), "--into", str(into), "--between", "CN", "RU"]) == 130
    said = {"_parser": "interrupted: nothing was done\n",
            "_Progress": f"interrupted: nothing was imported; {into} is as it was\n"}[where]
    assert capsys.readouterr().err == said
    assert not into.exists()


def test_sigint_while_the_import_reports_says_what_it_imported(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    """Ctrl-C once the batch is in the log, while the report is printed: exit 130, and the one
    line says the import was done and what it appended (not that nothing was imported)."""
    from unittest import mock

    import eurasia_events.cli as cli

    into = tmp_path / "imported"
    with mock.patch.object(cli, "dumps", side_effect=KeyboardInterrupt):
        assert main(["import", "--format", "gdelt", str(GDELT), "--into", str(into), "--between", "CN", "RU",
                     "--report", "json"]) == 130
    err = capsys.readouterr().err
    assert err.startswith("interrupted after the import: ")
    assert "appended 15 events" in err
    assert len(ee.load(into)) == 15
