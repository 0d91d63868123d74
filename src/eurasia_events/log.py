"""The append-only, hash-chained event log.

:func:`load` reads a log (by default the bundled, curated one) and verifies every
record's hash and link; :meth:`Log.append` validates new events and appends all or
nothing. Nothing here edits or deletes a record: mistakes are fixed by appending a
:class:`~eurasia_events.events.Correction` or :class:`~eurasia_events.events.Retraction`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from ._gc import paused_gc
from .codec import GENESIS, Upcaster, decode_event, decode_record, encode_event, encode_record, verify_line
from .dates import DayLike, Instant, InstantLike, to_instant
from .entities import EntityRegistry
from .errors import (
    ConcurrencyError,
    IntegrityError,
    InvalidEventError,
    LogFormatError,
    UnknownEventError,
)
from .events import Amendment, Correction, Event, Record, Retraction
from .sources import SourceRegistry
from .sqlite_store import SQLITE_SUFFIXES, SQLiteStore, is_sqlite_file
from .stores import FileStore, MemoryStore, Store

if TYPE_CHECKING:
    from .projections import Projection
    from .query import State
    from .views import DiffRow, SeriesRow, TimelineRow, View

__all__ = ["LOG_FILE", "SQLITE_LOG_FILE", "Log", "bundled_path", "load", "open_store"]

LOG_FILE = "log.jsonl"
SQLITE_LOG_FILE = "log.sqlite"
ENTITIES_FILE = "entities.json"
SOURCES_FILE = "sources.json"


def bundled_path() -> Path:
    """The folder of the curated log shipped with the package (wheel or checkout)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "bundled_events", here.parents[1] / "events"):
        if (candidate / LOG_FILE).is_file():
            return candidate
    raise LogFormatError(
        f"the bundled log is missing: looked in {here / 'bundled_events'} and {here.parents[1] / 'events'}"
    )


def load(
    path: str | Path | None = None,
    *,
    upcasters: Mapping[int, Upcaster] | None = None,
) -> Log:
    """Read and verify a log: a folder holding ``log.jsonl`` (or ``log.sqlite``) and
    ``entities.json``, ``sources.json``; a ``.jsonl`` file; or an SQLite file (``.sqlite``,
    ``.sqlite3``, ``.db``). With no argument, the bundled curated log.

    A log's registries are the ``entities.json`` and ``sources.json`` next to it, and
    default to the bundled ones where it has none of its own. A file that does not exist
    yet is an empty log (appending creates it).

    >>> import eurasia_events as ee
    >>> log = ee.load()
    >>> len(log) > 0
    True
    """
    folder = bundled_path() if path is None else Path(path)
    store = open_store(folder)
    if not folder.is_dir():
        folder = folder.parent  # a log file: the registries sit next to it
    entities_file = folder / ENTITIES_FILE
    sources_file = folder / SOURCES_FILE
    if not entities_file.is_file() or not sources_file.is_file():
        default = bundled_path()
        entities_file = entities_file if entities_file.is_file() else default / ENTITIES_FILE
        sources_file = sources_file if sources_file.is_file() else default / SOURCES_FILE
    return Log(
        store,
        entities=EntityRegistry.from_file(entities_file),
        sources=SourceRegistry.from_file(sources_file),
        upcasters=upcasters,
    )


def open_store(path: str | Path) -> FileStore | SQLiteStore:
    """The store for a log path: an SQLite file by its name or header, a ``.jsonl`` file,
    or a folder holding ``log.jsonl`` (or only ``log.sqlite``)."""
    path = Path(path)
    if path.suffix in SQLITE_SUFFIXES or (path.is_file() and is_sqlite_file(path)):
        return SQLiteStore(path)
    if path.suffix == ".jsonl" or path.is_file():
        return FileStore(path)
    if not path.is_dir():
        raise LogFormatError(f"{path}: no such log folder or file (expected a folder, a .jsonl or a .sqlite file)")
    if not (path / LOG_FILE).exists() and (path / SQLITE_LOG_FILE).exists():
        return SQLiteStore(path / SQLITE_LOG_FILE)
    return FileStore(path / LOG_FILE)


