"""The engine: what a loaded log holds in memory, and everything computed from it.

:class:`Engine` owns the compact rows (:mod:`.rows`), the one decoding point
(:mod:`.decode`), correction merging, ``known_at`` replay, the checkpoint index
(:mod:`.index`), its caches and the collector policy (:mod:`.gc`). The log keeps the
bytes, the hash chain and appends, and talks to the engine through this interface:

- :meth:`Engine.read` decodes one verified line (the log then checks its seq and link);
  :meth:`Engine.ingest` takes the record in, with the identity checks;
- the log hands the engine a :class:`StoredData` to re-read a record's data (building a
  full event, merging corrections);
- queries ask for :meth:`Engine.rows`, :meth:`Engine.day` and :meth:`Engine.event`.
"""

from __future__ import annotations

import array
import collections
import contextlib
import itertools
import operator
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Final, NamedTuple, Protocol

from eurasia_events.codec import Upcaster, decode_event, parse_record
from eurasia_events.dates import Instant
from eurasia_events.entities import EntityRegistry
from eurasia_events.errors import InvalidEventError
from eurasia_events.events import Amendment, Event
from eurasia_events.sources import SourceRegistry

from .gc import paused
from .rows import Row, event_id, renumbered, row_of, seq_of, sort_key, typed

if TYPE_CHECKING:  # made on first use: the decoder at load, the index at the first query
    from .index import DayView, Index

__all__ = ["Engine", "Incoming", "StoredData"]

_AMENDMENTS: Final = ("correction", "retraction")
_BUILT_LIMIT: Final = 50_000  # full events kept once built
_KNOWN_AT_KEPT: Final = 8  # sorted rows of past known_at instants kept (least recently used dropped)
_KNOWN_AT_INDEXES: Final = 2  # of those, how many keep their index too (at 1M, about 300 MB each)


class StoredData(Protocol):
    """What the engine reads back from the log's bytes."""

    @property
    def location(self) -> str:
        """Where the log is, for messages."""
        ...

    def record_data(self, seq: int) -> tuple[str, Any]:
        """Record ``seq``'s type and (upcast) JSON data, its hash checked again."""
        ...


class Incoming(NamedTuple):
    """A decoded record, before the log has checked its place in the chain."""

    seq: int
    micros: int
    prev: str
    tag: str
    row: tuple[Any, ...] | None
    """The row, or ``None`` when the fast path declined (``data`` is then decoded in full)."""
    data: Any = None


