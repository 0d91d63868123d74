"""Readers for three machine-coded event datasets, each in its documented column layout.

Every reader yields :class:`DatasetRow` values (one per event record) from
:func:`read_rows`; a malformed row raises :class:`DatasetFormatError` naming the file,
the physical line, the column and the bad value (or, given an ``errors`` list, is noted
there and passed over). A :class:`ReadStats` counts the rows scanned.

**ICEWS** (Boschee et al., "ICEWS Coded Event Data", Harvard Dataverse,
doi:10.7910/DVN/28075, https://dataverse.harvard.edu/dataset.xhtml?persistentId=doi:10.7910/DVN/28075):
tab-separated ``.tab`` files, UTF-8, a header row naming the 20 columns
:data:`ICEWS_COLUMNS`; no quote processing (quotes inside a field are text: the icews R
package reads the files with ``quote = ""``, https://github.com/andybega/icews,
``R/read_events_tsv.R``); an empty field is missing. ``Event ID`` alone is not unique
(a few ids recur with another ``Event Date``; Beger, "ICEWS event data",
https://www.andybeger.com/icews/articles/icews-event-data.html), so a row's record key is
``"<Event ID>@<Event Date>"``.

**GDELT 2.0 events** ("The GDELT Event Database Data Format Codebook V2.0", 2/19/2015,
http://data.gdeltproject.org/documentation/GDELT-Event_Codebook-V2.0.pdf): one record per
line, separated by ``\\n``, 61 tab-separated fields (:data:`GDELT_COLUMNS`) and no header
row, though the files are named ``.export.CSV``. ``EventCode`` is kept as text (the
codebook: "stored as a string instead of an integer, since the CAMEO taxonomy can include
zero-leaded event codes"); ``DATEADDED`` is ``YYYYMMDDHHMMSS`` "in the UTC timezone".
The codebook does not name an encoding; the files are read as UTF-8.

**POLECAT** (POLECAT Weekly Data, Harvard Dataverse, doi:10.7910/DVN/AJGVIT; coded in the
PLOVER ontology, https://github.com/openeventdata/PLOVER): tab-separated ``.txt`` files
with a header row. The search tools reached no codebook page listing the columns; the
40 names of :data:`POLECAT_COLUMNS` are those that published code reading the released
files spells out (``#!Event ID\\tEvent Date\\tEvent Type\\tEvent Mode\\tIntensity\\tQuad
Code\\tContexts\\tActor Name\\t...``), and releases differ ("Intensity" or "Event
Intensity"; some add "Headline", "Event Text", "Feed", "Story ID"). So the reader goes by
header names, not positions: column order does not matter, and only the columns it uses
must be there. A missing value is written ``None``.

All three: a UTF-8 byte order mark before the first line is dropped, ``\\r\\n`` line ends
are accepted, blank lines are skipped, ``.gz`` files and ``.zip`` archives holding one
file are read directly.
"""

from __future__ import annotations

import datetime as dt
import gzip
import math
import operator
import os
import re
import zipfile
from collections.abc import Generator, Iterator
from itertools import repeat
from typing import IO, TYPE_CHECKING, Any, Protocol

import attrs

from eurasia_events.dates import query_period
from eurasia_events.errors import InvalidDateError, InvalidEventError
from eurasia_events.events import CODE_FORMS, PLOVER_TYPES

if TYPE_CHECKING:
    from eurasia_events.interchange.dyad import Dyad

__all__ = [
    "CAMEO_CODE",
    "FORMATS",
    "GDELT_COLUMNS",
    "ICEWS_COLUMNS",
    "PLOVER_EVENT_TYPES",
    "POLECAT_COLUMNS",
    "DatasetFormatError",
    "DatasetRow",
    "ReadStats",
    "range_bound",
    "read_rows",
]

FORMATS = ("icews", "gdelt", "polecat")
"""The dataset formats :func:`read_rows` reads."""

ICEWS_COLUMNS = (
    "Event ID", "Event Date", "Source Name", "Source Sectors", "Source Country", "Event Text",
    "CAMEO Code", "Intensity", "Target Name", "Target Sectors", "Target Country", "Story ID",
    "Sentence Number", "Publisher", "City", "District", "Province", "Country", "Latitude", "Longitude",
)
"""The header row of an ICEWS event file, in file order."""

