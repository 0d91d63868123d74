"""The dataset readers (ICEWS, GDELT 2.0, POLECAT) and the dyad filter, on fixtures in the real layouts."""

from __future__ import annotations

import datetime as dt
import gzip
import pickle
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import eurasia_events as ee
from eurasia_events.interchange import formats
from eurasia_events.interchange.dyad import ISO_ALPHA3, Dyad, DyadMatch
from eurasia_events.interchange.formats import (
    GDELT_COLUMNS,
    ICEWS_COLUMNS,
    POLECAT_COLUMNS,
    DatasetFormatError,
    DatasetRow,
    read_rows,
)

FIXTURES = Path(__file__).parent / "fixtures" / "interchange"
ICEWS = FIXTURES / "icews.tab"
GDELT = FIXTURES / "gdelt.export.CSV"
POLECAT = FIXTURES / "polecat.txt"
UTC = dt.UTC


@pytest.fixture(scope="module")
def entities() -> ee.EntityRegistry:
    """The bundled registry."""
    return ee.EntityRegistry.from_file(ee.bundled_path() / "entities.json")


@pytest.fixture(scope="module")
def cn_ru(entities: ee.EntityRegistry) -> Dyad:
    """The China-Russia dyad."""
    return Dyad("CN", "RU", entities)


def rows(path: Path | str, fmt: str, **kwargs: object) -> list[DatasetRow]:
    return list(read_rows(path, fmt, **kwargs))  # type: ignore[arg-type]


def edited(tmp_path: Path, source: Path, line: int, column: int, value: str, name: str | None = None) -> Path:
    """A copy of ``source`` with one field of one line replaced (``column`` 0-based)."""
    lines = source.read_bytes().split(b"\n")
    fields = lines[line - 1].split(b"\t")
    fields[column] = value.encode("utf-8")
    lines[line - 1] = b"\t".join(fields)
    target = tmp_path / (name or source.name)
    target.write_bytes(b"\n".join(lines))
    return target


def error_of(path: Path, fmt: str, **kwargs: object) -> DatasetFormatError:
    with pytest.raises(DatasetFormatError) as caught:
        rows(path, fmt, **kwargs)
    return caught.value


# --- the layouts, field by field ---------------------------------------------------------------------------


def test_layouts_have_the_documented_columns() -> None:
    """ICEWS has 20 columns, GDELT 2.0 61 fields ending DATEADDED, SOURCEURL; POLECAT's 40 names."""
    assert len(ICEWS_COLUMNS) == 20
    assert ICEWS_COLUMNS[0] == "Event ID"
    assert ICEWS_COLUMNS[-1] == "Longitude"
    assert len(GDELT_COLUMNS) == 61
    assert GDELT_COLUMNS[26] == "EventCode"
    assert GDELT_COLUMNS[-2:] == (
        "DATEADDED", "SOURCEURL")
    assert len(POLECAT_COLUMNS) == 40
    assert len(set(POLECAT_COLUMNS)) == 40
    assert ICEWS.read_bytes().split(b"\n", 1)[0].decode() == "\t".join(ICEWS_COLUMNS)


def test_icews_row_field_by_field() -> None:
    """An ICEWS row: every field as the file gives it, the date parsed, the key Event ID@date."""
    assert rows(ICEWS, "icews")[0] == DatasetRow(
        dataset="icews", line=2, record="32889836@2018-06-01", date=dt.date(2018, 6, 1),
        source_name="Xi Jinping",
        source_sectors="Elite,Executive,Executive Office,Government,(National) Major Party,Parties",
        source_country="China", target_name="Vladimir Putin",
        target_sectors="Elite,Executive,Executive Office,Government",
        target_country="Russian Federation", code="036", scheme="cameo", mode="", context=(), intensity=4.0,
        quad_class=None, text="Express intent to meet or negotiate", story="story 47400351, sentence 2",
        publisher="Xinhua News Agency", place="Beijing, Beijing Shi, China", added=None)


def test_icews_text_is_kept_as_written() -> None:
    """Quotes are text (no quote processing), non-ASCII survives, empty fields are empty."""
    row = rows(ICEWS, "icews")[1]
    assert row.text == "Meet at a 'third' location"
    assert row.publisher == 'Interfax – "Russia & CIS General Newswire"'
    assert row.code == "044"
    assert row.intensity == 2.5
    assert row.place == "Astana, Astana Qalasy, Kazakhstan"  # the empty District is left out
    turkey = rows(ICEWS, "icews")[3]
    assert turkey.source_name == "Recep Tayyip Erdoğan"
    assert turkey.target_sectors == ""
    police = rows(ICEWS, "icews")[5]
    assert police.intensity is None
    assert police.place.startswith("Ürümqi, ")
    russia = rows(ICEWS, "icews")[7]
    assert russia.story == ""
    assert russia.place == "Russian Federation"
    assert russia.intensity == -8.0


def test_icews_event_id_repeats_on_another_day() -> None:
    """ICEWS repeats an Event ID on another date: the record key pairs it with the date."""
    keys = [row.record for row in rows(ICEWS, "icews")]
    assert "32889836@2018-06-01" in keys
    assert "32889836@2018-06-03" in keys
    assert len(set(keys)) == len(keys)