class Log(Sequence[Record]):
    """An append-only sequence of verified records, with its entity and source registries.

    ``len(log)`` counts records (events and amendments); ``log[i]`` is a
    :class:`~eurasia_events.events.Record`. :meth:`events` gives the events as currently
    known (corrections applied, retractions removed), :meth:`as_of` the state on a day.
    """

    def __init__(
        self,
        store: Store | None = None,
        *,
        entities: EntityRegistry,
        sources: SourceRegistry,
        upcasters: Mapping[int, Upcaster] | None = None,
        clock: Callable[[], Instant] = Instant.now,
    ) -> None:
        self.store: Store = store if store is not None else MemoryStore()
        self.entities = entities
        self.sources = sources
        self._upcasters = dict(upcasters or {})
        self._clock = clock
        self._records: list[Record] = []
        self._ids: set[str] = set()
        # Every live event as currently known (corrections applied), with the sequence number
        # of its first record; kept up to date by _accept, so nothing replays the log per append.
        self._current: dict[str, tuple[int, Event]] = {}
        self._cache: dict[Any, Any] = {}
        self._index: Any = None  # query._Index, kept up to date by _accept once a query built it
        self._sync()

    # -- reading ------------------------------------------------------------------------

    def _sync(self) -> None:
        """Read records the store holds beyond those already read, verifying each."""
        start = len(self._records)
        lines = self.store.read_lines(start)
        if lines:
            self._ingest(lines, start)

    def _ingest(self, lines: Sequence[bytes], start: int) -> None:
        with paused_gc():
            self._ingest_lines(lines, start)

    def _ingest_lines(self, lines: Sequence[bytes], start: int) -> None:
        prev = self._records[-1].hash if self._records else GENESIS
        location = self.store.location
        for offset, raw in enumerate(lines):
            number = start + offset + 1
            where = f"{location}:{number}"
            raw = raw.removesuffix(b"\r")  # tolerate CRLF line ends; the hash decides the rest
            claimed = verify_line(raw)
            if claimed is None:
                raise IntegrityError(
                    f"{where}: the record does not match its hash: it was edited, truncated or corrupted"
                )
            record, record_prev = decode_record(raw, file=location, line=number, upcasters=self._upcasters)
            if record.seq != number:
                raise IntegrityError(f"{where}: sequence number {record.seq}, expected {number}: "
                                     "records were deleted, inserted or reordered")
            if record_prev != prev:
                raise IntegrityError(f"{where}: the link to the previous record is broken: "
                                     "a record before it was deleted, inserted, reordered or edited")
            self._check(record.event, file=location, line=number)
            self._check_identity(record.event, file=location, line=number)
            try:
                self._accept(record)
            except InvalidEventError as error:  # a stored correction that breaks its target
                raise InvalidEventError(f"the correction makes its target invalid: {error}",
                                        event_id=record.event.id, field="changes", file=location,
                                        line=number) from None
            prev = claimed

    def _check_identity(self, event: Event | Amendment, *, file: str | None, line: int | None) -> None:
        """A stored record's id must be new and an amendment's target alive (as append ensures)."""
        if event.id in self._ids:
            raise InvalidEventError("duplicate event id: an earlier record has it", event_id=event.id,
                                    field="id", file=file, line=line)
        if isinstance(event, Amendment) and event.target not in self._current:
            raise InvalidEventError(f"no event {event.target!r} to amend before this record", event_id=event.id,
                                    field="target", file=file, line=line)

    def _accept(self, record: Record) -> None:
        event = record.event
        if isinstance(event, Correction):
            seq, target = self._current[event.target]
            self._current[event.target] = (seq, apply_correction(target, event))
        elif isinstance(event, Retraction):
            del self._current[event.target]
        else:
            assert isinstance(event, Event)
            self._current[event.id] = (record.seq, event)
        self._records.append(record)
        self._ids.add(event.id)
        self._cache.clear()
        if self._index is not None:
            self._index.add(record, lambda target: self._current[target][1])

    def __len__(self) -> int:
        return len(self._records)

    @overload
    def __getitem__(self, index: int) -> Record: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Record]: ...
    def __getitem__(self, index: int | slice) -> Record | Sequence[Record]:
        return self._records[index]

    def __iter__(self) -> Iterator[Record]:
        return iter(self._records)

    def __repr__(self) -> str:
        return f"<Log {self.store.location}: {len(self)} records, {len(self.events())} events>"

    @property
    def last_seq(self) -> int:
        """Sequence number of the last record (0 for an empty log)."""
        return len(self._records)

    def records_until(self, known_at: InstantLike | None) -> list[Record]:
        """Records appended at or before ``known_at`` (all of them for ``None``)."""
        if known_at is None:
            return list(self._records)
        limit = to_instant(known_at)
        return [r for r in self._records if r.recorded <= limit]

    def events(self, known_at: InstantLike | None = None) -> list[Event]:
        """Events as known at ``known_at`` (default: now), corrections applied, retractions
        removed, ordered by earliest possible day then sequence number."""
        return [event for _, event in self.resolved_with_seq(known_at)]

    def _resolved(self, records: Iterable[Record]) -> list[tuple[int, Event]]:
        current: dict[str, tuple[int, Event]] = {}
        for record in records:
            event = record.event
            if isinstance(event, Correction):
                seq, target = current[event.target]
                current[event.target] = (seq, apply_correction(target, event))
            elif isinstance(event, Retraction):
                current.pop(event.target, None)
            else:
                assert isinstance(event, Event)
                current[event.id] = (record.seq, event)
        return sorted(current.values(), key=lambda pair: (pair[1].date.earliest_ordinal, pair[0]))

    def resolved_with_seq(self, known_at: InstantLike | None = None) -> list[tuple[int, Event]]:
        """Like :meth:`events`, each event paired with its original sequence number."""
        key = ("resolved", None if known_at is None else to_instant(known_at))
        cached = self._cache.get(key)
        if cached is None:
            if known_at is None:
                cached = sorted(self._current.values(), key=lambda pair: (pair[1].date.earliest_ordinal, pair[0]))
            else:
                cached = self._resolved(self.records_until(known_at))
            self._cache[key] = cached
        return list(cached)

    def get(self, event_id: str, known_at: InstantLike | None = None) -> Event:
        """The event with this id as currently known (corrections applied)."""
        if known_at is None:
            if event_id in self._current:
                return self._current[event_id][1]
        else:
            for event in self.events(known_at):
                if event.id == event_id:
                    return event
        if event_id in self._ids:
            raise UnknownEventError(f"event {event_id!r} was retracted (see 'eurasia-events show {event_id}')")
        raise UnknownEventError(f"no event {event_id!r} in the log")

    def history(self, event_id: str) -> list[Record]:
        """The record of an event and every amendment of it, in log order."""
        found = [r for r in self._records if r.event.id == event_id or getattr(r.event, "target", None) == event_id]
        if not found:
            raise UnknownEventError(f"no event {event_id!r} in the log")
        return found

    # -- writing ------------------------------------------------------------------------

    def append(
        self,
        events: Iterable[Event | Amendment],
        *,
        expected_last_seq: int | None = None,
        recorded: InstantLike | None = None,
    ) -> list[Record]:
        """Validate every event, then append all of them or none.

        Args:
            events: new events or amendments.
            expected_last_seq: if given, the append fails with :class:`ConcurrencyError`
                unless the log's last sequence number is still this.
            recorded: the recorded instant (default: the log's clock, i.e. now).

        Raises:
            InvalidEventError: an event is invalid, a duplicate, or refers to an unknown
                entity, source or event; nothing is written.
            ConcurrencyError: another writer appended first; nothing is written.
        """
        batch = list(events)
        with self.store.locked():
            self._sync()
            if expected_last_seq is not None and expected_last_seq != self.last_seq:
                raise ConcurrencyError(
                    f"{self.store.location}: expected last record {expected_last_seq}, but the log is at "
                    f"{self.last_seq}: another writer appended first; reload and retry"
                )
            self.validate_new(batch)
            instant = self._clock() if recorded is None else to_instant(recorded)
            prev = self._records[-1].hash if self._records else GENESIS
            lines, new = [], []
            for offset, event in enumerate(batch):
                seq = self.last_seq + offset + 1
                line, digest = encode_record(seq, instant, event, prev)
                lines.append(line)
                new.append(Record(seq=seq, recorded=instant, schema=1, event=event, hash=digest))
                prev = digest
            if lines:
                self.store.append_lines(lines)
            for record in new:
                self._accept(record)
        return new

    def validate_new(
        self, batch: Sequence[Event | Amendment], locations: Sequence[tuple[str | None, int | None]] | None = None
    ) -> None:
        """Check a batch as :meth:`append` would, without writing. Errors name the event and field,
        and the file and line when ``locations`` gives them."""
        # The batch's own effects sit in small overlays over the log's state: no copy of it.
        new_ids: set[str] = set()
        changed: dict[str, Event | None] = {}  # id -> event as the batch leaves it (None: retracted)

        def current(event_id: str) -> Event | None:
            if event_id in changed:
                return changed[event_id]
            found = self._current.get(event_id)
            return None if found is None else found[1]

        for index, event in enumerate(batch):
            file, line = locations[index] if locations else (None, None)
            if not isinstance(event, (Event, Amendment)):
                raise InvalidEventError(f"expected an event, got {type(event).__name__}", file=file, line=line)
            if event.id in self._ids or event.id in new_ids:
                raise InvalidEventError("duplicate event id: the log already has it", event_id=event.id,
                                        field="id", file=file, line=line)
            self._check(event, file=file, line=line)
            if isinstance(event, Amendment):
                target = current(event.target)
                if target is None:
                    raise InvalidEventError(
                        f"no event {event.target!r} to amend"
                        + (" (it was retracted)" if event.target in self._ids or event.target in new_ids else ""),
                        event_id=event.id, field="target", file=file, line=line,
                    )
                if isinstance(event, Correction):
                    try:
                        changed[event.target] = apply_correction(target, event)
                    except InvalidEventError as error:
                        raise InvalidEventError(
                            f"the correction makes {event.target!r} invalid: {error}",
                            event_id=event.id, field="changes", file=file, line=line,
                        ) from None
                else:
                    changed[event.target] = None
            else:
                changed[event.id] = event
            new_ids.add(event.id)

    def _check(self, event: Event | Amendment, *, file: str | None, line: int | None) -> None:
        """References to entities and sources must resolve."""
        if isinstance(event, Event):
            for field, entity_id in event.entity_refs():
                if entity_id not in self.entities:
                    close = self.entities.closest(entity_id)
                    hint = f"; closest: {', '.join(close)}" if close else ""
                    raise InvalidEventError(f"unknown entity {entity_id!r}{hint}", event_id=event.id,
                                            field=field, file=file, line=line)
        for citation in event.sources:
            if citation.source not in self.sources:
                raise InvalidEventError(f"unknown source {citation.source!r}; add it to sources.json",
                                        event_id=event.id, field="sources", file=file, line=line)
        if isinstance(event, Event):
            for dispute in event.disputes:
                if dispute.source not in self.sources:
                    raise InvalidEventError(f"unknown source {dispute.source!r} in a dispute",
                                            event_id=event.id, field="disputes", file=file, line=line)

    # -- queries (defined in eurasia_events.query, which builds on this module) -------

    # The query module builds on this one; importing it here, at call time, keeps the
    # dependency one-way at import time while giving users methods on the log.

    def as_of(self, day: DayLike, *, known_at: InstantLike | None = None) -> State:
        """The state of the relationship at the end of ``day``, as the log stood at ``known_at``.

        >>> state = load().as_of("2016-01-01")
        >>> sorted(row.member for row in state.members("eaeu"))
        ['AM', 'BY', 'KG', 'KZ', 'RU']
        """
        from .query import State

        return State(self, day, known_at)

    def project(self, projection: Projection[Any], *, as_of: DayLike, known_at: InstantLike | None = None) -> Any:
        """Run a :class:`~eurasia_events.projections.Projection` of your own up to ``as_of``."""
        from .query import project

        return project(self, projection, as_of=as_of, known_at=known_at)

    def diff(self, before: DayLike, after: DayLike, *, known_at: InstantLike | None = None) -> View[DiffRow]:
        """What entered, left or changed in each view between two days."""
        from .query import diff

        return diff(self, before, after, known_at=known_at)

    def series(self, measure: str | Callable[[State], Any], start: DayLike, end: DayLike, *,
               every: str = "year", known_at: InstantLike | None = None) -> View[SeriesRow]:
        """A measure on each day from ``start`` to ``end``; see :func:`eurasia_events.query.series`."""
        from .query import series

        return series(self, measure, start, end, every=every, known_at=known_at)

    def timeline(self, *, start: DayLike | None = None, end: DayLike | None = None, kind: str | None = None,
                 party: str | None = None, known_at: InstantLike | None = None) -> View[TimelineRow]:
        """Events in date order, filtered by period, type and party (a name or alias)."""
        from .query import timeline

        return timeline(self, start=start, end=end, kind=kind, party=party, known_at=known_at)