GDELT_COLUMNS = (
    "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
    "Actor1Code", "Actor1Name", "Actor1CountryCode", "Actor1KnownGroupCode", "Actor1EthnicCode",
    "Actor1Religion1Code", "Actor1Religion2Code", "Actor1Type1Code", "Actor1Type2Code", "Actor1Type3Code",
    "Actor2Code", "Actor2Name", "Actor2CountryCode", "Actor2KnownGroupCode", "Actor2EthnicCode",
    "Actor2Religion1Code", "Actor2Religion2Code", "Actor2Type1Code", "Actor2Type2Code", "Actor2Type3Code",
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
    "NumMentions", "NumSources", "NumArticles", "AvgTone",
    "Actor1Geo_Type", "Actor1Geo_FullName", "Actor1Geo_CountryCode", "Actor1Geo_ADM1Code", "Actor1Geo_ADM2Code",
    "Actor1Geo_Lat", "Actor1Geo_Long", "Actor1Geo_FeatureID",
    "Actor2Geo_Type", "Actor2Geo_FullName", "Actor2Geo_CountryCode", "Actor2Geo_ADM1Code", "Actor2Geo_ADM2Code",
    "Actor2Geo_Lat", "Actor2Geo_Long", "Actor2Geo_FeatureID",
    "ActionGeo_Type", "ActionGeo_FullName", "ActionGeo_CountryCode", "ActionGeo_ADM1Code", "ActionGeo_ADM2Code",
    "ActionGeo_Lat", "ActionGeo_Long", "ActionGeo_FeatureID",
    "DATEADDED", "SOURCEURL",
)
"""The 61 fields of a GDELT 2.0 event record, in file order (the files have no header)."""

POLECAT_COLUMNS = (
    "Event ID", "Event Date", "Event Type", "Event Mode", "Intensity", "Quad Code", "Contexts",
    "Actor Name", "Actor Country", "Actor COW", "Primary Actor Sector", "Actor Sectors", "Actor Title",
    "Actor Name Raw", "Wikipedia Actor ID",
    "Recipient Name", "Recipient Country", "Recipient COW", "Primary Recipient Sector", "Recipient Sectors",
    "Recipient Title", "Recipient Name Raw", "Wikipedia Recipient ID",
    "Placename", "City", "District", "Province", "Country", "Latitude", "Longitude", "GeoNames ID",
    "Raw Placename", "Feature Type", "Source", "Publication Date", "Story People", "Story Organizations",
    "Story Locations", "Language", "Version",
)
"""The header row of a POLECAT file as seen in released files (read by name, in any order)."""

PLOVER_EVENT_TYPES = frozenset(PLOVER_TYPES)
"""The 16 PLOVER event types (POLECAT ``Event Type``, lower-cased), as a coded interaction takes them."""

CAMEO_CODE = CODE_FORMS["cameo"]
"""A CAMEO event code as text: root 01-20, then up to two more digits (``"042"``, ``"0874"``)."""

_QUADS = {"verbal cooperation": 1, "material cooperation": 2, "verbal conflict": 3, "material conflict": 4}
_BOM = b"\xef\xbb\xbf"
_CHUNK = 1 << 23  # bytes read at a time: whole lines are handled a block at once
_NOT_SEPARATORS = bytes(c for c in range(256) if c not in b"\t\n")  # translate() drops these: tabs and newlines stay


class DatasetFormatError(InvalidEventError):
    """A dataset file does not follow its format: names the file, line, column and bad value.

    Attributes ``file``, ``line`` (1-based, physical), ``column`` (the header name, or the
    codebook's field name for GDELT), ``value`` (the text found, if any) and ``message``.
    """

    def __init__(self, file: str | None, line: int | None, column: str | None, message: str, *,
                 value: str | None = None) -> None:
        problem = message if value is None else f"{message}, got {_shown(value)}"
        super().__init__(problem, field=column, file=file, line=line)
        self.column = column
        self.value = value
        self.message = message

    def located(self, file: str | None, line: int | None) -> DatasetFormatError:
        """The same error, naming the file and line given (where known)."""
        return DatasetFormatError(file if file is not None else self.file, line if line is not None else self.line,
                                  self.column, self.message, value=self.value)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_error, (self.file, self.line, self.column, self.message, self.value))


def _rebuild_error(file: str | None, line: int | None, column: str | None, message: str,
                   value: str | None) -> DatasetFormatError:
    return DatasetFormatError(file, line, column, message, value=value)


def _shown(value: str) -> str:
    return repr(value) if len(value) <= 80 else repr(value[:77]) + "..."