def test_gdelt_row_field_by_field() -> None:
    """A GDELT 2.0 row: actors, types joined, EventCode as text, Goldstein, QuadClass, DATEADDED in UTC."""
    assert rows(GDELT, "gdelt")[0] == DatasetRow(
        dataset="gdelt", line=1, record="1037260214", date=dt.date(2022, 2, 4),
        source_name="CHINA", source_country="CHN", source_sectors="GOV",
        target_name="RUSSIA", target_country="RUS", target_sectors="GOV",
        code="057", scheme="cameo", mode="", context=(), intensity=8.0, quad_class=1, text="",
        story="https://www.example.com/2022/02/04/china-russia-joint-statement.html", publisher="",
        place="Beijing, Beijing, China", added=dt.datetime(2022, 2, 4, 11, 45, tzinfo=UTC))


def test_gdelt_event_code_keeps_its_leading_zeros() -> None:
    """EventCode stays a string: 042 and 0311 keep their zeros."""
    by_record = {row.record: row for row in rows(GDELT, "gdelt")}
    assert by_record["1037260215"].code == "042"
    assert by_record["1037260219"].code == "0311"
    assert by_record["1037260215"].place == "Ürümqi, Xinjiang, China"
    assert by_record["1037260215"].added == dt.datetime(2022, 2, 4, 12, 0, tzinfo=UTC)


def test_gdelt_empty_second_actor() -> None:
    """A GDELT event without an Actor2: its fields are empty, not an error."""
    row = {r.record: r for r in rows(GDELT, "gdelt")}["1037260217"]
    assert (row.target_name, row.target_country, row.target_sectors) == ("", "", "")
    assert row.intensity == 0.0
    assert row.quad_class == 1


def test_polecat_row_field_by_field() -> None:
    """A POLECAT row: PLOVER type lower-cased, mode, contexts, quad class from Quad Code, None as empty."""
    assert rows(POLECAT, "polecat")[0] == DatasetRow(
        dataset="polecat", line=2, record="20220204-7f3a9c1e_1", date=dt.date(2022, 2, 4),
        source_name="Xi Jinping", source_country="CHN", source_sectors="GOV; ELI",
        target_name="Vladimir Putin", target_country="RUS", target_sectors="GOV; ELI",
        code="consult", scheme="plover", mode="visit", context=("executive", "military"), intensity=1.0,
        quad_class=1, text="", story="", publisher="Xinhua", place="Beijing", added=None)
    second = rows(POLECAT, "polecat")[1]
    assert (second.code, second.mode, second.context, second.quad_class) == ("agree", "", (), 1)
    accused = rows(POLECAT, "polecat")[2]
    assert (accused.source_name, accused.source_country, accused.place) == ("", "CHN; RUS", "")
    assert accused.intensity == -3.0
    assert accused.quad_class == 3


def test_polecat_header_by_name_bom_and_crlf() -> None:
    """Another release: columns reordered, 'Event Intensity', extra columns, a BOM and CRLF."""
    plain = rows(POLECAT, "polecat")[:2]
    other = rows(FIXTURES / "polecat_bom.txt", "polecat")
    assert [r.line for r in other] == [2, 3]
    for a, b in zip(plain, other, strict=True):
        assert (a.record, a.date, a.code, a.mode, a.context, a.intensity, a.quad_class, a.source_name,
                a.source_country, a.target_name, a.target_country, a.publisher, a.place) == (
                b.record, b.date, b.code, b.mode, b.context, b.intensity, b.quad_class, b.source_name,
                b.source_country, b.target_name, b.target_country, b.publisher, b.place)
    assert other[0].story == "89412377"
    assert other[0].text == "Xi Jinping met Vladimir Putin in Beijing."
    assert other[1].story == ""
    assert other[0].source_sectors == ""


def test_icews_columns_are_found_by_header_name(tmp_path: Path) -> None:
    """An ICEWS file with its columns in another order, and one more, reads the same."""
    lines = [line.split(b"\t") for line in ICEWS.read_bytes().rstrip(b"\n").split(b"\n")]
    shuffled = tmp_path / "shuffled.tab"
    shuffled.write_bytes(b"".join(b"\t".join([*reversed(fields), b"Extra" if n == 0 else b"x"]) + b"\n"
                                  for n, fields in enumerate(lines)))
    assert rows(shuffled, "icews") == rows(ICEWS, "icews")


def test_crlf_and_bom_read_like_plain_files(tmp_path: Path) -> None:
    """CRLF line ends and a UTF-8 byte order mark change nothing, line numbers included."""
    assert rows(FIXTURES / "icews_crlf.tab", "icews") == rows(ICEWS, "icews")
    bom = tmp_path / "bom.tab"
    bom.write_bytes(b"\xef\xbb\xbf" + ICEWS.read_bytes())
    assert rows(bom, "icews") == rows(ICEWS, "icews")
    gdelt_bom = tmp_path / "bom.CSV"
    gdelt_bom.write_bytes(b"\xef\xbb\xbf" + GDELT.read_bytes().replace(b"\n", b"\r\n"))
    assert rows(gdelt_bom, "gdelt") == rows(GDELT, "gdelt")


def test_blank_lines_are_skipped_and_numbering_stays_physical(tmp_path: Path, cn_ru: Dyad) -> None:
    """Blank lines are skipped; a row keeps its physical line number, with or without a dyad."""
    lines = ICEWS.read_bytes().split(b"\n")
    spaced = tmp_path / "spaced.tab"
    spaced.write_bytes(b"\n".join([b"", lines[0], lines[1], b"", b"\r", *lines[2:]]))
    assert [r.line for r in rows(spaced, "icews")] == [3, 6, 7, 8, 9, 10, 11, 12]
    assert [r.line for r in rows(spaced, "icews", dyad=cn_ru)] == [3, 6, 9, 12]