def apply_correction(target: Event, correction: Correction) -> Event:
    """The target event with the correction's fields replaced (validated like a new event)."""
    data = encode_event(target)
    data.update(correction.changes_dict())
    event = decode_event(target.TYPE, data)
    assert isinstance(event, Event)
    return event


def read_event_lines(path: str | Path) -> list[tuple[Event | Amendment, tuple[str, int]]]:
    """Read a JSON Lines file of new events (flat objects with ``type``), each with its location.

    Blank lines are skipped; every error names the file and line.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InvalidEventError(f"cannot read: {error.strerror}", file=str(path)) from None
    found: list[tuple[Event | Amendment, tuple[str, int]]] = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        raw = raw.removesuffix(b"\r").removeprefix(b"\xef\xbb\xbf" if number == 1 else b"")
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
        except UnicodeDecodeError as error:
            raise InvalidEventError(f"not valid UTF-8 at byte {error.start}", file=str(path), line=number) from None
        except RecursionError:
            raise InvalidEventError("JSON nested too deeply", file=str(path), line=number) from None
        except ValueError as error:
            raise InvalidEventError(f"not valid JSON: {error}", file=str(path), line=number) from None
        if not isinstance(obj, dict) or "type" not in obj:
            raise InvalidEventError("expected a JSON object with a 'type'", file=str(path), line=number)
        type_ = obj.pop("type")
        found.append((decode_event(type_, obj, file=str(path), line=number), (str(path), number)))
    return found


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a valid JSON number")