@attrs.frozen(kw_only=True)
class DatasetRow:
    """One event record of a dataset, its fields as the dataset gives them.

    Text fields hold the dataset's raw text ("" when empty); only dates and numbers are
    parsed. ``source_*`` is the side that acts (ICEWS Source, GDELT Actor1, POLECAT
    Actor), ``target_*`` the side acted upon (Target, Actor2, Recipient).
    """

    dataset: str
    """``"icews"``, ``"gdelt"`` or ``"polecat"``."""
    line: int
    """1-based physical line of the file the row was read from (the header is line 1)."""
    record: str
    """The record's unique key: ICEWS ``"<Event ID>@<YYYY-MM-DD>"``, GDELT ``GLOBALEVENTID``, POLECAT ``Event ID``."""
    date: dt.date
    """The day the event happened (ICEWS ``Event Date``, GDELT ``SQLDATE``, POLECAT ``Event Date``)."""
    source_name: str
    """The acting side's name (ICEWS ``Source Name``, GDELT ``Actor1Name``, POLECAT ``Actor Name``)."""
    source_country: str
    """Its country: an ICEWS country name, a GDELT CAMEO country code, POLECAT alpha-3 codes (``;``-separated)."""
    source_sectors: str
    """Its sectors or types (ICEWS ``Source Sectors``, GDELT ``Actor1Type1-3Code`` joined with ``,``,
    POLECAT ``Actor Sectors``)."""
    target_name: str
    """The side acted upon, named as for ``source_name``."""
    target_country: str
    """Its country, as for ``source_country``."""
    target_sectors: str
    """Its sectors, as for ``source_sectors``."""
    code: str
    """The event code: CAMEO as text with its leading zeros (``"042"``), or a PLOVER type (``"consult"``)."""
    scheme: str
    """``"cameo"`` (ICEWS, GDELT) or ``"plover"`` (POLECAT)."""
    mode: str
    """The PLOVER event mode (POLECAT ``Event Mode``), else ``""``."""
    context: tuple[str, ...]
    """The PLOVER contexts (POLECAT ``Contexts``), lower-cased, else ``()``."""
    intensity: float | None
    """ICEWS ``Intensity``, GDELT ``GoldsteinScale``, POLECAT intensity: -10 to 10; ``None`` if empty."""
    quad_class: int | None
    """1 verbal cooperation, 2 material cooperation, 3 verbal conflict, 4 material conflict (GDELT
    ``QuadClass``, POLECAT ``Quad Code``); ``None`` where the dataset gives none (ICEWS)."""
    text: str
    """The dataset's description of the event (ICEWS ``Event Text``; POLECAT ``Event Text`` where present)."""
    story: str
    """Where the record was read: ICEWS ``"story 28235806, sentence 2"``, GDELT ``SOURCEURL``,
    POLECAT ``Story ID`` where present."""
    publisher: str
    """ICEWS ``Publisher``, POLECAT ``Source``; ``""`` for GDELT."""
    place: str
    """Where it happened: ICEWS City, District, Province, Country joined; GDELT ``ActionGeo_FullName``;
    POLECAT ``Placename`` (else City, Province, Country)."""
    added: dt.datetime | None
    """When the dataset added the record (GDELT ``DATEADDED``, UTC); ``None`` for the others."""


@attrs.define(kw_only=True)
class ReadStats:
    """What :func:`read_rows` counts as it reads: pass one as ``stats=`` and read it afterwards.

    The counts are added to, so one ``ReadStats`` can sum several files; they are complete
    once the iteration has ended.

    >>> from pathlib import Path
    >>> fixture = Path(__file__).parents[3] / "tests" / "fixtures" / "interchange" / "icews.tab"
    >>> stats = ReadStats()
    >>> kept = list(read_rows(fixture, "icews", start="2019-01-01", stats=stats))
    >>> len(kept), stats.rows
    (1, 8)
    """

    rows: int = 0
    """Data rows scanned: every line that is a row, kept or not, well formed or not (not the
    header row, not a blank line)."""


def read_rows(path: str | os.PathLike[str], fmt: str, *, dyad: Dyad | None = None,
              start: dt.date | str | None = None, end: dt.date | str | None = None,
              errors: list[DatasetFormatError] | None = None, stats: ReadStats | None = None) -> Iterator[DatasetRow]:
    """The rows of a dataset file, in file order.

    Args:
        path: the file (``.gz`` and one-file ``.zip`` archives are opened directly).
        fmt: ``"icews"``, ``"gdelt"`` or ``"polecat"``.
        dyad: keep only rows between the dyad's two entities, in either direction. Lines
            that do not contain a name or code of both (searched in the raw bytes) are
            skipped without being decoded: every line's field count is checked, the
            values of the rows kept only (a bad date outside the dyad passes).
        start: keep rows dated on or after this day: a date, ``YYYY-MM-DD``, or a month
            ``YYYY-MM`` or year ``YYYY`` (its first day), as :func:`~eurasia_events.dates.query_period` reads it.
        end: keep rows dated on or before this day (a month or year: its last day).
        errors: if a list, a bad row (a wrong number of fields, a value that does not
            parse, bytes that are not UTF-8) is appended to it, in file order, as its
            :class:`DatasetFormatError`, and the reading goes on with the next line
            (line numbers stay those of the file). With a dyad, the field count of every
            line is checked, the values of the rows between the two only.
        stats: a :class:`ReadStats` that the rows scanned are added to.

    Raises:
        DatasetFormatError: a row (unless ``errors`` is given) or the header does not
            follow the format, or the file is empty where a header is due; raised when
            the iteration reaches it.
        InvalidEventError: an unknown ``fmt`` or a malformed ``start``/``end`` (at the call).
        OSError: the file cannot be read.

    >>> from pathlib import Path
    >>> fixture = Path(__file__).parents[3] / "tests" / "fixtures" / "interchange" / "icews.tab"
    >>> row = next(read_rows(fixture, "icews"))
    >>> row.record, row.code, row.source_country, row.target_country
    ('32889836@2018-06-01', '036', 'China', 'Russian Federation')
    >>> errors = []
    >>> [row.line for row in read_rows(fixture.with_name("icews_bad_rows.tab"), "icews", errors=errors)]
    [2]
    >>> [(error.line, error.column) for error in errors]
    [(3, 'Event Date')]
    """
    if fmt not in FORMATS:
        raise InvalidEventError(f"unknown dataset format {fmt!r}; expected one of {', '.join(FORMATS)}")
    first, last = range_bound(start, "start", 0), range_bound(end, "end", 1)
    if first is not None and last is not None and last < first:
        raise InvalidEventError(f"the date range ends ({last}) before it starts ({first})")
    return _read(os.fspath(path), _READERS[fmt](os.fspath(path)), dyad, first, last, errors, stats)