def test_compressed_files(tmp_path: Path) -> None:
    """.gz files and one-file .zip archives (as GDELT ships them) read directly."""
    gz = tmp_path / "x.export.CSV.gz"
    gz.write_bytes(gzip.compress(GDELT.read_bytes()))
    archive = tmp_path / "20220204114500.export.CSV.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("20220204114500.export.CSV", GDELT.read_bytes())
    assert rows(gz, "gdelt") == rows(archive, "gdelt") == rows(GDELT, "gdelt")
    two = tmp_path / "two.zip"
    with zipfile.ZipFile(two, "w") as out:
        out.writestr("a.txt", b"")
        out.writestr("b.txt", b"")
    assert "exactly one file; this one holds a.txt, b.txt" in str(error_of(two, "gdelt"))


def test_lines_straddling_read_blocks(monkeypatch: pytest.MonkeyPatch, cn_ru: Dyad) -> None:
    """Tiny read blocks (lines split across them) give the same rows and line numbers."""
    cases = [(ICEWS, "icews"), (FIXTURES / "icews_crlf.tab", "icews"), (GDELT, "gdelt"), (POLECAT, "polecat"),
             (FIXTURES / "polecat_bom.txt", "polecat")]
    expected = {(path, dyad is None): rows(path, fmt, dyad=dyad) for path, fmt in cases for dyad in (None, cn_ru)}
    for size in (1, 7, 64, 333):
        monkeypatch.setattr(formats, "_CHUNK", size)
        for path, fmt in cases:
            for dyad in (None, cn_ru):
                assert rows(path, fmt, dyad=dyad) == expected[path, dyad is None], (path, size)


def test_generated_files_follow_the_layouts(tmp_path: Path, cn_ru: Dyad) -> None:
    """The benchmark's generator writes files the readers accept, with the dyad rows it reports."""
    sys.path.insert(0, str(Path(__file__).parents[1]))
    try:
        from bench import interchange_gen as gen
    finally:
        sys.path.pop(0)
    for name, fmt, write in (("i.tab", "icews", gen.write_icews), ("g.CSV", "gdelt", gen.write_gdelt),
                             ("p.txt", "polecat", gen.write_polecat)):
        dyads = write(tmp_path / name, 3000, 7, 0.05)
        every = rows(tmp_path / name, fmt)
        kept = rows(tmp_path / name, fmt, dyad=cn_ru)
        assert len(every) == 3000
        assert 100 < dyads < 200
        assert kept == [row for row in every if cn_ru.match(row)]
        assert len(kept) == dyads


# --- the dyad ---------------------------------------------------------------------------------------------


def test_dyad_keeps_both_directions_and_drops_the_rest(cn_ru: Dyad) -> None:
    """Rows between China and Russia, either way round, and no others; the direction initiator first."""
    kept = rows(ICEWS, "icews", dyad=cn_ru)
    assert [(r.line, cn_ru.direction(r)) for r in kept] == [(2, "CN->RU"), (3, "RU->CN"), (6, "CN->RU"),
                                                           (9, "RU->CN")]
    gdelt = rows(GDELT, "gdelt", dyad=cn_ru)
    assert [(r.line, cn_ru.direction(r)) for r in gdelt] == [(1, "CN->RU"), (2, "RU->CN"), (6, "CN->RU"),
                                                            (7, "CN->RU")]
    polecat = rows(POLECAT, "polecat", dyad=cn_ru)
    assert [(r.line, cn_ru.direction(r)) for r in polecat] == [(2, "CN->RU"), (3, "RU->CN"), (5, "CN->RU"),
                                                              (7, "CN->RU")]


def test_dyad_either_order_gives_the_same_rows(entities: ee.EntityRegistry, cn_ru: Dyad) -> None:
    """Dyad(RU, CN) keeps the same rows; the direction still follows the row."""
    ru_cn = Dyad("Russia", "PRC", entities)
    for path, fmt in ((ICEWS, "icews"), (GDELT, "gdelt"), (POLECAT, "polecat")):
        kept = rows(path, fmt, dyad=ru_cn)
        assert kept == rows(path, fmt, dyad=cn_ru)
        assert [ru_cn.direction(r) for r in kept] == [cn_ru.direction(r) for r in kept]


def test_dyad_keeps_exactly_the_rows_it_matches(cn_ru: Dyad, entities: ee.EntityRegistry) -> None:
    """The byte-level prefilter loses nothing: the rows kept are those the exact check accepts."""
    for dyad in (cn_ru, Dyad("CN", "sco", entities), Dyad("US", "CN", entities), Dyad("RU", "UA", entities)):
        for path, fmt in ((ICEWS, "icews"), (GDELT, "gdelt"), (POLECAT, "polecat")):
            assert rows(path, fmt, dyad=dyad) == [r for r in rows(path, fmt) if dyad.match(r)], (dyad, path)


def test_dyad_resolves_ids_names_and_aliases(entities: ee.EntityRegistry) -> None:
    """Either side may be an id, a name or an alias; the attributes are the registry ids."""
    dyad = Dyad("China", "Russian Federation", entities)
    assert (dyad.a, dyad.b) == ("CN", "RU")
    assert repr(Dyad("prc", "moscow", entities)) == "Dyad('CN', 'RU')"
    with pytest.raises(ee.UnknownEntityError, match="Chinna"):
        Dyad("Chinna", "RU", entities)
    with pytest.raises(ee.InvalidEventError, match="two different entities"):
        Dyad("China", "PRC", entities)


