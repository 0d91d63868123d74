"""Import event-dataset files into a log of their own.

:func:`import_files` reads every file first, checking every row's field count and
the values of every row it keeps (a bad row stops the import before anything is written,
unless ``skip_bad``), then appends, in one batch (all or nothing, also when interrupted),
one :class:`~eurasia_events.events.CodedInteraction` per row kept and, where the
:mod:`mapping table <eurasia_events.interchange.mapping>` says the code means the same, one
typed event beside it (a meeting, a signed agreement, a sanctions measure). Every event
cites the dataset's record; its recorded time is when the dataset added the record
where the format says (GDELT ``DATEADDED``), else the time of the import.

The ids come from the records' keys, so importing a file again appends nothing: an id
the log already holds is skipped, and reported as changed if the row now gives other
values than the log holds.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Final

import attrs

from eurasia_events.dates import Instant, PartialDate
from eurasia_events.entities import EntityRegistry
from eurasia_events.errors import EurasiaEventsError, LogFormatError
from eurasia_events.events import Citation, CodedInteraction, Event, Meeting, SanctionsImposed, TreatySigned
from eurasia_events.interchange.dyad import Dyad
from eurasia_events.interchange.formats import (
    FORMATS,
    DatasetFormatError,
    DatasetRow,
    ReadStats,
    range_bound,
    read_rows,
)
from eurasia_events.interchange.mapping import MappingRow, cameo_name, lookup, slugify
from eurasia_events.log import ENTITIES_FILE, SOURCES_FILE, Log, bundled_path, load, open_store, registry_paths
from eurasia_events.postgres_store import is_postgres_url
from eurasia_events.sources import Source, SourceRegistry
from eurasia_events.sqlite_store import SQLITE_SUFFIXES
from eurasia_events.stores import FileStore

__all__ = ["DATASET_SOURCES", "BadRow", "ChangedRow", "ImportReport", "build_events", "event_id", "import_files"]

DATASET_SOURCES: Final[dict[str, dict[str, str]]] = {
    "icews": {
        "title": "ICEWS Coded Event Data", "publisher": "Harvard Dataverse (Boschee et al.)",
        "address": "https://dataverse.harvard.edu/dataset.xhtml?persistentId=doi:10.7910/DVN/28075",
        "version": "",
    },
    "gdelt": {
        "title": "GDELT 2.0 Event Database", "publisher": "The GDELT Project",
        "address": "https://www.gdeltproject.org/data.html", "version": "GDELT 2.0",
    },
    "polecat": {
        "title": "POLECAT Weekly Data", "publisher": "Harvard Dataverse",
        "address": "https://dataverse.harvard.edu/dataset.xhtml?persistentId=doi:10.7910/DVN/AJGVIT",
        "version": "",
    },
}
"""The source each dataset's events cite (id = the format's name), with its landing page
and the release assumed when ``version`` is not given (empty: unknown)."""

_TYPED: Final[dict[str, type[Event]]] = {"meeting": Meeting, "treaty_signed": TreatySigned,
                                        "sanctions_imposed": SanctionsImposed}


@attrs.frozen(kw_only=True)
class BadRow:
    """A row that does not follow its format (skipped with ``skip_bad``)."""

    file: str
    line: int | None
    column: str | None
    message: str


@attrs.frozen(kw_only=True)
class ChangedRow:
    """A row whose event the log already holds with other values (left as the log holds it)."""

    id: str
    file: str
    line: int


@attrs.frozen(kw_only=True)
class ImportReport:
    """What an import read and wrote."""

    log: str
    """Where the events went (the log's location)."""
    files: tuple[str, ...]
    scanned: int
    """Data rows read (every row of every file, before the dyad and date filters)."""
    kept: int
    """Rows between the dyad, in the date range (and well formed)."""
    new: int
    """Events appended: ``coded`` coded interactions plus ``typed`` typed events."""
    coded: int
    typed: int
    present: int
    """Events the log already held (skipped: a re-import appends nothing)."""
    changed: tuple[ChangedRow, ...]
    """Of those, the ones whose row now gives other values than the log holds."""
    bad: tuple[BadRow, ...]
    """Rows skipped as malformed (only with ``skip_bad``)."""
    version: str
    """The dataset's release the log's source records (``""``: not given, unknown)."""
    seconds: float

    @property
    def rows_per_second(self) -> float:
        """Rows scanned per second of the whole import."""
        return self.scanned / self.seconds if self.seconds > 0 else 0.0

    def to_json(self) -> dict[str, Any]:
        """As plain JSON values (``import --report json``)."""
        data = attrs.asdict(self)
        data["files"] = list(self.files)
        data["seconds"] = round(self.seconds, 3)
        return data

    def summary(self) -> str:
        """A few lines for people."""
        lines = [
            f"{self.log}: scanned {_n(self.scanned, 'row')} in {_n(len(self.files), 'file')}, kept {self.kept}; "
            f"appended {_n(self.new, 'event')} ({_n(self.coded, 'coded interaction')}, "
            f"{_n(self.typed, 'typed event')}), {self.present} already present; "
            f"{self.seconds:.2f} s ({self.rows_per_second:,.0f} rows/s)",
        ]
        for row in self.changed:
            lines.append(f"changed: {row.file}:{row.line}: {row.id} differs from what the log holds (kept as it is)")
        for bad in self.bad:
            column = f" ({bad.column})" if bad.column else ""
            lines.append(f"skipped bad row: {bad.file}:{bad.line}{column}: {bad.message}")
        return "\n".join(lines)


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


# --- ids and events ----------------------------------------------------------------------------------


def event_id(row: DatasetRow) -> str:
    """The coded interaction's id: ``icews-<event id>-<yyyymmdd>``, ``gdelt-<globaleventid>``,
    ``polecat-<slugified event id>``.

    >>> import datetime as dt
    >>> from eurasia_events.interchange.formats import DatasetRow
    >>> row = DatasetRow(dataset="icews", line=2, record="21563720@2014-05-20", date=dt.date(2014, 5, 20),
    ...     source_name="", source_country="", source_sectors="", target_name="", target_country="",
    ...     target_sectors="", code="042", scheme="cameo", mode="", context=(), intensity=None, quad_class=None,
    ...     text="", story="", publisher="", place="", added=None)
    >>> event_id(row)
    'icews-21563720-20140520'
    """
    if row.dataset == "icews":
        number, _, day = row.record.partition("@")
        return f"icews-{number}-{day.replace('-', '')}"
    if row.dataset == "gdelt":
        return f"gdelt-{row.record}"
    return f"polecat-{slugify(row.record)}"


@functools.lru_cache(maxsize=4096)
def _day(day: dt.date) -> PartialDate:
    """The day as a partial date (the same few thousand days recur across a file)."""
    return PartialDate.parse(day.isoformat())


def _label(entities: EntityRegistry, entity_id: str | None, raw: str) -> str:
    if entity_id is not None and entity_id in entities:
        return entities[entity_id].name
    return raw or "unknown actor"


def _what(row: DatasetRow) -> str:
    if row.scheme == "cameo":
        return f"{cameo_name(row.code)} (CAMEO {row.code})"
    return f"{row.code.capitalize()} (PLOVER {row.code}{'/' + row.mode if row.mode else ''})"


def build_events(row: DatasetRow, *, initiator: str | None, recipient: str | None, entities: EntityRegistry,
                 source: str | None = None) -> list[Event]:
    """The events one row becomes: its coded interaction, then the typed event the mapping
    table gives for its code (if any, and only when both sides are registry entities).

    Args:
        row: the dataset row.
        initiator: registry id of the row's source side, if recognised.
        recipient: registry id of the row's target side, if recognised.
        entities: the registry that names the sides in titles.
        source: the id of the dataset source cited (default: the row's dataset).
    """
    citation = Citation(source=source or row.dataset, record=row.record, locator=row.story)
    coded_id = event_id(row)
    sides = f"{_label(entities, initiator, row.source_name)} -> {_label(entities, recipient, row.target_name)}"
    title = f"{sides}: {_what(row)}"
    parties = tuple(dict.fromkeys(e for e in (initiator, recipient) if e is not None))
    coded = CodedInteraction(
        id=coded_id, date=_day(row.date), title=title, sources=(citation,), parties=parties,
        scheme=row.scheme, code=row.code, mode=row.mode, context=tuple(slugify(c) for c in row.context if slugify(c)),
        initiator=initiator, recipient=recipient, initiator_name=row.source_name, recipient_name=row.target_name,
        intensity=row.intensity, quad_class=row.quad_class, text=row.text, place=row.place,
        notes=f"Publisher: {row.publisher}." if row.publisher else "",
    )
    mapped = lookup(row.scheme, row.code, row.mode)
    if mapped.type == "coded_interaction" or initiator is None or recipient is None or initiator == recipient:
        return [coded]
    return [coded, _typed(mapped, row, coded, initiator, recipient, citation)]


def _typed(mapped: MappingRow, row: DatasetRow, coded: CodedInteraction, initiator: str, recipient: str,
           citation: Citation) -> Event:
    """The typed event of a mapped row: the table's fixed values, the type's fills (see ``FILLS``)."""
    typed_id = f"{coded.id}-{mapped.type.replace('_', '-')}"
    common: dict[str, Any] = {
        "id": typed_id, "date": coded.date, "title": coded.title, "sources": (citation,),
        "parties": (initiator, recipient), "related": (coded.id,),
        "notes": f"Imported from {row.dataset.upper()} record {row.record}, coded {_what(row)}; made a "
                 f"{mapped.type} by the interchange mapping table.",
        **dict(mapped.values),
    }
    if mapped.type == "meeting":
        common["location"] = row.place
    elif mapped.type == "treaty_signed":
        common["agreement"] = typed_id
    elif mapped.type == "sanctions_imposed":
        named = cameo_name(row.code) if row.scheme == "cameo" else row.code
        common.update(measure=typed_id, imposer=initiator, targets=(recipient,), description=row.text or named)
    return _TYPED[mapped.type](**common)


# --- the target log ------------------------------------------------------------------------------------


def _registry_folder(into: Path) -> Path:
    """The folder whose ``sources.json`` the imported log reads (as :func:`load` finds it)."""
    if into.is_dir() or (not into.exists() and into.suffix not in (".jsonl", *SQLITE_SUFFIXES)):
        return into
    return into.parent


def _refuse_curated(log: Log) -> None:
    """Refuse a log holding events that quote documents: imported events go into a log of their own."""
    if Path(log.location).resolve().parent == bundled_path().resolve() or any(
            b'"quote":"' in line for line in log.store.iter_lines(0)):
        raise LogFormatError(
            f"{log.location}: this log holds curated events (they quote source documents); imported events go "
            "into a log of their own: give --into a new folder, and read both with "
            "'eurasia-events --log CURATED --log IMPORTED ...' or ee.load(curated, imported)")


def _dataset_source(fmt: str, version: str | None, held: SourceRegistry | None) -> Source:
    known = held.get(fmt) if held is not None else None
    if known is not None:
        if known.kind != "dataset":
            raise LogFormatError(f"source {fmt!r} of the log is a {known.kind}, not the {fmt} dataset")
        if version is not None and version != known.version:
            raise LogFormatError(
                f"the log cites {fmt} {known.version or '(no version)'}; importing {version!r} into it would mix "
                f"releases under one source: import that release into another log")
        return known
    spec = DATASET_SOURCES[fmt]
    return Source(id=fmt, title=spec["title"], publisher=spec["publisher"], address=spec["address"],
                  kind="dataset", version=spec["version"] if version is None else version)


def _write_sources(folder: Path, sources: Iterable[Source]) -> None:
    """Write ``sources.json`` whole, through a temporary file (never half written)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / SOURCES_FILE
    text = json.dumps([s.to_record() for s in sources], ensure_ascii=False, indent=1) + "\n"
    handle, tmp = tempfile.mkstemp(dir=folder, prefix=".sources-", suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(tmp, target.stat().st_mode & 0o777 if target.exists() else 0o644)  # mkstemp made it 0600
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _existing(into: Path) -> Log | None:
    """The log at ``into``, if there is one (checked to be a log, and not the curated one)."""
    if not os.path.lexists(into):
        return None
    store = open_store(into)
    if not os.path.lexists(store.location):
        return None
    if isinstance(store, FileStore):
        _check_log_file(store.path)
    log = load(into)
    _refuse_curated(log)
    return log


def _check_log_file(path: Path) -> None:
    """Refuse an existing file whose first line is not a log record (an empty file is an empty log)."""
    try:
        with path.open("rb") as handle:
            first = handle.readline(1 << 16)
    except OSError as error:
        raise LogFormatError(f"{path}: cannot read: {error.strerror}") from None
    first = first.removeprefix(b"\xef\xbb\xbf").strip()
    if not first:
        return
    try:
        record = json.loads(first)
    except ValueError:
        record = None
    if not isinstance(record, dict) or not {"seq", "prev", "hash"} <= record.keys():
        shown = first[:60].decode("utf-8", "replace") + ("..." if len(first) > 60 else "")
        raise LogFormatError(
            f"not a log: {path} exists and its first line is not a log record (it reads {shown!r}); "
            "give --into a new folder or file, or a log made by an import")


def _target(into: Path, existing: Log | None, source: Source) -> Log:
    """The log to append to, with ``source`` in its registry (created, with its folder, if missing)."""
    folder = _registry_folder(into)
    if folder.resolve() == bundled_path().resolve():
        raise LogFormatError(f"{into}: refusing to add dataset sources to the curated log's {SOURCES_FILE}; "
                             "give --into a folder of its own")
    sources_file = folder / SOURCES_FILE
    held = SourceRegistry.from_file(sources_file) if sources_file.is_file() else SourceRegistry.from_records([])
    if source.id not in held:
        _write_sources(folder, [*held.values(), source])
        existing = None  # read it again, with its new source registry
    if existing is not None:
        return existing
    return load(into, create=True)


# --- the import ------------------------------------------------------------------------------------------


def import_files(
    paths: Iterable[str | os.PathLike[str]],
    fmt: str,
    *,
    into: str | os.PathLike[str],
    dyad: Dyad | tuple[str, str],
    start: Any = None,
    end: Any = None,
    version: str | None = None,
    skip_bad: bool = False,
    clock: Callable[[], Instant] | None = None,
) -> ImportReport:
    """Import dataset files into the log at ``into``: the rows between the dyad's two
    entities, dated from ``start`` to ``end``.

    Args:
        paths: the dataset files (``.gz`` and one-file ``.zip`` archives are read directly).
        fmt: ``"icews"``, ``"gdelt"`` or ``"polecat"``.
        into: the imported log: a folder (created, with its ``log.jsonl`` and a
            ``sources.json`` holding the dataset source, if missing), or a ``.jsonl`` or
            SQLite file (its ``sources.json`` sits beside it). Never the curated log.
        dyad: the two entities (a :class:`~eurasia_events.interchange.dyad.Dyad`, or two
            ids, names or aliases of the registry).
        start: first day kept: a date, a day ``YYYY-MM-DD``, or a month ``YYYY-MM`` or
            year ``YYYY`` (its first day).
        end: last day kept: a date, a day, or a month or year (its last day).
        version: the dataset's release (``"Dataverse V37"``), recorded in its source.
        skip_bad: import the good rows of a file with bad rows, reporting the bad ones;
            by default a bad row stops the import before anything is written. Checked
            are every row's field count and the values of the rows kept (between the
            dyad): a row outside the dyad is not decoded, so a bad value there passes.

    The events are appended in one batch, all or nothing: an import that fails or is
    interrupted (``KeyboardInterrupt``) while writing leaves the log as it was (a file
    log keeps the unfinished batch behind a journal that readers stop at and the next
    writer, or :func:`~eurasia_events.log.load`, rolls back). An interrupt that lands
    after the batch is committed is held until the import returns its report.
        clock: the import's time (default: now), the recorded time of records whose
            dataset gives none.

    Returns:
        An :class:`ImportReport`.

    Raises:
        DatasetFormatError: a bad row (file, line, column), unless ``skip_bad``.
        InvalidEventError: ``start`` or ``end`` is not a day, a month or a year.
        LogFormatError: ``into`` is an existing file that is not a log ("not a log"), the
            curated log (or a log quoting documents), a PostgreSQL URL, or cites another
            release of the dataset.
    """
    began = time.perf_counter()
    if fmt not in FORMATS:
        raise LogFormatError(f"unknown dataset format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if is_postgres_url(into):
        raise LogFormatError("import writes to a log folder or file: a PostgreSQL log reads the bundled source "
                             "registry, which holds no dataset source")
    first, last = range_bound(start, "start", 0), range_bound(end, "end", 1)  # as read_rows reads them, checked first
    target = Path(into)
    existing = _existing(target)
    entities = existing.entities if existing is not None else EntityRegistry.from_file(
        registry_paths(target)[0] if os.path.lexists(target) else bundled_path() / ENTITIES_FILE)
    pair = dyad if isinstance(dyad, Dyad) else Dyad(dyad[0], dyad[1], entities)
    files = tuple(os.fspath(p) for p in paths)

    # 1. Read every file, before anything is written: every row's field count, the values of the rows kept.
    rows: list[DatasetRow] = []
    where: list[str] = []
    bad: list[BadRow] = []
    scanned = ReadStats()
    for file in files:
        errors: list[DatasetFormatError] | None = [] if skip_bad else None  # else the first bad row raises
        for row in read_rows(file, fmt, dyad=pair, start=first, end=last, errors=errors, stats=scanned):
            rows.append(row)
            where.append(file)
        bad.extend(BadRow(file=file, line=error.line, column=error.column, message=error.problem)
                   for error in errors or ())

    # 2. The events, each row's coded interaction and typed event, ids new to this import.
    source = _dataset_source(fmt, version, existing.sources if existing is not None else None)
    now = (clock or Instant.now)()
    batch: list[Event] = []
    recorded: list[Instant] = []
    seen: dict[str, Event] = {}
    present = 0
    changed: list[ChangedRow] = []
    log_ids = existing.engine if existing is not None else None
    for row, file in zip(rows, where, strict=True):
        side = pair.match(row)
        made = build_events(row, initiator=side.initiator if side else None,
                            recipient=side.recipient if side else None, entities=entities, source=source.id)
        instant = Instant.from_datetime(row.added) if row.added is not None else now
        for event in made:
            if event.id in seen:  # the same record twice in the files
                held: Event | None = seen[event.id]
            elif log_ids is not None and log_ids.known(event.id):
                held = _held(existing, event.id)
            else:
                seen[event.id] = event
                batch.append(event)
                recorded.append(instant)
                continue
            present += 1
            if held is not None and held != event:
                changed.append(ChangedRow(id=event.id, file=file, line=row.line))

    # 3. Append, in one batch: all or nothing, also when interrupted.
    log = _target(target, existing, source)
    typed = sum(1 for e in batch if not isinstance(e, CodedInteraction))
    report = functools.partial(ImportReport, log=log.location, files=files, scanned=scanned.rows, kept=len(rows),
                               new=len(batch), coded=len(batch) - typed, typed=typed, present=present,
                               changed=tuple(changed), bad=tuple(bad), version=source.version)
    seq = log.last_seq
    try:
        log.append(batch, recorded=recorded)
        done = report(seconds=time.perf_counter() - began)
    except KeyboardInterrupt:
        if not _committed_past(log, seq):
            raise  # the batch is not in the log: it is as it was
        # else the interrupt came while the log read its new records back, or as the report was
        # made: the import is done
        done = report(seconds=time.perf_counter() - began)
    return done


def _committed_past(log: Log, seq: int) -> bool:
    """Whether the store holds a committed record after ``seq`` (readers stop before an unfinished batch)."""
    with contextlib.closing(log.store.iter_lines(seq)) as lines:
        return next(lines, None) is not None


def _held(log: Log | None, event_id: str) -> Event | None:
    """The event the log holds under ``event_id`` (``None`` if it was retracted)."""
    assert log is not None
    try:
        return log.get(event_id)
    except EurasiaEventsError:
        return None

