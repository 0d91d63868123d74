"""The append-only, hash-chained event log.

:func:`load` reads a log (by default the bundled, curated one) and verifies every
record's hash and link; :meth:`Log.append` validates new events and appends all or
nothing. Nothing here edits or deletes a record: mistakes are fixed by appending a
:class:`~eurasia_events.events.Correction` or :class:`~eurasia_events.events.Retraction`.
"""

from __future__ import annotations

import array
import contextlib
import datetime
import json
import os
import re
import stat
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, overload

from ._engine.engine import Engine, Incoming
from ._engine.rows import Row
from .codec import (
    GENESIS,
    Upcaster,
    decode_event,
    decode_record,
    encode_event,
    encode_record,
    parse_record,
    verify_line,
)
from .dates import DayLike, Instant, InstantLike, to_instant
from .entities import EntityRegistry
from .errors import (
    ConcurrencyError,
    EurasiaEventsError,
    IntegrityError,
    InvalidEventError,
    InvalidHeadError,
    LogFormatError,
    LogNotFoundError,
    UnknownEventError,
)
from .events import Amendment, Correction, Event, Record
from .sources import SourceRegistry
from .stores import FileStore, MemoryStore, Store

if TYPE_CHECKING:
    from .history import HistoryRow, RangeRow
    from .interactions import InteractionRow
    from .postgres_store import PostgresStore
    from .projections import Projection
    from .query import State
    from .sqlite_store import SQLiteStore
    from .views import DiffRow, SeriesRow, TimelineRow, View

__all__ = ["LOG_FILE", "SQLITE_LOG_FILE", "Log", "bundled_path", "load", "open_store", "parse_head", "registry_paths"]

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
    *paths: str | Path | None,
    create: bool = False,
    expect_head: str | None = None,
    upcasters: Mapping[int, Upcaster] | None = None,
    freeze_gc: bool | None = None,
) -> Log:
    """Read and verify a log: a folder holding ``log.jsonl`` (or ``log.sqlite``) and
    ``entities.json``, ``sources.json``; a ``.jsonl`` file; an SQLite file (``.sqlite``,
    ``.sqlite3``, ``.db``); or a PostgreSQL connection URL (``postgresql://...``, with the
    ``postgres`` extra). With no argument, the bundled curated log.

    A log's registries are the ``entities.json`` and ``sources.json`` next to it, and
    default to the bundled ones where it has none of its own (always, for PostgreSQL).

    Given several paths, it reads each log (verifying each chain) and returns them as one
    read-only :class:`~eurasia_events.combined.CombinedLog` (``load(curated, imported)``),
    whose queries see the events of all; its ``expect_head`` is the heads of its logs,
    joined by commas, as its :attr:`~eurasia_events.combined.CombinedLog.head` gives them.

    Args:
        paths: where the log is (``None``: the bundled one), or where each of several logs is.
        create: start a new, empty log if there is none at ``path`` (a path with no
            ``.jsonl`` or SQLite suffix is a folder, created with its ``log.jsonl``; in
            PostgreSQL, the log's tables, as ``eurasia-events init`` makes them).
            Without it a missing log is an error, never an empty log: a typo in a path
            must not read as "no events".
        expect_head: ``"SEQ:HASH"`` as :attr:`Log.head` gave it earlier: the log must
            still hold that record at that place (it may have grown since); see
            :meth:`Log.check_head`.
        upcasters: functions upgrading records of older schema versions as they are read.
        freeze_gc: opt in to moving what loading and querying build out of the garbage
            collector's sight (:func:`gc.freeze`, which is process-wide); off by default.

    Raises:
        LogNotFoundError: no log at ``path`` (and ``create`` not given).
        LogFormatError: the path is not a regular file (a FIFO, a device, a symbolic link
            to nothing), or a record cannot be read; of several logs, two define an entity
            or source differently, or hold the same event id.
        IntegrityError: a hash, link or sequence number does not match, or the log does
            not hold the ``expect_head`` record.

    >>> import eurasia_events as ee
    >>> log = ee.load()
    >>> len(log) > 0
    True
    """
    if len(paths) > 1:
        from .combined import CombinedLog  # it builds on this module

        return CombinedLog.from_paths(*paths, create=create, expect_head=expect_head, upcasters=upcasters,
                                      freeze_gc=freeze_gc)
    # The SQLite and PostgreSQL stores are imported when a log is opened, not with the package.
    from .postgres_store import is_postgres_url
    from .sqlite_store import SQLITE_SUFFIXES

    path = paths[0] if paths else None
    if is_postgres_url(path):
        assert isinstance(path, str)
        return _load_postgres(path, create=create, expect_head=expect_head, upcasters=upcasters,
                              freeze_gc=freeze_gc)
    folder = bundled_path() if path is None else Path(path)
    if create and not os.path.lexists(folder) and folder.suffix not in (".jsonl", *SQLITE_SUFFIXES):
        _create(folder, lambda: folder.mkdir(parents=True))
    store = _open_file_store(folder)
    if not _regular_file(store.path):
        if not create:
            raise _not_found(folder, store.path)

        def start() -> None:
            with store.locked():  # creates the empty file (and its folder), as a first append would
                pass

        _create(store.path, start)
    entities_file, sources_file = registry_paths(folder)
    log = Log(
        store,
        entities=EntityRegistry.from_file(entities_file),
        sources=SourceRegistry.from_file(sources_file),
        upcasters=upcasters,
        freeze_gc=freeze_gc,
    )
    if expect_head is not None:
        log.check_head(expect_head)
    return log