def test_dyad_sides_by_country_and_by_name(cn_ru: Dyad) -> None:
    """A side is a state by its country field (name or alpha-3 code) or by the actor's name, any case."""
    assert cn_ru.sides("Government (China)", "China", "Citizen (Russia)", "Russian Federation") == DyadMatch("CN", "RU")
    assert cn_ru.sides("XYZ", "RUS", "ABC", "chn") == DyadMatch("RU", "CN")
    assert cn_ru.sides("BEIJING", "", "  moscow ", "") == DyadMatch("CN", "RU")
    assert cn_ru.sides("china", "", "CHINA", "") is None  # both sides China
    assert cn_ru.sides("Xi Jinping", "", "Vladimir Putin", "") is None  # persons are not their states
    assert cn_ru.which("", "CHN; RUS", lists=True) == {"CN", "RU"}
    assert cn_ru.which("", "CHN; RUS") == frozenset()
    assert cn_ru.sides("", "CHN; RUS", "", "RUS", lists=True) == DyadMatch("CN", "RU")
    assert DyadMatch("RU", "CN").direction == "RU->CN"


def test_dyad_with_a_non_state_matches_by_name(entities: ee.EntityRegistry) -> None:
    """An organisation is recognised by its names only (ICEWS: empty country, name an alias)."""
    kept = rows(ICEWS, "icews", dyad=Dyad("CN", "sco", entities))
    assert [(r.line, r.target_name) for r in kept] == [(8, "Shanghai Cooperation Organization")]
    gazprom = Dyad("RU", "gazprom", entities)
    assert gazprom.sides("Gazprom", "Russian Federation", "Russia", "") == DyadMatch("gazprom", "RU")
    assert gazprom.which("PJSC GAZPROM", "") == {"gazprom"}
    assert gazprom.which("", "Gazprom") == frozenset()  # a country field names states only


def test_dyad_names_in_other_scripts_and_cases(tmp_path: Path, entities: ee.EntityRegistry) -> None:
    """Aliases with non-ASCII letters are found in the raw bytes whatever their case."""
    lines = ICEWS.read_bytes().split(b"\n")
    source = tmp_path / "source.tab"
    source.write_bytes(b"\n".join(lines[:2]))
    path = edited(tmp_path, source, 2, 2, "TÜRKIYE", "a.tab")
    path = edited(tmp_path, path, 2, 4, "", "a.tab")
    path = edited(tmp_path, path, 2, 8, "НК «РОСНЕФТЬ»", "a.tab")
    path = edited(tmp_path, path, 2, 10, "", "a.tab")
    dyad = Dyad("TR", "rosneft", entities)
    kept = rows(path, "icews", dyad=dyad)
    assert [dyad.direction(r) for r in kept] == ["TR->rosneft"]


def test_state_codes_cover_the_registry_states(entities: ee.EntityRegistry) -> None:
    """Every state of the bundled registry has its alpha-3 code in the table, and only those."""
    states = {e.id for e in entities.values() if e.kind is ee.EntityKind.STATE}
    assert set(ISO_ALPHA3) == states
    assert ISO_ALPHA3["CN"] == "CHN"
    assert ISO_ALPHA3["RU"] == "RUS"
    assert ISO_ALPHA3["KG"] == "KGZ"
    assert all(len(code) == 3 and code.isupper() for code in ISO_ALPHA3.values())


# --- the date range ---------------------------------------------------------------------------------------


def test_date_range_is_inclusive(cn_ru: Dyad) -> None:
    """start and end keep the rows dated between them, both days included; days or ISO text."""
    assert [r.line for r in rows(ICEWS, "icews", start="2018-06-02", end="2018-06-03")] == [5, 6, 7, 8]
    assert [r.line for r in rows(ICEWS, "icews", start=dt.date(2018, 6, 2), end=dt.date(2018, 6, 3),
                                 dyad=cn_ru)] == [6]
    assert [r.line for r in rows(GDELT, "gdelt", start="2023-01-01")] == [6, 7]
    assert [r.line for r in rows(POLECAT, "polecat", end="2022-02-05", dyad=cn_ru)] == [2, 3]


def test_date_range_takes_months_and_years(cn_ru: Dyad) -> None:
    """A month or a year stands for its days, as log.interactions and the command line read them: start its
    first day, end its last."""
    assert [r.line for r in rows(ICEWS, "icews", start="2018-06", end="2018-06")] == [2, 3, 4, 5, 6, 7, 8]
    assert [r.line for r in rows(ICEWS, "icews", start="2019")] == [9]
    assert [r.line for r in rows(ICEWS, "icews", end="2018")] == [2, 3, 4, 5, 6, 7, 8]
    assert [r.line for r in rows(ICEWS, "icews", start="2018-07", end="2019-03")] == [9]
    assert [r.line for r in rows(GDELT, "gdelt", start="2023", dyad=cn_ru)] == [6, 7]
    assert rows(GDELT, "gdelt", start="2022-03", end="2022") == []