def range_bound(value: dt.date | str | None, what: str, side: int) -> dt.date | None:
    """The first (``side`` 0) or last (1) day that ``value`` (a day, month or year) stands for, as
    :func:`~eurasia_events.query_period` reads it; ``what`` names it in the error.

    >>> range_bound("2019-02", "end", 1)
    datetime.date(2019, 2, 28)
    """
    if value is None:
        return None
    try:
        day = query_period(value)[side]
    except InvalidDateError as error:
        raise InvalidEventError(f"{what} must be a day, a month or a year: {error}") from None
    return dt.date(day.year, day.month, day.day)


# --- reading ---------------------------------------------------------------------------------------------


def _read(file: str, reader: _Reader, dyad: Dyad | None, first: dt.date | None, last: dt.date | None,
          errors: list[DatasetFormatError] | None, stats: ReadStats | None) -> Iterator[DatasetRow]:
    with _open(file) as handle:
        done = 0  # physical lines before the current span
        at_start, header_pending = True, reader.has_header
        for buf, start, end in _spans(handle):
            if at_start:
                at_start = False
                if buf.startswith(_BOM):
                    start += len(_BOM)
            if header_pending:
                start, done, header_pending = _header(file, reader, buf, start, end, done)
            if start >= end:
                continue
            if dyad is None:
                lines, rows = yield from _all_rows(file, reader, buf, start, end, done, first, last, errors)
            else:
                lines, rows = yield from _dyad_rows(file, reader, buf, start, end, done, dyad, first, last, errors)
            done += lines
            if stats is not None:
                stats.rows += rows
        if header_pending:
            raise DatasetFormatError(file, None, None, f"empty file: {_an(reader.name)} file starts with a header row")


def _header(file: str, reader: _Reader, buf: bytes, start: int, end: int, done: int) -> tuple[int, int, bool]:
    """Reads the header row if the span holds it: (where the rows start, lines done, still pending)."""
    while start < end:
        stop = buf.find(b"\n", start, end)
        stop = end if stop < 0 else stop
        done += 1
        raw = buf[start:stop]
        start = stop + 1
        if raw not in (b"", b"\r"):  # blank lines before the header are skipped
            reader.begin(_decode(file, done, raw, None), done)
            return min(start, end), done, False
    return end, done, True


def _bad(errors: list[DatasetFormatError] | None, error: DatasetFormatError) -> None:
    """Raises ``error``, or notes it in ``errors`` when the caller reads past bad rows."""
    if errors is None:
        raise error
    errors.append(error)


def _all_rows(file: str, reader: _Reader, buf: bytes, start: int, end: int, done: int, first: dt.date | None,
              last: dt.date | None,
              errors: list[DatasetFormatError] | None) -> Generator[DatasetRow, None, tuple[int, int]]:
    """Every row of the span, each checked; returns the number of lines and of rows (non-blank lines)."""
    chunk = buf[start:end]
    lines = chunk.split(b"\n")
    if chunk.endswith(b"\n"):
        lines.pop()
    bad: dict[int, DatasetFormatError] = {}
    rows = len(lines)
    if set(map(bytes.count, lines, repeat(b"\t"))) != {reader.fields - 1}:  # a bad count, or a blank line
        bad, rows = _check_counts(file, reader, lines, done)
    for index, raw in enumerate(lines):
        if raw in (b"", b"\r"):
            continue
        number = done + index + 1
        if bad and number in bad:
            _bad(errors, bad[number])
            continue
        try:
            row = reader.row(_decode(file, number, raw, reader), number)
        except DatasetFormatError as error:
            _bad(errors, error)
            continue
        if (first is None or row.date >= first) and (last is None or row.date <= last):
            yield row
    return len(lines), rows