def registry_paths(path: str | Path | None) -> tuple[Path, Path]:
    """The entity and source registry files of the log at ``path`` (as :func:`load` reads them):
    the ``entities.json`` and ``sources.json`` in its folder, or next to its file, each the bundled
    one where the log has none of its own (always, for PostgreSQL and for the bundled log)."""
    from .postgres_store import is_postgres_url

    if path is None or is_postgres_url(path):
        default = bundled_path()
        return default / ENTITIES_FILE, default / SOURCES_FILE
    folder = Path(path)
    if not folder.is_dir():
        folder = folder.parent  # a log file: the registries sit next to it
    entities_file = folder / ENTITIES_FILE
    sources_file = folder / SOURCES_FILE
    if not entities_file.is_file() or not sources_file.is_file():
        default = bundled_path()
        entities_file = entities_file if entities_file.is_file() else default / ENTITIES_FILE
        sources_file = sources_file if sources_file.is_file() else default / SOURCES_FILE
    return entities_file, sources_file


def _load_postgres(url: str, *, create: bool, expect_head: str | None, upcasters: Mapping[int, Upcaster] | None,
                   freeze_gc: bool | None) -> Log:
    """:func:`load` for a PostgreSQL URL: the log's tables, with the bundled registries."""
    from .postgres_store import PostgresStore

    store = PostgresStore(url)
    if create:
        store.init()
    default = bundled_path()
    log = Log(store, entities=EntityRegistry.from_file(default / ENTITIES_FILE),
              sources=SourceRegistry.from_file(default / SOURCES_FILE), upcasters=upcasters, freeze_gc=freeze_gc)
    if expect_head is not None:
        log.check_head(expect_head)
    return log


def open_store(path: str | Path) -> FileStore | SQLiteStore | PostgresStore:
    """The store for a log path: an SQLite file by its name or header, a ``.jsonl`` file,
    a folder holding ``log.jsonl`` (or only ``log.sqlite``), or a PostgreSQL URL.

    The file need not exist yet (a store creates it on its first append), but where it
    exists it must be a regular file, or a symbolic link to one: a FIFO would block every
    read, and a link to nothing would make the first append write wherever it points.
    """
    from .postgres_store import PostgresStore, is_postgres_url

    if is_postgres_url(path):
        assert isinstance(path, str)
        return PostgresStore(path)
    return _open_file_store(Path(path))


def _open_file_store(path: Path) -> FileStore | SQLiteStore:
    """:func:`open_store` for a path on this machine."""
    from .sqlite_store import SQLITE_SUFFIXES, SQLiteStore, is_sqlite_file

    if path.is_dir():
        jsonl, sqlite = path / LOG_FILE, path / SQLITE_LOG_FILE
        target = sqlite if not os.path.lexists(jsonl) and os.path.lexists(sqlite) else jsonl
    elif path.suffix in (".jsonl", *SQLITE_SUFFIXES) or os.path.lexists(path):
        target = path
    else:
        raise LogNotFoundError(
            f"{path}: no such log folder or file (expected a folder, a .jsonl or a .sqlite file)")
    exists = _regular_file(target)
    if target.suffix in SQLITE_SUFFIXES or (exists and is_sqlite_file(target)):
        return SQLiteStore(target)
    return FileStore(target)