def test_bad_arguments_fail_at_the_call() -> None:
    """An unknown format or a malformed range raises when read_rows is called, not later."""
    with pytest.raises(ee.InvalidEventError, match="unknown dataset format 'acled'"):
        read_rows(ICEWS, "acled")
    with pytest.raises(ee.InvalidEventError, match="start must be a day, a month or a year"):
        read_rows(ICEWS, "icews", start="2018-06~")
    with pytest.raises(ee.InvalidEventError, match="end must be a day, a month or a year"):
        read_rows(ICEWS, "icews", end="June 2018")
    with pytest.raises(ee.InvalidEventError, match="ends"):
        read_rows(ICEWS, "icews", start="2018-06-03", end="2018-06-01")


# --- bad rows ---------------------------------------------------------------------------------------------


def assert_names(error: DatasetFormatError, path: Path, line: int | None, column: str | None, *words: str) -> None:
    assert (error.file, error.line, error.column) == (str(path), line, column)
    text = str(error)
    assert text.startswith(f"{path}:{line}" if line is not None else str(path))
    if column is not None:
        assert f"field {column!r}" in text
    for word in words:
        assert word in text, text


def test_bad_date_fixture(cn_ru: Dyad) -> None:
    """The ICEWS bad-row fixture: line 3's impossible date, with or without the dyad."""
    path = FIXTURES / "icews_bad_rows.tab"
    for dyad in (None, cn_ru):
        error = error_of(path, "icews", dyad=dyad)
        assert_names(error, path, 3, "Event Date", "not a date YYYY-MM-DD", "'2018-06-31'")
        assert error.value == "2018-06-31"
    assert isinstance(error, ee.InvalidEventError)
    assert isinstance(error, ValueError)


@pytest.mark.parametrize(("column", "value", "words"), [
    (7, "strong", ("Intensity", "not a number", "'strong'")),
    (7, "12", ("Intensity", "from -10 to 10", "'12'")),
    (7, "nan", ("Intensity", "from -10 to 10")),
    (6, "", ("CAMEO Code", "empty, but the field is required")),
    (6, "42", ("CAMEO Code", "not a CAMEO event code", "'42'")),
    (6, "21", ("CAMEO Code", "not a CAMEO event code")),
    (6, "001", ("CAMEO Code", "not a CAMEO event code")),
    (0, "32889836x", ("Event ID", "not a whole number")),
    (0, "", ("Event ID", "empty")),
    (1, "20180601", ("Event Date", "not a date")),
    (11, "story-1", ("Story ID", "not a whole number")),
    (12, "2nd", ("Sentence Number", "not a whole number")),
])
def test_icews_bad_field(tmp_path: Path, cn_ru: Dyad, column: int, value: str, words: tuple[str, ...]) -> None:
    """Each bad ICEWS field is an error naming the file, the line and the column."""
    path = edited(tmp_path, ICEWS, 3, column, value)
    for dyad in (None, cn_ru):  # line 3 is a China-Russia row: checked in both modes
        assert_names(error_of(path, "icews", dyad=dyad), path, 3, words[0], *words[1:])


def test_wrong_field_count(tmp_path: Path, cn_ru: Dyad) -> None:
    """A row with a field too many or too few: named by line, also outside the dyad."""
    lines = ICEWS.read_bytes().split(b"\n")
    lines[4] = lines[4].rsplit(b"\t", 1)[0]  # line 5: Turkey-Russia, 19 fields
    path = tmp_path / "short.tab"
    path.write_bytes(b"\n".join(lines))
    for dyad in (None, cn_ru):
        assert_names(error_of(path, "icews", dyad=dyad), path, 5, None, "expected 20 tab-separated fields",
                     "found 19", "'32891170'")
    lines = ICEWS.read_bytes().split(b"\n")
    lines[1] += b"\textra"  # line 2: a China-Russia row, 21 fields
    path.write_bytes(b"\n".join(lines))
    for dyad in (None, cn_ru):
        assert_names(error_of(path, "icews", dyad=dyad), path, 2, None, "found 21")
    assert_names(error_of(FIXTURES / "gdelt_bad_rows.export.CSV", "gdelt"), FIXTURES / "gdelt_bad_rows.export.CSV",
                 2, None, "expected 61 tab-separated fields (GDELT 2.0", "found 60")


def test_header_problems(tmp_path: Path) -> None:
    """A header lacking a column, naming one twice, or no header at all."""
    lines = ICEWS.read_bytes().split(b"\n")
    path = tmp_path / "h.tab"
    path.write_bytes(b"\n".join([lines[0].replace(b"CAMEO Code", b"Code"), *lines[1:]]))
    assert_names(error_of(path, "icews"), path, 1, "CAMEO Code", "lacks the column(s) 'CAMEO Code'")
    path.write_bytes(b"\n".join([lines[0].replace(b"Publisher", b"City"), *lines[1:]]))
    assert_names(error_of(path, "icews"), path, 1, "City", "names this column twice")
    path.write_bytes(b"")
    assert_names(error_of(path, "icews"), path, None, None, "empty file")
    assert rows(path, "gdelt") == []
    header = POLECAT.read_bytes().split(b"\n")[0].replace(b"Actor Country", b"Actor Nation")
    path.write_bytes(header + b"\n")
    assert_names(error_of(path, "polecat"), path, 1, "Actor Country", "lacks")