def _dyad_rows(file: str, reader: _Reader, buf: bytes, start: int, end: int, done: int, dyad: Dyad,
               first: dt.date | None, last: dt.date | None,
               errors: list[DatasetFormatError] | None) -> Generator[DatasetRow, None, tuple[int, int]]:
    """The rows of the span between the dyad's two sides; returns the number of lines and of rows.

    A line is looked at only if its bytes (ASCII-lowered) contain a needle of the side
    with fewer needles, and then one of the other side: a handful of C-level scans of the
    whole span, instead of splitting and decoding every line. Field counts are checked
    for every line first (:func:`_uniform`), the rest only for the rows kept; bad rows
    come in file order.
    """
    total = _uniform(reader, buf, start, end)
    if total is None:  # some line has another field count, or is blank: find which
        chunk = buf[start:end]
        split = chunk.split(b"\n")
        if chunk.endswith(b"\n"):
            split.pop()
        bad, rows = _check_counts(file, reader, split, done)
        total = len(split)
    else:
        bad, rows = {}, total
    pending = list(bad.items())  # (line, error), in line order
    reported = 0
    needles_a, needles_b = dyad.needles()
    scan, other = (needles_a, needles_b) if len(needles_a) <= len(needles_b) else (needles_b, needles_a)
    low = buf.lower()
    lines: dict[int, int] = {}  # start -> end of each line holding a needle of the scanned side
    for needle in scan:
        hit = low.find(needle, start, end)
        while hit >= 0:
            before = low.rfind(b"\n", start, hit)
            stop = low.find(b"\n", hit, end)
            stop = end if stop < 0 else stop
            lines[before + 1 if before >= 0 else start] = stop
            hit = low.find(needle, stop, end)
    number, counted = done + 1, start  # the line at ``counted`` is line ``number``
    for begin in sorted(lines):
        stop = lines[begin]
        for needle in other:
            if low.find(needle, begin, stop) >= 0:
                break
        else:
            continue
        number += buf.count(b"\n", counted, begin)
        counted = begin
        if pending:
            while reported < len(pending) and pending[reported][0] <= number:
                _bad(errors, pending[reported][1])
                reported += 1
            if number in bad:
                continue
        try:
            fields = _decode(file, number, buf[begin:stop], reader)
            if dyad.sides(*reader.actors(fields), lists=reader.lists) is None:
                continue
            row = reader.row(fields, number)
        except DatasetFormatError as error:
            _bad(errors, error)
            continue
        if (first is None or row.date >= first) and (last is None or row.date <= last):
            yield row
    for _, late in pending[reported:]:
        _bad(errors, late)
    return total, rows


def _uniform(reader: _Reader, buf: bytes, start: int, end: int) -> int | None:
    """The number of lines in ``buf[start:end]`` if each has the format's field count, else ``None``.

    Checked without splitting: with all other bytes dropped, the span must read
    ``"\\t" * (fields - 1) + "\\n"`` once per line (a blank line fails too). Its last line
    may lack its newline (the file's last).
    """
    want = reader.fields - 1
    whole = max(buf.rfind(b"\n", start, end) + 1, start)  # where the span's last complete line ends
    skeleton = buf.translate(None, _NOT_SEPARATORS)  # the whole buffer: no copy of the span
    begin = buf.count(b"\t", 0, start) + buf.count(b"\n", 0, start)
    stop = len(skeleton) - buf.count(b"\t", whole) - buf.count(b"\n", whole)
    pattern = b"\t" * want + b"\n"
    full, rest = divmod(stop - begin, len(pattern))
    if rest or skeleton.count(pattern, begin, stop) != full:  # full occurrences filling the span: it is made of them
        return None
    if whole < end and buf.count(b"\t", whole, end) != want:
        return None
    return full + (whole < end)


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...

    def __enter__(self) -> _Readable: ...

    def __exit__(self, *exc: Any) -> Any: ...


def _open(file: str) -> _Readable:
    if file.endswith(".gz"):
        return gzip.open(file, "rb")
    if file.endswith(".zip"):
        archive = zipfile.ZipFile(file)
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) != 1:
            names = ", ".join(m.filename for m in members) or "nothing"
            archive.close()
            raise DatasetFormatError(file, None, None,
                                     f"a .zip archive must hold exactly one file; this one holds {names}")
        return _ZipMember(archive, archive.open(members[0]))
    return open(file, "rb", buffering=0)


class _ZipMember:
    """A member's stream that also closes its archive."""

    def __init__(self, archive: zipfile.ZipFile, stream: IO[bytes]) -> None:
        self._archive, self._stream = archive, stream

    def read(self, size: int = -1) -> bytes:
        return self._stream.read(size)

    def __enter__(self) -> _ZipMember:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stream.close()
        self._archive.close()


def _spans(handle: _Readable) -> Iterator[tuple[bytes, int, int]]:
    """The file as ``(buffer, start, end)``: ``buffer[start:end]`` holds whole lines.

    Each line ends with ``\\n`` except perhaps the file's last. Blocks are read as they are
    and not copied: only a line that straddles two blocks is put together.
    """
    carry = b""
    while True:
        block = handle.read(_CHUNK)
        if not block:
            if carry:
                yield carry, 0, len(carry)
            return
        begin = 0
        if carry:
            newline = block.find(b"\n")
            if newline < 0:
                carry += block
                continue
            joined = carry + block[: newline + 1]
            yield joined, 0, len(joined)
            begin, carry = newline + 1, b""
        cut = block.rfind(b"\n") + 1
        if cut > begin:
            yield block, begin, cut
        carry = block[max(cut, begin):]