def _regular_file(path: Path) -> bool:
    """Whether a log file exists at ``path``; raises if something else is there."""
    try:
        mode = os.stat(path).st_mode  # follows a symbolic link; never opens (a FIFO would block)
    except FileNotFoundError:
        if os.path.islink(path):
            raise LogFormatError(
                f"{path}: a symbolic link to {os.readlink(path)}, which does not exist; refusing to read it as "
                "an empty log or to create a log where it points") from None
        return False
    except OSError as error:
        raise LogFormatError(f"{path}: cannot access the log: {error.strerror}") from None
    if not stat.S_ISREG(mode):
        raise LogFormatError(f"{path}: not a regular file (a FIFO, socket, device or folder); a log is a file")
    return True


def _not_found(given: Path, target: Path) -> LogNotFoundError:
    hint = "to start a new log there, use load(path, create=True) or 'eurasia-events append --create'"
    if given.is_dir():
        return LogNotFoundError(f"{given}: no {LOG_FILE} or {SQLITE_LOG_FILE} in this folder: not a log; {hint}")
    return LogNotFoundError(f"{target}: no such log file; {hint}")


def _create(path: Path, make: Callable[[], None]) -> None:
    try:
        make()
    except OSError as error:
        raise LogFormatError(f"{path}: cannot create the log: {error.strerror or error}") from None


HEAD_PATTERN: Final = re.compile(r"([1-9][0-9]*):([0-9a-f]{64})")


def parse_head(text: str) -> tuple[int, str]:
    """``(seq, hash)`` of a pinned head written ``SEQ:HASH`` (as :attr:`Log.head` gives it)."""
    match = HEAD_PATTERN.fullmatch(text.strip().lower()) if isinstance(text, str) else None
    if match is None:
        raise InvalidHeadError(
            f"invalid head {text!r:.100}: expected SEQ:HASH, a record number from 1 and its 64 hex digit hash, "
            "as 'eurasia-events validate' prints it")
    return int(match[1]), match[2]