def test_a_file_of_another_format_has_no_header(tmp_path: Path) -> None:
    """A file whose first line lacks most of the format's columns is not one of its files: the error says so,
    naming the columns expected and what the line holds (truncated), not a column of that line."""
    error = error_of(GDELT, "icews")  # a GDELT record names GOV twice: that is not what to say
    assert_names(error, GDELT, 1, None, "no ICEWS header", "starting Event ID, Event Date, Source Name",
                 "61 fields, as a GDELT 2.0 record", "'1037260214\\t20220204\\t202202\\t2022\\t...'")
    assert "twice" not in str(error)
    error = error_of(ICEWS, "polecat")  # shares Event ID and Event Date
    assert_names(error, ICEWS, 1, None, "no POLECAT header: a POLECAT file starts with a header row with the "
                 "columns Event ID, Event Date, Event Type, Actor Name", "'Event ID\\tEvent Date\\tSource Name")
    assert "GDELT" not in str(error)
    assert_names(error_of(POLECAT, "icews"), POLECAT, 1, None, "no ICEWS header")
    lines = ICEWS.read_bytes().split(b"\n")
    path = tmp_path / "gov.tab"
    path.write_bytes(b"\n".join([lines[0] + b"\tGOV\tGOV", *lines[1:]]))  # an ICEWS header naming one twice
    assert_names(error_of(path, "icews"), path, 1, "GOV", "names this column twice")


def test_not_utf8(tmp_path: Path, cn_ru: Dyad) -> None:
    """A byte that is not UTF-8 is an error naming its column."""
    lines = ICEWS.read_bytes().split(b"\n")
    lines[1] = lines[1].replace(b"Xi Jinping", b"Xi Jinp\xefng")
    path = tmp_path / "latin1.tab"
    path.write_bytes(b"\n".join(lines))
    for dyad in (None, cn_ru):
        assert_names(error_of(path, "icews", dyad=dyad), path, 2, "Source Name", "not UTF-8", "0xef")


@pytest.mark.parametrize(("column", "value", "name", "words"), [
    (1, "20220230", "SQLDATE", ("not a date YYYYMMDD", "'20220230'")),
    (1, "2022-02-04", "SQLDATE", ("not a date YYYYMMDD",)),
    (1, "2022024", "SQLDATE", ("not a date YYYYMMDD",)),
    (0, "ID1037260214", "GLOBALEVENTID", ("not a whole number",)),
    (26, "57", "EventCode", ("not a CAMEO event code", "'57'")),
    (26, "", "EventCode", ("empty",)),
    (29, "5", "QuadClass", ("1, 2, 3 or 4", "'5'")),
    (30, "eight", "GoldsteinScale", ("not a number",)),
    (59, "2022020411450", "DATEADDED", ("YYYYMMDDHHMMSS", "'2022020411450'")),
    (59, "20220204250000", "DATEADDED", ("YYYYMMDDHHMMSS",)),
])
def test_gdelt_bad_field(tmp_path: Path, cn_ru: Dyad, column: int, value: str, name: str,
                         words: tuple[str, ...]) -> None:
    """Each bad GDELT field is an error naming the file, the line and the codebook's field name."""
    path = edited(tmp_path, GDELT, 2, column, value)
    for dyad in (None, cn_ru):
        assert_names(error_of(path, "gdelt", dyad=dyad), path, 2, name, *words)


def test_gdelt_empty_dateadded_is_none(tmp_path: Path) -> None:
    """DATEADDED is nullable in the codebook: empty gives no time."""
    assert rows(edited(tmp_path, GDELT, 2, 59, ""), "gdelt")[1].added is None


@pytest.mark.parametrize(("column", "value", "name", "words"), [
    (2, "NEGOTIATE", "Event Type", ("not a PLOVER event type", "'NEGOTIATE'")),
    (2, "None", "Event Type", ("empty",)),
    (5, "SOMEWHAT COOPERATIVE", "Quad Code", ("not a quad class",)),
    (4, "-11", "Intensity", ("from -10 to 10",)),
    (1, "04/02/2022", "Event Date", ("not a date",)),
    (0, "None", "Event ID", ("empty",)),
])
def test_polecat_bad_field(tmp_path: Path, cn_ru: Dyad, column: int, value: str, name: str,
                           words: tuple[str, ...]) -> None:
    """Each bad POLECAT field is an error naming the file, the line and the header's column."""
    path = edited(tmp_path, POLECAT, 2, column, value)
    for dyad in (None, cn_ru):
        assert_names(error_of(path, "polecat", dyad=dyad), path, 2, name, *words)


def test_polecat_bad_rows_fixture_and_release_names(tmp_path: Path) -> None:
    """The POLECAT bad-row fixture (line 3); an error names the column as the header spells it."""
    path = FIXTURES / "polecat_bad_rows.txt"
    assert_names(error_of(path, "polecat"), path, 3, "Event Type", "'NEGOTIATE'")
    lines = (FIXTURES / "polecat_bom.txt").read_bytes().split(b"\r\n")
    fields = lines[1].split(b"\t")
    fields[4] = b"lots"
    lines[1] = b"\t".join(fields)
    other = tmp_path / "release.txt"
    other.write_bytes(b"\r\n".join(lines))
    assert_names(error_of(other, "polecat"), other, 2, "Event Intensity", "not a number", "'lots'")


def test_error_survives_pickling_and_relocation() -> None:
    """DatasetFormatError pickles (multiprocessing) and can be re-located to another file name."""
    error = error_of(FIXTURES / "icews_bad_rows.tab", "icews")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.file, copy.line, copy.column, copy.value, str(copy)) == (
        error.file, error.line, error.column, error.value, str(error))
    moved = error.located("original.tab", None)
    assert isinstance(moved, DatasetFormatError)
    assert str(moved).startswith("original.tab:3, field 'Event Date'")