def _check_counts(file: str, reader: _Reader, lines: list[bytes],
                  done: int) -> tuple[dict[int, DatasetFormatError], int]:
    """The lines (numbered from ``done + 1``) without the format's field count, each with its
    error, in line order; and the number of rows (lines that are not blank)."""
    want = reader.fields - 1
    bad: dict[int, DatasetFormatError] = {}
    rows = 0
    for index, raw in enumerate(lines):
        if raw in (b"", b"\r"):
            continue
        rows += 1
        count = raw.count(b"\t")
        if count != want:
            first_field = raw.split(b"\t", 1)[0].decode("utf-8", "replace")
            bad[done + index + 1] = DatasetFormatError(
                file, done + index + 1, None, f"expected {reader.fields} tab-separated fields{reader.fields_hint}, "
                f"found {count + 1} (row starting {_shown(first_field)})")
    return bad, rows


def _decode(file: str, number: int, raw: bytes, reader: _Reader | None) -> list[str]:
    # A CRLF line's \r ends its last field: every field read is stripped of whitespace.
    try:
        return raw.decode("utf-8").split("\t")
    except UnicodeDecodeError:
        pass
    for position, field in enumerate(raw.split(b"\t")):
        try:
            field.decode("utf-8")
        except UnicodeDecodeError as error:
            column = reader.column(position) if reader is not None else f"header field {position + 1}"
            raise DatasetFormatError(file, number, column,
                                     f"not UTF-8 text (byte {field[error.start]:#04x} at offset {error.start})",
                                     value=field.decode("utf-8", "replace")) from None
    raise AssertionError("unreachable: a line that fails to decode has a field that does")  # pragma: no cover


# --- field parsers ---------------------------------------------------------------------------------------


class _Reader:
    """One format: where its fields are and how a row is checked and built."""

    name = ""
    has_header = True
    lists = False  # actor and country fields hold ;-separated lists
    fields = 0
    fields_hint = ""

    def __init__(self, file: str) -> None:
        self.file = file
        self._days: dict[str, dt.date] = {}

    def begin(self, header: list[str], number: int) -> None:
        """Reads the header row (formats that have one)."""

    def column(self, position: int) -> str:
        """The name of the field at ``position`` (0-based)."""
        return f"field {position + 1}"

    def actors(self, fields: list[str]) -> tuple[str, str, str, str]:
        """Source name, source country, target name, target country."""
        raise NotImplementedError

    def row(self, fields: list[str], number: int) -> DatasetRow:
        raise NotImplementedError

    # shared checks

    def error(self, number: int, column: str, message: str, value: str | None = None) -> DatasetFormatError:
        return DatasetFormatError(self.file, number, column, message, value=value)

    def required(self, text: str, number: int, column: str) -> str:
        text = text.strip()
        if not text:
            raise self.error(number, column, "empty, but the field is required")
        return text

    def iso_day(self, text: str, number: int, column: str) -> dt.date:
        day = self._days.get(text)
        if day is None:
            value = self.required(text, number, column)
            try:
                if len(value) != 10 or value[4] != "-" or value[7] != "-":
                    raise ValueError
                day = dt.date.fromisoformat(value)
            except ValueError:
                raise self.error(number, column, "not a date YYYY-MM-DD", text) from None
            self._days[text] = day
        return day

    def whole(self, text: str, number: int, column: str, *, required: bool = False) -> str:
        value = text.strip()
        if not value and not required:
            return ""
        if not value.isascii() or not value.isdigit():
            raise self.error(number, column, "not a whole number" if value else "empty, but the field is required",
                             text if value else None)
        return value

    def number(self, text: str, number: int, column: str, *, missing: tuple[str, ...] = ("",)) -> float | None:
        value = text.strip()
        if value in missing:
            return None
        try:
            result = float(value)
        except ValueError:
            raise self.error(number, column, "not a number", text) from None
        if not math.isfinite(result) or not -10 <= result <= 10:
            raise self.error(number, column, "not a number from -10 to 10", text)
        return result

    def cameo(self, text: str, number: int, column: str) -> str:
        value = self.required(text, number, column)
        if not CAMEO_CODE.fullmatch(value):
            raise self.error(number, column, "not a CAMEO event code (two to four digits, root 01-20, "
                             "leading zeros kept)", text)
        return value


def _joined(*parts: str) -> str:
    return ", ".join(p for p in (part.strip() for part in parts) if p)