class Engine:
    """A log's rows and what is computed from them (see the module's docstring)."""

    def __init__(self, entities: EntityRegistry, sources: SourceRegistry, stored: StoredData, *,
                 upcasters: Mapping[int, Upcaster] | None = None, freeze_gc: bool = False) -> None:
        self.entities, self.sources, self._stored = entities, sources, stored
        self._upcasters = dict(upcasters or {})
        self.freeze_gc = freeze_gc
        from .decode import RecordDecoder  # msgspec and the generated structs: not needed to import the package

        self._entries: list[tuple[Any, ...]] = []  # per record: its row as recorded
        self._amendments: list[int] = []  # the records (from 0) that are corrections or retractions
        self._latest: int | None = None  # the latest recorded instant, once asked for
        self.recorded = array.array("q")  # per record: when it was appended, in microseconds
        # Every live event as currently known (corrections applied), and the ids no longer live.
        self._current: dict[str, tuple[Any, ...]] = {}
        self._decoder = RecordDecoder(entities, sources, ids=self._current)  # rows share the ids' strings
        self._retired: set[str] = set()
        self._corrections: dict[str, list[int]] = {}  # event id -> seqs of its corrections
        self._originals: dict[str, tuple[Any, ...]] = {}  # a corrected event's id -> its row as recorded
        self._built: dict[str, Event] = {}  # full events built so far, as currently known
        self._sorted: list[tuple[Any, ...]] | None = None
        self._index: Index | None = None  # the live index, kept up to date once a query built it
        self._past: collections.OrderedDict[int, tuple[list[tuple[Any, ...]], Index | None]] = \
            collections.OrderedDict()

    # -- taking records in ----------------------------------------------------------------

    def read(self, raw: bytes, *, file: str, line: int) -> Incoming:
        """Decode one line whose hash the log verified; envelope errors name the file and line."""
        fast = self._decoder.line(raw)
        if fast is not None:
            return Incoming(*fast)
        seq, micros, _schema, tag, data, prev = parse_record(raw, file=file, line=line, upcasters=self._upcasters)
        row = self._decoder.data(tag, data, seq) if type(data) is dict else None
        return Incoming(seq, micros, prev, tag, row, data)

    def ingest(self, incoming: Incoming, *, file: str | None) -> None:
        """Take in a record the log has placed in its chain: its row, or the amendment it makes
        (through :meth:`ingest_all`, which drops the caches the record makes stale)."""
        seq, micros, _prev, tag, row, data = incoming
        if row is None:  # the slow path: build it with every check, for the precise error
            event = decode_event(tag, data, file=file, line=seq)
            self.check_refs(event, file=file, line=seq)
            row = (tag, event.id, event.target, seq) if isinstance(event, Amendment) else row_of(event, seq)
        amends = tag in _AMENDMENTS
        self._check_identity(row[1], row[2] if amends else None, file=file, line=seq)
        if amends:
            self._amend(row, file=file)
        else:
            self._current[row[1]] = row
            if self._index is not None:
                self._index.add_event(row)
        if amends:
            self._amendments.append(len(self._entries))
        self._entries.append(row)
        self.recorded.append(micros)

    def ingest_all(self, incoming: Iterable[Incoming], *, file: str | None) -> None:
        """:meth:`ingest` for many records, with the collector paused; the caches of sorted
        rows and past ``known_at`` instants are dropped once, after (even if one is refused)."""
        try:
            with paused(freeze=self.freeze_gc, promote=False):  # one young pass untracks rows
                for item in incoming:
                    self.ingest(item, file=file)
        finally:
            self._changed()
            self._decoder.settle()

    def _changed(self) -> None:
        self._sorted = None
        self._latest = None
        self._past.clear()

    def _check_identity(self, event_id: str, target: str | None, *, file: str | None, line: int | None) -> None:
        """A stored record's id must be new and an amendment's target alive (as append ensures)."""
        if self.known(event_id):
            raise InvalidEventError("duplicate event id: an earlier record has it", event_id=event_id,
                                    field="id", file=file, line=line)
        if target is not None and target not in self._current:
            raise InvalidEventError(f"no event {target!r} to amend before this record", event_id=event_id,
                                    field="target", file=file, line=line)

    def check_refs(self, event: Event | Amendment, *, file: str | None, line: int | None) -> None:
        """References to entities and sources must resolve, and each citation fit its source's kind."""
        if isinstance(event, Event):
            for field, entity_id in event.entity_refs():
                if entity_id not in self.entities:
                    close = self.entities.closest(entity_id)
                    hint = f"; closest: {', '.join(close)}" if close else ""
                    raise InvalidEventError(f"unknown entity {entity_id!r}{hint}", event_id=event.id,
                                            field=field, file=file, line=line)
        for citation in event.sources:
            source = self.sources.get(citation.source)
            if source is None:
                raise InvalidEventError(f"unknown source {citation.source!r}; add it to sources.json",
                                        event_id=event.id, field="sources", file=file, line=line)
            problem = source.citation_problem(citation)
            if problem is not None:
                raise InvalidEventError(problem, event_id=event.id, field="sources", file=file, line=line)
        if isinstance(event, Event):
            for dispute in event.disputes:
                if dispute.source not in self.sources:
                    raise InvalidEventError(f"unknown source {dispute.source!r} in a dispute",
                                            event_id=event.id, field="disputes", file=file, line=line)

    def _amend(self, row: tuple[Any, ...], *, file: str | None) -> None:
        """Apply a checked correction or retraction ``(tag, id, target, seq)`` of a live event."""
        tag, amendment_id, target, seq = row
        old = self._current[target]
        self._built.pop(target, None)
        if tag == "correction":
            self._corrections.setdefault(target, []).append(seq)
            self._originals.setdefault(target, old)  # its row as recorded, for a replay (the first correction's)
            try:
                new = self._corrected(old)
            except InvalidEventError as error:  # a stored correction that breaks its target
                self._corrections[target].pop()
                raise InvalidEventError(f"the correction makes its target invalid: {error}",
                                        event_id=amendment_id, field="changes", file=file, line=seq) from None
            self._current[target] = new
            self._retired.add(amendment_id)
            if self._index is not None:
                self._index.replace(old, new)
        else:
            del self._current[target]
            self._retired.update((amendment_id, target))
            if self._index is not None:
                self._index.remove(old)

    # -- correction merging -----------------------------------------------------------------

    def _merged(self, row: Row, until: int | None) -> tuple[str, dict[str, Any], int]:
        """An event's type and data: its record's, with its corrections applied (those recorded
        at or before ``until`` microseconds, if given); and the seq of the last record applied."""
        line = seq_of(row)
        type_, data = self._stored.record_data(line)
        for seq in self._corrections.get(event_id(row), ()):
            if until is None or self.recorded[seq - 1] <= until:
                data = {**data, **self._stored.record_data(seq)[1]["changes"]}
                line = seq
        return type_, data, line

    def _corrected(self, original: Row, until: int | None = None) -> tuple[Any, ...]:
        """The row of an event with its corrections applied (see :meth:`_merged`)."""
        type_, data, _line = self._merged(original, until)
        return (self._decoder.data(type_, data, seq_of(original))
                or row_of(self._build(original, until, remember=False), seq_of(original)))

    def _build(self, row: Row, until: int | None = None, *, remember: bool = True) -> Event:
        """The full event a row stands for (see :meth:`_merged`), built with every check."""
        found_id = event_id(row)
        if until is None and found_id in self._built:
            return self._built[found_id]
        type_, data, line = self._merged(row, until)  # errors name the record that made it so
        location = self._stored.location
        event = decode_event(type_, data, file=location, line=line)
        assert isinstance(event, Event)
        self.check_refs(event, file=location, line=line)
        if until is None and remember:
            if len(self._built) >= _BUILT_LIMIT:
                self._built.clear()  # a bounded cache: building every event must not keep them all
            self._built[found_id] = event
        return event

    def remember(self, event: Event) -> None:
        """Keep an event just appended, already built and checked (unless corrected since)."""
        if event.id in self._current and not self._corrections.get(event.id):
            self._built[event.id] = event

    # -- reading ----------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._entries)

    def known(self, event_id: str) -> bool:
        """Whether any record (live, retracted, or an amendment) has this id."""
        return event_id in self._current or event_id in self._retired

    @property
    def live_count(self) -> int:
        """How many events are live."""
        return len(self._current)

    def last_recorded(self, event_id: str) -> int | None:
        """When a live event's record or its latest correction was recorded (microseconds), or ``None``."""
        row = self._current.get(event_id)
        return None if row is None else max(
            self.recorded[seq - 1] for seq in (seq_of(row), *self._corrections.get(event_id, ())))

    def amended(self, record: int) -> str | None:
        """The target of record ``record`` (from 0) if it is an amendment, else ``None``."""
        entry = self._entries[record]
        return entry[2] if entry[0] in _AMENDMENTS else None

    def id_of(self, record: int) -> str:
        """The event or amendment id of record ``record`` (from 0)."""
        return event_id(self._entries[record])

    def event(self, row: Row, known_at: Instant | None = None) -> Event:
        """The full event of a row, as known at ``known_at``."""
        return self._build(row, None if known_at is None else known_at.micros)

    def current_event(self, event_id: str) -> Event | None:
        """The full event with this id as currently known, or ``None`` if it is not live."""
        row = self._current.get(event_id)
        return None if row is None else self._build(row)

    def rows(self, known_at: Instant | None = None) -> list[tuple[Any, ...]]:
        """The stored rows of the events as known at ``known_at``, in fold order (shared: do not change)."""
        if known_at is None:
            if self._sorted is None:
                if self._index is not None:  # the index keeps them sorted: a copy, which later changes leave alone
                    self._sorted = list(self._index.events)
                else:
                    with paused():  # the sort keys are a million short-lived objects at most
                        self._sorted = sorted(self._current.values(), key=sort_key)
            return self._sorted
        return self._known_at(known_at)[0]

    def typed_rows(self, known_at: Instant | None = None) -> list[Row]:
        """The rows as known at ``known_at``, typed, in a reader's order (date, then seq)."""
        found = [typed(r) for r in self.rows(known_at)]
        # Fold order widens a date by other sources' disputed dates; a reader's order does not.
        found.sort(key=lambda s: (s.date.earliest_ordinal, s.seq))
        return found

    def _known_at(self, known_at: Instant) -> tuple[list[tuple[Any, ...]], Index | None]:
        """The sorted rows (and index, once made) as known at an instant; a few are kept."""
        limit = known_at.micros
        found = self._past.get(limit)
        if found is None:
            with paused():
                found = (sorted(self._replay(limit), key=sort_key), None)
            self._past[limit] = found
            if len(self._past) > _KNOWN_AT_KEPT:
                self._past.popitem(last=False)
        self._past.move_to_end(limit)
        return found

    def _replay(self, limit: int) -> list[tuple[Any, ...]]:
        """The live rows as the log stood at ``limit`` microseconds, in record order.

        Every record is an event or an amendment with an id of its own, and an event's record
        is its only one: the rows recorded by then, less the amendments, less the events they
        retracted, with the corrected ones merged again, is the log replayed. The records are
        filtered by C-level passes (a rebuild replays a million); only the amendments, a few
        in a hundred, are gone through one by one.
        """
        recorded = self.recorded
        if self._latest is None:
            self._latest = max(recorded, default=limit)
        if self._latest <= limit:  # every record (as a rebuild asks): no instant to compare
            entries, amendments = self._entries, self._amendments
        else:
            entries = list(itertools.compress(self._entries, map(limit.__ge__, recorded)))
            amendments = [i for i in self._amendments if recorded[i] <= limit]
        gone: set[str] = set()  # amendments, and the events retracted or to merge again
        corrected: dict[str, None] = {}
        for record in amendments:
            tag, amendment_id, target, _seq = self._entries[record]
            gone.add(amendment_id)
            if tag == "correction":
                corrected[target] = None
            else:
                gone.add(target)
        merged = []
        for target in corrected:
            original = self._originals[target]
            if target in gone or recorded[seq_of(original) - 1] > limit:
                continue  # retracted by then, or recorded after its correction and after ``limit``
            gone.add(target)
            # The row as known now when every correction was recorded by then (the same
            # merge), else its record and the corrections until then.
            now = self._current.get(target)
            every = all(recorded[seq - 1] <= limit for seq in self._corrections[target])
            merged.append(now if now is not None and every else self._corrected(original, until=limit))
        if not gone:
            return list(entries)
        kept = map(operator.not_, map(gone.__contains__, map(operator.itemgetter(1), entries)))
        return [*itertools.compress(entries, kept), *merged]

    def index(self, known_at: Instant | None = None) -> Index:
        """The checkpoint index as known at ``known_at`` (the live one, kept up to date, for ``None``)."""
        from .index import Index  # and the fold: not needed until a query

        if known_at is None:
            if self._index is None:
                with paused(freeze=self.freeze_gc):
                    self._index = Index(self.rows(None), freeze=self.freeze_gc)
                self._sorted = None  # the index holds its own list of them (8 bytes a record)
            return self._index
        rows, found = self._known_at(known_at)
        if found is None:
            with paused(freeze=self.freeze_gc):
                found = Index(rows, freeze=self.freeze_gc)
            self._past[known_at.micros] = (rows, found)
            indexed = [limit for limit, (_, index) in self._past.items() if index is not None]
            for limit in indexed[:-_KNOWN_AT_INDEXES]:  # the least recently used first
                self._past[limit] = (self._past[limit][0], None)
        return found

    def sweep(self, known_at: Instant | None = None) -> contextlib.AbstractContextManager[None]:
        """A block of queries on many days, each asked once (see :meth:`Index.passing`)."""
        return self.index(known_at).passing()

    def day(self, day: int, known_at: Instant | None = None) -> DayView:
        """What a query on ``day`` (an ordinal) reads, as known at ``known_at``."""
        return self.index(known_at).day(day)

    def incoming(self, start: int = 0, *, shift: int = 0) -> Iterator[Incoming]:
        """The records from ``start`` (from 0) as another engine takes them in (:meth:`ingest`), each
        numbered ``shift`` more than here: a combined log's engine is fed from its members' without
        reading a byte again. (The link to the previous record is left empty: the member checked it.)"""
        for index in range(start, len(self._entries)):
            entry = self._entries[index]
            seq = index + 1 + shift
            yield Incoming(seq, self.recorded[index], "", entry[0], renumbered(entry, seq) if shift else entry)

    def records_until(self, limit: int) -> list[int]:
        """The records (from 0) appended at or before ``limit`` microseconds."""
        return [i for i, micros in enumerate(self.recorded) if micros <= limit]