# --- reading past bad rows, counting rows -----------------------------------------------------------------------


def several_bad(tmp_path: Path) -> Path:
    """The ICEWS fixture with bad rows in and out of the China-Russia dyad (its rows are lines 2, 3, 6, 9).

    Line 3 (dyad) an impossible date; line 4 (Japan) a field too many and line 5 (Turkey-Russia) a field too
    few, so the file's tab count is still the layout's; line 7 (Chinese police) an intensity that is no number;
    line 8 (China-SCO) a byte that is not UTF-8; line 9 (dyad) a CAMEO code that lost its zero.
    """
    lines = ICEWS.read_bytes().split(b"\n")

    def put(line: int, column: int, value: bytes) -> None:
        fields = lines[line - 1].split(b"\t")
        fields[column] = value
        lines[line - 1] = b"\t".join(fields)

    put(3, 1, b"2018-06-31")
    lines[3] += b"\textra"
    lines[4] = lines[4].rsplit(b"\t", 1)[0]
    put(7, 7, b"strong")
    put(8, 2, b"Chin\xe4")
    put(9, 6, b"42")
    path = tmp_path / "several_bad.tab"
    path.write_bytes(b"\n".join(lines))
    return path


ALL_BAD = [(3, "Event Date"), (4, None), (5, None), (7, "Intensity"), (8, "Source Name"), (9, "CAMEO Code")]