class _Icews(_Reader):
    name = "ICEWS"

    def begin(self, header: list[str], number: int) -> None:
        self.index = _header_index(self, header, number, required=ICEWS_COLUMNS)
        self.names = [name.strip() for name in header]
        self.fields = len(header)
        self.fields_hint = " (one per header column)"
        i = self.index
        self.i_source, self.i_source_country = i["Source Name"], i["Source Country"]
        self.i_target, self.i_target_country = i["Target Name"], i["Target Country"]
        # the columns a row is made of, in one C-level call (Latitude and Longitude are not kept)
        self.pick = operator.itemgetter(*(i[name] for name in ICEWS_COLUMNS[:-2]))

    def column(self, position: int) -> str:
        return self.names[position] if position < len(self.names) else f"field {position + 1}"

    def actors(self, fields: list[str]) -> tuple[str, str, str, str]:
        return (fields[self.i_source], fields[self.i_source_country], fields[self.i_target],
                fields[self.i_target_country])

    def row(self, fields: list[str], number: int) -> DatasetRow:
        (event_id, date, source_name, source_sectors, source_country, text, code, intensity, target_name,
         target_sectors, target_country, story, sentence, publisher, city, district, province,
         country) = self.pick(fields)
        event_id = self.whole(event_id, number, "Event ID", required=True)
        day = self.iso_day(date, number, "Event Date")
        story = self.whole(story, number, "Story ID")
        sentence = self.whole(sentence, number, "Sentence Number")
        if story:
            story = f"story {story}, sentence {sentence}" if sentence else f"story {story}"
        return DatasetRow(
            dataset="icews", line=number, record=f"{event_id}@{day.isoformat()}", date=day,
            source_name=source_name.strip(), source_country=source_country.strip(),
            source_sectors=source_sectors.strip(),
            target_name=target_name.strip(), target_country=target_country.strip(),
            target_sectors=target_sectors.strip(),
            code=self.cameo(code, number, "CAMEO Code"), scheme="cameo", mode="", context=(),
            intensity=self.number(intensity, number, "Intensity"), quad_class=None,
            text=text.strip(), story=story, publisher=publisher.strip(),
            place=_joined(city, district, province, country), added=None,
        )


class _Gdelt(_Reader):
    name = "GDELT"
    has_header = False
    fields = len(GDELT_COLUMNS)
    fields_hint = " (GDELT 2.0; a 1.0 file has 57 or 58)"

    def __init__(self, file: str) -> None:
        super().__init__(file)
        self._added: dict[str, dt.datetime] = {}

    def column(self, position: int) -> str:
        return GDELT_COLUMNS[position] if position < len(GDELT_COLUMNS) else f"field {position + 1}"

    def actors(self, fields: list[str]) -> tuple[str, str, str, str]:
        return fields[6], fields[7], fields[16], fields[17]

    def row(self, fields: list[str], number: int) -> DatasetRow:
        record = self.whole(fields[0], number, "GLOBALEVENTID", required=True)
        quad = fields[29].strip()
        if quad and quad not in ("1", "2", "3", "4"):
            raise self.error(number, "QuadClass", "not a QuadClass (1, 2, 3 or 4)", fields[29])
        return DatasetRow(
            dataset="gdelt", line=number, record=record, date=self._sqldate(fields[1], number),
            source_name=fields[6].strip(), source_country=fields[7].strip(),
            source_sectors=_types(fields[12], fields[13], fields[14]),
            target_name=fields[16].strip(), target_country=fields[17].strip(),
            target_sectors=_types(fields[22], fields[23], fields[24]),
            code=self.cameo(fields[26], number, "EventCode"), scheme="cameo", mode="", context=(),
            intensity=self.number(fields[30], number, "GoldsteinScale"), quad_class=int(quad) if quad else None,
            text="", story=fields[60].strip(), publisher="", place=fields[52].strip(),
            added=self._dateadded(fields[59], number),
        )

    def _sqldate(self, text: str, number: int) -> dt.date:
        day = self._days.get(text)
        if day is None:
            value = self.required(text, number, "SQLDATE")
            try:
                if len(value) != 8 or not value.isascii() or not value.isdigit():
                    raise ValueError
                day = dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
            except ValueError:
                raise self.error(number, "SQLDATE", "not a date YYYYMMDD", text) from None
            self._days[text] = day
        return day

    def _dateadded(self, text: str, number: int) -> dt.datetime | None:
        added = self._added.get(text)
        if added is None:
            value = text.strip()
            if not value:
                return None
            try:
                if len(value) != 14 or not value.isascii() or not value.isdigit():
                    raise ValueError
                added = dt.datetime(int(value[:4]), int(value[4:6]), int(value[6:8]), int(value[8:10]),
                                    int(value[10:12]), int(value[12:]), tzinfo=dt.UTC)
            except ValueError:
                raise self.error(number, "DATEADDED", "not a UTC time YYYYMMDDHHMMSS", text) from None
            self._added[text] = added
        return added


def _types(*codes: str) -> str:
    return ",".join(c for c in (code.strip() for code in codes) if c)


_POLECAT_REQUIRED = ("Event ID", "Event Date", "Event Type", "Actor Name", "Actor Country", "Recipient Name",
                     "Recipient Country")
_POLECAT_ALIASES = {"Event Intensity": "Intensity"}
_POLECAT_USED = ("Event ID", "Event Date", "Event Type", "Event Mode", "Intensity", "Quad Code", "Contexts",
                 "Actor Name", "Actor Country", "Actor Sectors", "Primary Actor Sector", "Recipient Name",
                 "Recipient Country", "Recipient Sectors", "Primary Recipient Sector", "Event Text", "Story ID",
                 "Source", "Placename", "City", "Province", "Country")
_CONTEXT_SEPARATOR = re.compile(r"[;,]")