class Log(Sequence[Record]):
    """An append-only sequence of verified records, with its entity and source registries.

    ``len(log)`` counts records (events and amendments); ``log[i]`` is a
    :class:`~eurasia_events.events.Record`. :meth:`events` gives the events as currently
    known (corrections applied, retractions removed), :meth:`as_of` the state on a day.

    Reading a log checks every record's hash, link and envelope, and reads each event's
    data into a compact :mod:`sketch <eurasia_events.sketch>`, checking every field as the
    event's constructor would; the full event is built from the stored bytes when it is
    asked for (:meth:`get`, :meth:`events`, ``log[i]``). :meth:`verify` builds them all.
    """

    def __init__(
        self,
        store: Store | None = None,
        *,
        entities: EntityRegistry,
        sources: SourceRegistry,
        upcasters: Mapping[int, Upcaster] | None = None,
        clock: Callable[[], Instant] = Instant.now,
        freeze_gc: bool | None = None,
    ) -> None:
        self.store: Store = store if store is not None else MemoryStore()
        self.freeze_gc = freeze_gc
        """Whether bulk work freezes what it built (see :func:`load`); off unless opted in."""
        self.entities = entities
        self.sources = sources
        self._upcasters = dict(upcasters or {})
        self._clock = clock
        self._digests = array.array("Q")  # per record: the first 8 bytes of its hash
        self._last_hash = GENESIS
        # The rows, corrections, known_at replay and query index (see eurasia_events._engine).
        self.engine = Engine(entities, sources, self, upcasters=upcasters, freeze_gc=bool(freeze_gc))
        self._sync()

    # -- reading ------------------------------------------------------------------------

    def _sync(self) -> None:
        """Read records the store holds beyond those already read, verifying each."""
        start = len(self)
        try:
            with contextlib.closing(self.store.iter_lines(start)) as lines:
                self.engine.ingest_all(self._verified(lines, start), file=self.store.location)
        finally:
            del self._digests[len(self.engine):]  # a record the engine refused

    def _verified(self, lines: Iterable[bytes], start: int) -> Iterator[Incoming]:
        """Each line's record, its hash, sequence number and link to the one before checked."""
        location = self.store.location
        read, digests = self.engine.read, self._digests
        for number, raw in enumerate(lines, start + 1):
            raw = raw.removesuffix(b"\r")  # tolerate CRLF line ends; the hash decides the rest
            claimed = verify_line(raw)
            if claimed is None:
                raise IntegrityError(
                    f"{location}:{number}: the record does not match its hash: it was edited, truncated or corrupted"
                )
            incoming = read(raw, file=location, line=number)
            if incoming.seq != number:
                raise IntegrityError(f"{location}:{number}: sequence number {incoming.seq}, expected {number}: "
                                     "records were deleted, inserted or reordered")
            if incoming.prev != self._last_hash:
                raise IntegrityError(f"{location}:{number}: the link to the previous record is broken: "
                                     "a record before it was deleted, inserted, reordered or edited")
            digests.append(int(claimed[:16], 16))  # first: taking in a correction reads its own line
            yield incoming
            self._last_hash = claimed

    # -- building full events from the stored bytes --------------------------------------

    def _line(self, seq: int) -> bytes:
        """The stored line of record ``seq``, checked against its own hash again."""
        raw = self.store.line(seq - 1).removesuffix(b"\r")
        claimed = verify_line(raw)
        if claimed is None or int(claimed[:16], 16) != self._digests[seq - 1]:
            raise IntegrityError(f"{self.store.location}:{seq}: the record changed since the log was read: "
                                 "it no longer matches its hash; load the log again")
        return raw

    @property
    def location(self) -> str:
        """Where the log is (its store's location), for messages."""
        return self.store.location

    def record_data(self, seq: int) -> tuple[str, Any]:
        """Record ``seq``'s type and (upcast) JSON data, read again from the store and checked
        against its hash (what the engine reads to build full events and merge corrections)."""
        location = self.store.location
        _seq, _micros, _schema, type_, data, _prev = parse_record(
            self._line(seq), file=location, line=seq, upcasters=self._upcasters)
        return type_, data

    def verify(self) -> int:
        """Build every record's event with every check, as ``eurasia-events validate`` does;
        return how many records were checked. Raises the first error, naming file, line, event, field."""
        for seq in range(1, len(self) + 1):
            record = self[seq - 1]
            self.engine.check_refs(record.event, file=self.store.location, line=seq)
        self.events()
        return len(self)

    # -- the sequence of records ----------------------------------------------------------

    def __len__(self) -> int:
        return len(self.engine)

    @overload
    def __getitem__(self, index: int) -> Record: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Record]: ...
    def __getitem__(self, index: int | slice) -> Record | Sequence[Record]:
        if isinstance(index, slice):
            return [self._record(i) for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("log index out of range")
        return self._record(index)

    def _record(self, index: int) -> Record:
        record, _prev = decode_record(self._line(index + 1), file=self.store.location, line=index + 1,
                                      upcasters=self._upcasters)
        return record

    def __iter__(self) -> Iterator[Record]:
        for index in range(len(self)):
            yield self._record(index)

    def __repr__(self) -> str:
        return f"<Log {self.store.location}: {len(self)} records, {self.engine.live_count} events>"

    def _repr_html_(self) -> str:
        from .notebook import log_html  # the notebook display: counts, dates, head, first records

        return log_html(self)

    @property
    def last_seq(self) -> int:
        """Sequence number of the last record (0 for an empty log)."""
        return len(self.engine)

    @property
    def head(self) -> str:
        """The last record as ``SEQ:HASH`` (``0:`` and 64 zeros for an empty log).

        The hash covers every record before it, so a head noted down (in a test, in CI, in a
        citation) pins the whole log up to it: :meth:`check_head` and ``load(path,
        expect_head=...)`` later refuse a log rewritten or cut short since.
        """
        return f"{self.last_seq}:{self._last_hash}"

    def check_head(self, expected: str) -> None:
        """Refuse a log that does not hold the pinned record ``SEQ:HASH`` (see :attr:`head`).

        A log that grew since is accepted: its record SEQ still has that hash.

        Raises:
            InvalidHeadError: ``expected`` is not ``SEQ:HASH``.
            IntegrityError: the log ends before SEQ, or its record SEQ has another hash.
        """
        seq, digest = parse_head(expected)
        location = self.store.location
        if seq > self.last_seq:
            raise IntegrityError(
                f"{location}: the log ends at record {self.last_seq}, before the pinned head {seq}:{digest}: "
                "records were deleted, or this is another log")
        actual = self._last_hash if seq == self.last_seq else verify_line(self._line(seq))
        if actual != digest:
            raise IntegrityError(
                f"{location}:{seq}: record {seq} has hash {actual}, not the pinned {digest}: the log was rewritten "
                "from this record or before it, or this is another log")

    # -- following other writers ------------------------------------------------------------

    def refresh(self) -> int:
        """Read what other writers (any process) appended since this log was read, verifying each
        record, and bring the views up to date; returns how many records are new.

        Only the new records are read. The chain is checked across the boundary: the last
        record read before must still be there with the same hash, and the first new one
        must link to it.

        Raises:
            IntegrityError: the log was cut short or rewritten since it was read, or a new
                record fails its hash or link.
        """
        before = self.last_seq
        self._sync()
        if before:
            try:
                self._line(before)  # raises if the record changed
            except IndexError:
                raise IntegrityError(f"{self.store.location}: the log now ends before record {before}, which "
                                     "was read earlier: records were deleted; load the log again") from None
        return self.last_seq - before

    def follow(self, after_seq: int | None = None, *, poll: float = 1.0,
               timeout: float | None = None) -> Generator[Record, None, None]:
        """Yield the records after ``after_seq`` as they are appended (by any process), each once, in order.

        A file or SQLite log is looked at every ``poll`` seconds; a PostgreSQL log is woken
        by the append's ``NOTIFY`` (and looked at every ``poll`` seconds in any case). Each
        look is a :meth:`refresh`, so the log and its views stay up to date as records come.

        Args:
            after_seq: yield records from ``after_seq + 1``; by default, only records to come.
            poll: seconds between two looks.
            timeout: stop after this many seconds without a new record (default: never).

        Raises:
            IntegrityError: as :meth:`refresh`.
        """
        if after_seq is not None and after_seq < 0:
            raise LogFormatError(f"{self.store.location}: follow(after_seq={after_seq}): expected 0 or more")
        seq = self.last_seq if after_seq is None else after_seq
        watch = getattr(self.store, "watch", None)
        with watch() if callable(watch) else _polling() as wait:
            quiet_since = time.monotonic()
            while True:
                self.refresh()
                while seq < self.last_seq:
                    seq += 1
                    yield self._record(seq - 1)
                    quiet_since = time.monotonic()
                left = poll if timeout is None else min(poll, timeout - (time.monotonic() - quiet_since))
                if left <= 0:
                    return
                wait(left)

    def records_until(self, known_at: InstantLike | None) -> list[Record]:
        """Records appended at or before ``known_at`` (all of them for ``None``)."""
        if known_at is None:
            return list(self)
        limit = to_instant(known_at).micros
        return [self._record(i) for i in self.engine.records_until(limit)]

    def sketches(self, known_at: InstantLike | None = None) -> list[Row]:
        """The events as known at ``known_at``, as typed compact rows (no event is built), in
        the order of :meth:`events`: each has the event's ``TYPE``, attribute names and values."""
        return self.engine.typed_rows(None if known_at is None else to_instant(known_at))

    def events(self, known_at: InstantLike | None = None) -> list[Event]:
        """Events as known at ``known_at`` (default: now), corrections applied, retractions
        removed, ordered by earliest possible day then sequence number."""
        instant = None if known_at is None else to_instant(known_at)
        return [self.engine.event(row, instant) for row in self.engine.typed_rows(instant)]

    def get(self, event_id: str, known_at: InstantLike | None = None) -> Event:
        """The event with this id as currently known (corrections applied)."""
        if known_at is None:
            found = self.engine.current_event(event_id)
            if found is not None:
                return found
        else:
            instant = to_instant(known_at)
            for row in self.engine.typed_rows(instant):
                if row.id == event_id:
                    return self.engine.event(row, instant)
        if self.engine.known(event_id):
            raise UnknownEventError(f"event {event_id!r} was retracted (see 'eurasia-events show {event_id}')")
        raise UnknownEventError(f"no event {event_id!r} in the log")

    def history(self, name: str, *, known_at: InstantLike | None = None) -> View[HistoryRow]:
        """The history of an event id (its records and its amendments', each row holding its
        ``record``), or of an entity, agreement, measure or project: every event touching it
        and the state change it made, in valid-time order; see :func:`eurasia_events.history.history`."""
        from .history import history

        return history(self, name, known_at=known_at)

    # -- writing ------------------------------------------------------------------------

    def append(
        self,
        events: Iterable[Event | Amendment],
        *,
        expected_last_seq: int | None = None,
        recorded: InstantLike | Iterable[InstantLike] | None = None,
    ) -> list[Record]:
        """Validate every event, then append all of them or none.

        Args:
            events: new events or amendments.
            expected_last_seq: if given, the append fails with :class:`ConcurrencyError`
                unless the log's last sequence number is still this.
            recorded: when the records were made: one instant for them all (default: the
                log's clock, i.e. now), or one per event, in the order of ``events`` (an
                imported record's recorded time is when its dataset added it). Records
                need not be in recorded order, but an amendment is never recorded before
                the event it amends or that event's earlier corrections.

        Raises:
            InvalidEventError: an event is invalid, a duplicate, or refers to an unknown
                entity, source or event; ``recorded`` gives another number of instants than
                of events, or an amendment an instant before its target's; nothing is written.
            ConcurrencyError: another writer appended first; nothing is written.
        """
        batch = list(events)
        given = self._recorded_instants(batch, recorded)  # checked before the lock is taken
        with self.store.locked():
            self._sync()
            if expected_last_seq is not None and expected_last_seq != self.last_seq:
                raise ConcurrencyError(
                    f"{self.store.location}: expected last record {expected_last_seq}, but the log is at "
                    f"{self.last_seq}: another writer appended first; reload and retry"
                )
            self.validate_new(batch)
            # The clock is read under the lock: writers taking turns record in turn.
            instants = [self._clock()] * len(batch) if given is None else given
            self._check_amendments_recorded(batch, instants)
            prev = self._last_hash
            lines, new = [], []
            for offset, (event, instant) in enumerate(zip(batch, instants, strict=True)):
                seq = self.last_seq + offset + 1
                line, digest = encode_record(seq, instant, event, prev)
                lines.append(line)
                new.append(Record(seq=seq, recorded=instant, schema=1, event=event, hash=digest))
                prev = digest
            if lines:
                self.store.append_lines(lines)
        # Read back what was written, as any record is read, only now that the store has
        # made it durable: read inside the lock, a commit that then failed would leave this
        # log ahead of the file. What other writers appended since is read and verified too.
        self._sync()
        if new and (len(self) < new[-1].seq or self._digests[new[-1].seq - 1] != int(new[-1].hash[:16], 16)):
            raise IntegrityError(f"{self.store.location}:{new[-1].seq}: the store reported the append as "
                                 "written, but the record is not there; load the log again")
        for event in batch:
            if isinstance(event, Event):
                self.engine.remember(event)  # already built and checked
        return new

    def _recorded_instants(self, batch: Sequence[Event | Amendment],
                           recorded: InstantLike | Iterable[InstantLike] | None) -> list[Instant] | None:
        """Each event's recorded instant, as :meth:`append` takes them (``None``: the clock's, read later)."""
        if recorded is None:
            return None
        if isinstance(recorded, (str, Instant, datetime.date)):
            return [to_instant(recorded)] * len(batch)
        given = list(recorded)
        if len(given) != len(batch):
            raise InvalidEventError(f"recorded: {len(given)} instants for {len(batch)} events: give one instant "
                                    "for them all, or one per event; nothing was appended", field="recorded")
        instants = []
        for event, value in zip(batch, given, strict=True):
            try:
                instants.append(to_instant(value))
            except (EurasiaEventsError, TypeError) as error:
                raise InvalidEventError(f"recorded: {error}; nothing was appended",
                                        event_id=getattr(event, "id", None), field="recorded") from None
        return instants

    def _check_amendments_recorded(self, batch: Sequence[Event | Amendment], instants: Sequence[Instant]) -> None:
        """An amendment must not be recorded before its target or the target's earlier corrections:
        ``known_at`` would then know the change before the thing changed."""
        latest: dict[str, int] = {}  # event id -> when the batch last recorded it or a correction of it
        for event, instant in zip(batch, instants, strict=True):
            if isinstance(event, Amendment):
                before = latest.get(event.target)
                if before is None:
                    before = self.engine.last_recorded(event.target)
                if before is not None and instant.micros < before:
                    raise InvalidEventError(
                        f"recorded {instant}, before {event.target!r} (or its last correction) was recorded, at "
                        f"{Instant(before)}: an amendment cannot be known before what it amends; nothing was appended",
                        event_id=event.id, field="recorded")
                latest[event.target] = instant.micros
            else:
                latest[event.id] = instant.micros

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
            return self.engine.current_event(event_id)

        for index, event in enumerate(batch):
            file, line = locations[index] if locations else (None, None)
            if not isinstance(event, (Event, Amendment)):
                raise InvalidEventError(f"expected an event, got {type(event).__name__}", file=file, line=line)
            if self.engine.known(event.id) or event.id in new_ids:
                raise InvalidEventError("duplicate event id: the log already has it", event_id=event.id,
                                        field="id", file=file, line=line)
            self.engine.check_refs(event, file=file, line=line)
            if isinstance(event, Amendment):
                target = current(event.target)
                if target is None:
                    raise InvalidEventError(
                        f"no event {event.target!r} to amend"
                        + (" (it was retracted)" if self.engine.known(event.target) or event.target in new_ids else ""),
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
                 party: str | None = None, known_at: InstantLike | None = None,
                 interactions: str = "month") -> View[TimelineRow]:
        """Events in date order, filtered by period, type and party (a name or alias); coded
        interactions counted per month and direction (``interactions="each"``: every one;
        ``"none"``: left out); see :func:`eurasia_events.query.timeline`."""
        from .query import timeline

        return timeline(self, start=start, end=end, kind=kind, party=party, known_at=known_at,
                        interactions=interactions)

    def between(self, start: DayLike, end: DayLike, *, known_at: InstantLike | None = None) -> View[RangeRow]:
        """Events whose dates fall, or may fall, from ``start`` to ``end`` (``inside``: yes or maybe);
        see :func:`eurasia_events.history.between`."""
        from .history import between

        return between(self, start, end, known_at=known_at)

    def since(self, day: DayLike, *, known_at: InstantLike | None = None) -> View[RangeRow]:
        """Events whose dates fall, or may fall, on or after ``day``; see :func:`eurasia_events.history.since`."""
        from .history import since

        return since(self, day, known_at=known_at)

    def to_arrow(self, *, known_at: InstantLike | None = None) -> Any:
        """Every event as known at ``known_at`` as one wide, typed ``pyarrow.Table`` (needs the
        ``arrow`` extra): one row per event, the columns every event has (id, type, date and its
        possible days, title, parties, status, sources and citations, recorded, seq...) and
        each type's own fields; see :func:`eurasia_events.arrow.log_table`.

        >>> table = load().to_arrow()
        >>> table.column_names[:6]
        ['id', 'type', 'date', 'date_earliest', 'date_latest', 'precision']
        >>> table.num_rows == len(load().events())
        True
        """
        from .arrow import log_table  # pyarrow is imported only here

        return log_table(self, known_at=known_at)

    def interactions(self, start: DayLike | None = None, end: DayLike | None = None, *,
                     by: Iterable[str] | str = ("month", "family", "direction"),
                     known_at: InstantLike | None = None) -> View[InteractionRow]:
        """Counts of coded interactions by month, code family, quad class and direction, with
        their mean intensity; see :func:`eurasia_events.interactions.interactions`."""
        from .interactions import interactions

        return interactions(self, start, end, by=by, known_at=known_at)


@contextlib.contextmanager
def _polling() -> Iterator[Callable[[float], bool]]:
    """What :meth:`Log.follow` waits with for a store that announces nothing: a sleep."""

    def wait(seconds: float) -> bool:
        time.sleep(seconds)
        return False

    yield wait


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