@pytest.mark.parametrize("chunk", [formats._CHUNK, 7, 64, 333])
def test_errors_list_collects_every_bad_row_in_file_order(tmp_path: Path, cn_ru: Dyad,
                                                          monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    """With an errors list, each bad row is noted in file order with its physical line and reading goes on; with
    a dyad, every line's field count is checked and the values of the dyad's rows only."""
    monkeypatch.setattr(formats, "_CHUNK", chunk)
    path = several_bad(tmp_path)
    errors: list[DatasetFormatError] = []
    assert [row.line for row in read_rows(path, "icews", errors=errors)] == [2, 6]
    assert [(e.line, e.column) for e in errors] == ALL_BAD
    assert all(isinstance(e, DatasetFormatError) and e.file == str(path) for e in errors)
    assert "found 21" in str(errors[1])
    assert "found 19" in str(errors[2])
    errors = []
    assert [row.line for row in read_rows(path, "icews", dyad=cn_ru, errors=errors)] == [2, 6]
    assert [(e.line, e.column) for e in errors] == [bad for bad in ALL_BAD if bad[0] not in (7, 8)]
    for dyad in (None, cn_ru):  # without a list the first bad row raises, as before
        assert_names(error_of(path, "icews", dyad=dyad), path, 3, "Event Date", "not a date")
    path.write_bytes(ICEWS.read_bytes())
    errors = []
    assert rows(path, "icews", dyad=cn_ru, errors=errors) == rows(ICEWS, "icews", dyad=cn_ru)
    assert errors == []


def test_offsetting_field_counts_outside_the_dyad_are_each_found(tmp_path: Path, cn_ru: Dyad) -> None:
    """A row with a field too many and another with one too few, both outside the dyad: each is found, though
    the block's tab count is the layout's."""
    lines = ICEWS.read_bytes().split(b"\n")
    lines[3] += b"\textra"
    lines[6] = lines[6].rsplit(b"\t", 1)[0]
    path = tmp_path / "offset.tab"
    path.write_bytes(b"\n".join(lines))
    assert_names(error_of(path, "icews", dyad=cn_ru), path, 4, None, "found 21")
    errors: list[DatasetFormatError] = []
    assert [row.line for row in read_rows(path, "icews", dyad=cn_ru, errors=errors)] == [2, 3, 6, 9]
    assert [(e.line, e.column) for e in errors] == [(4, None), (7, None)]


def test_a_bad_last_line_without_its_newline(tmp_path: Path, cn_ru: Dyad) -> None:
    """The file's last line, without a newline and outside the dyad, is checked for its field count too."""
    lines = GDELT.read_bytes().rstrip(b"\n").split(b"\n")
    lines[4] = lines[4].rsplit(b"\t", 1)[0]  # line 5: Russia-Ukraine, 60 fields
    path = tmp_path / "last.CSV"
    path.write_bytes(b"\n".join(lines[:5]))
    errors: list[DatasetFormatError] = []
    assert [row.line for row in read_rows(path, "gdelt", dyad=cn_ru, errors=errors)] == [1, 2]
    assert [(e.line, e.column) for e in errors] == [(5, None)]


def test_header_problems_raise_even_with_an_errors_list(tmp_path: Path) -> None:
    """A bad header or an empty file is no bad row: it raises though an errors list is given."""
    path = tmp_path / "h.tab"
    lines = ICEWS.read_bytes().split(b"\n")
    path.write_bytes(b"\n".join([lines[0].replace(b"CAMEO Code", b"Code"), *lines[1:]]))
    with pytest.raises(DatasetFormatError, match="lacks the column"):
        rows(path, "icews", errors=[])
    path.write_bytes(b"\n\n")
    with pytest.raises(DatasetFormatError, match="empty file"):
        rows(path, "icews", errors=[])


def data_rows(data: bytes, fmt: str) -> int:
    """The rows of a file's bytes counted naively: lines not blank, less the header row."""
    lines = data.removeprefix(b"\xef\xbb\xbf").split(b"\n")
    return sum(1 for line in lines if line.strip(b"\r")) - (fmt != "gdelt")


@pytest.mark.parametrize(("source", "fmt"), [(ICEWS, "icews"), (FIXTURES / "icews_crlf.tab", "icews"),
                                             (GDELT, "gdelt"), (POLECAT, "polecat"),
                                             (FIXTURES / "polecat_bom.txt", "polecat")])
def test_stats_count_the_rows_scanned(tmp_path: Path, cn_ru: Dyad, monkeypatch: pytest.MonkeyPatch, source: Path,
                                      fmt: str) -> None:
    """ReadStats.rows is the number of data rows, kept or not (not the header, not blank lines), with and without
    a dyad or a date range, whatever the read block size; it adds up over reads."""
    data = source.read_bytes()
    end = b"\r\n" if b"\r\n" in data else b"\n"
    bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""  # stays the file's first bytes
    lines = data.removeprefix(bom).split(end)
    crlf = b"\r" if end == b"\n" else b""  # a line ending \r\n in a \n file
    spaced = [lines[0], b"", *lines[1:2], b"", crlf, *lines[2:]]  # blank lines after the first and inside
    if fmt != "gdelt":
        spaced.insert(0, b"")  # and before the header
    cases = {"plain": data, "spaced": bom + end.join(spaced) + end,
             "no final newline": bom + end.join(spaced).rstrip(b"\r\n")}
    for name, content in cases.items():
        path = tmp_path / f"{name}{source.suffix}"
        path.write_bytes(content)
        want = data_rows(content, fmt)
        assert want == data_rows(data, fmt) >= 2
        for chunk in (formats._CHUNK, 7, 100):
            monkeypatch.setattr(formats, "_CHUNK", chunk)
            for options in ({}, {"dyad": cn_ru}, {"start": "2023-01-01"}, {"dyad": cn_ru, "end": "2000-01-01"}):
                stats = formats.ReadStats()
                kept = rows(path, fmt, stats=stats, **options)
                assert stats.rows == want, (name, chunk, options)
                assert len(kept) <= want
    stats = formats.ReadStats()
    rows(source, fmt, stats=stats)
    rows(source, fmt, dyad=cn_ru, stats=stats)
    assert stats.rows == 2 * data_rows(data, fmt)


def test_stats_count_bad_rows_too(tmp_path: Path, cn_ru: Dyad) -> None:
    """A bad row is a row scanned: the several-bad file has 8, with and without the dyad."""
    path = several_bad(tmp_path)
    for dyad in (None, cn_ru):
        stats = formats.ReadStats()
        rows(path, "icews", dyad=dyad, errors=[], stats=stats)
        assert stats.rows == 8


DATA_LINES = ICEWS.read_bytes().split(b"\n")[1:9]  # the fixture's 8 rows; China-Russia: the 1st, 2nd, 5th, 8th
DYAD_ROWS = {0, 1, 4, 7}


@given(plan=st.lists(st.tuples(st.integers(0, 7),
                               st.sampled_from(["ok", "ok", "more", "fewer", "date", "blank", "cr"])), max_size=40),
       chunk=st.sampled_from([7, 64, 600, 1 << 23]), final_newline=st.booleans())
def test_reading_past_bad_counts_agrees_with_a_naive_reading(cn_ru: Dyad, plan: list[tuple[int, str]], chunk: int,
                                                              final_newline: bool) -> None:
    """Any mix of good rows, rows with a field too many or too few, rows with a bad date and blank lines: the rows
    kept, the errors (in order, by line) and the rows counted are those a line-by-line reading gives, with and
    without the dyad (which checks the values of its own rows only)."""
    made = {"ok": lambda raw: raw, "more": lambda raw: raw + b"\tx", "fewer": lambda raw: raw.rsplit(b"\t", 1)[0],
            "date": lambda raw: b"\t".join([raw.split(b"\t", 2)[0], b"2018-02-30", raw.split(b"\t", 2)[2]]),
            "blank": lambda raw: b"", "cr": lambda raw: b"\r"}
    lines = [DATA_LINES[index] if kind == "ok" else made[kind](DATA_LINES[index]) for index, kind in plan]
    body = b"\n".join([ICEWS.read_bytes().split(b"\n")[0], *lines]) + (b"\n" if final_newline else b"")
    counted = sum(kind not in ("blank", "cr") for _, kind in plan)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mixed.tab"
        path.write_bytes(body)
        saved = formats._CHUNK
        formats._CHUNK = chunk
        try:
            for dyad in (None, cn_ru):
                errors: list[DatasetFormatError] = []
                stats = formats.ReadStats()
                kept = [row.line for row in read_rows(path, "icews", dyad=dyad, errors=errors, stats=stats)]
                assert kept == [number for number, (index, kind) in enumerate(plan, start=2)
                                if kind == "ok" and (dyad is None or index in DYAD_ROWS)]
                assert [(e.line, e.column) for e in errors] == [
                    (number, None if kind != "date" else "Event Date") for number, (index, kind) in
                    enumerate(plan, start=2) if kind in ("more", "fewer") or (
                        kind == "date" and (dyad is None or index in DYAD_ROWS))]
                assert stats.rows == counted
        finally:
            formats._CHUNK = saved