class _Polecat(_Reader):
    name = "POLECAT"
    lists = True

    def begin(self, header: list[str], number: int) -> None:
        names = [_POLECAT_ALIASES.get(name.strip(), name.strip()) for name in header]
        self.index = _header_index(self, names, number, required=_POLECAT_REQUIRED, raw=header)
        self.names = [name.strip() for name in header]
        self.fields = len(header)
        self.fields_hint = " (one per header column)"
        i = self.index
        self.i_source, self.i_source_country = i["Actor Name"], i["Actor Country"]
        self.i_target, self.i_target_country = i["Recipient Name"], i["Recipient Country"]
        self.intensity_column = next((n.strip() for n in header if n.strip() in ("Intensity", "Event Intensity")),
                                     "Intensity")
        # the columns a row is made of, in one C-level call; a column this release lacks reads
        # the empty field appended past the last
        self.pick = operator.itemgetter(*(i.get(name, len(header)) for name in _POLECAT_USED))

    def column(self, position: int) -> str:
        return self.names[position] if position < len(self.names) else f"field {position + 1}"

    def actors(self, fields: list[str]) -> tuple[str, str, str, str]:
        return (_none(fields[self.i_source]), _none(fields[self.i_source_country]), _none(fields[self.i_target]),
                _none(fields[self.i_target_country]))

    def row(self, fields: list[str], number: int) -> DatasetRow:
        fields.append("")  # what a column missing from this release reads as
        (record, date, kind, mode, intensity, quad_text, contexts, source_name, source_country, source_sectors,
         source_sector, target_name, target_country, target_sectors, target_sector, text, story, publisher,
         placename, city, province, country) = map(_none, self.pick(fields))
        record = self.required(record, number, "Event ID")
        day = self.iso_day(date, number, "Event Date")
        code = self.required(kind, number, "Event Type").lower()
        if code not in PLOVER_EVENT_TYPES:
            raise self.error(number, "Event Type", "not a PLOVER event type ("
                             + ", ".join(sorted(PLOVER_EVENT_TYPES)) + ")", kind)
        quad: int | None = None
        if quad_text:
            quad = _QUADS.get(" ".join(quad_text.split()).lower())
            if quad is None and quad_text in ("1", "2", "3", "4"):
                quad = int(quad_text)
            if quad is None:
                raise self.error(number, "Quad Code", "not a quad class (VERBAL COOPERATION, MATERIAL COOPERATION, "
                                 "VERBAL CONFLICT, MATERIAL CONFLICT)", quad_text)
        return DatasetRow(
            dataset="polecat", line=number, record=record, date=day,
            source_name=source_name, source_country=source_country, source_sectors=source_sectors or source_sector,
            target_name=target_name, target_country=target_country, target_sectors=target_sectors or target_sector,
            code=code, scheme="plover", mode=mode.lower(),
            context=tuple(c.strip().lower() for c in _CONTEXT_SEPARATOR.split(contexts) if c.strip()),
            intensity=self.number(intensity, number, self.intensity_column), quad_class=quad,
            text=text, story=story, publisher=publisher, place=placename or _joined(city, province, country),
            added=None,
        )


def _none(text: str) -> str:
    """POLECAT writes a missing value as ``None``."""
    text = text.strip()
    return "" if text == "None" else text


def _header_index(reader: _Reader, names: list[str], number: int, *, required: tuple[str, ...],
                  raw: list[str] | None = None) -> dict[str, int]:
    present = {name.strip() for name in names}
    if 2 * sum(name in present for name in required) < len(required):  # most are missing: no header of this format
        raise _no_header(reader, raw or names, number, required)
    index: dict[str, int] = {}
    for position, name in enumerate(names):
        name = name.strip()
        if not name:
            continue  # an unnamed trailing column (some POLECAT releases)
        if name in index:
            raise DatasetFormatError(reader.file, number, name, "the header names this column twice")
        index[name] = position
    missing = [name for name in required if name not in index]
    if missing:
        shown = "\t".join((raw or names)[:4]) + ("\t..." if len(raw or names) > 4 else "")
        raise DatasetFormatError(reader.file, number, missing[0],
                                 f"the {reader.name} header row lacks the column(s) {', '.join(map(repr, missing))}",
                                 value=shown)
    return index


def _no_header(reader: _Reader, found: list[str], number: int, required: tuple[str, ...]) -> DatasetFormatError:
    """The first line is no header of the format: name the columns expected and what the line holds."""
    expected = ", ".join(required[:4]) + (", ..." if len(required) > 4 else "")
    order = "starting" if reader.name == "ICEWS" else "with the columns"
    hint = (f"; it has {len(found)} fields, as a GDELT 2.0 record (GDELT files have no header)"
            if len(found) == len(GDELT_COLUMNS) else "")
    shown = "\t".join(found[:4]) + ("\t..." if len(found) > 4 else "")
    return DatasetFormatError(reader.file, number, None,
                              f"no {reader.name} header: {_an(reader.name)} file starts with a header row {order} "
                              f"{expected}{hint}", value=shown)


def _an(name: str) -> str:
    return f"{'an' if name[0] in 'AEIOU' else 'a'} {name}"


_READERS: dict[str, type[_Reader]] = {"icews": _Icews, "gdelt": _Gdelt, "polecat": _Polecat}
