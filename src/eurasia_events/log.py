"""The append-only, hash-chained event log.

:func:`load` reads a log (by default the bundled, curated one) and verifies every
record's hash and link; :meth:`Log.append` validates new events and appends all or
nothing. Nothing here edits or deletes a record: mistakes are fixed by appending a
:class:`~eurasia_events.events.Correction` or :class:`~eurasia_events.events.Retraction`.
"""

from __future__ import annotations

import array
import contextlib
import json
import os
import re
import stat
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, overload

from ._gc import paused_gc, should_freeze
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
    IntegrityError,
    InvalidEventError,
    InvalidHeadError,
    LogFormatError,
    LogNotFoundError,
    UnknownEventError,
)
from .events import Amendment, Correction, Event, Record
from .postgres_store import PostgresStore, is_postgres_url
from .sketch import ID, SEQ, Sketch, Sketcher, sketch_of, sort_key, typed
from .sources import SourceRegistry
from .sqlite_store import SQLITE_SUFFIXES, SQLiteStore, is_sqlite_file
from .stores import FileStore, MemoryStore, Store

if TYPE_CHECKING:
    from .projections import Projection
    from .query import State
    from .views import DiffRow, SeriesRow, TimelineRow, View

__all__ = ["LOG_FILE", "SQLITE_LOG_FILE", "Log", "bundled_path", "load", "open_store", "parse_head"]

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

    Args:
        path: where the log is; ``None`` for the bundled one.
        create: start a new, empty log if there is none at ``path`` (a path with no
            ``.jsonl`` or SQLite suffix is a folder, created with its ``log.jsonl``; in
            PostgreSQL, the log's tables, as ``eurasia-events init`` makes them).
            Without it a missing log is an error, never an empty log: a typo in a path
            must not read as "no events".
        expect_head: ``"SEQ:HASH"`` as :attr:`Log.head` gave it earlier: the log must
            still hold that record at that place (it may have grown since); see
            :meth:`Log.check_head`.
        upcasters: functions upgrading records of older schema versions as they are read.
        freeze_gc: whether to move the log's data out of the garbage collector's sight
            once built (:func:`gc.freeze`, process-wide); by default only for logs of
            100,000 records or more, where each full collection otherwise spends seconds
            rescanning them.

    Raises:
        LogNotFoundError: no log at ``path`` (and ``create`` not given).
        LogFormatError: the path is not a regular file (a FIFO, a device, a symbolic link
            to nothing), or a record cannot be read.
        IntegrityError: a hash, link or sequence number does not match, or the log does
            not hold the ``expect_head`` record.

    >>> import eurasia_events as ee
    >>> log = ee.load()
    >>> len(log) > 0
    True
    """
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
    if not folder.is_dir():
        folder = folder.parent  # a log file: the registries sit next to it
    entities_file = folder / ENTITIES_FILE
    sources_file = folder / SOURCES_FILE
    if not entities_file.is_file() or not sources_file.is_file():
        default = bundled_path()
        entities_file = entities_file if entities_file.is_file() else default / ENTITIES_FILE
        sources_file = sources_file if sources_file.is_file() else default / SOURCES_FILE
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


def _load_postgres(url: str, *, create: bool, expect_head: str | None, upcasters: Mapping[int, Upcaster] | None,
                   freeze_gc: bool | None) -> Log:
    """:func:`load` for a PostgreSQL URL: the log's tables, with the bundled registries."""
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
    if is_postgres_url(path):
        assert isinstance(path, str)
        return PostgresStore(path)
    return _open_file_store(Path(path))


def _open_file_store(path: Path) -> FileStore | SQLiteStore:
    """:func:`open_store` for a path on this machine."""
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


_AMENDMENTS: Final = ("correction", "retraction")
_BUILT_LIMIT: Final = 50_000  # full events kept once built


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
        """Whether bulk work freezes what it built (see :func:`load`); ``None``: by the log's size."""
        self.entities = entities
        self.sources = sources
        self._upcasters = dict(upcasters or {})
        self._clock = clock
        self._sketcher = Sketcher(entities, sources)
        # One entry per record, as plain tuples: the event's sketch as recorded, or
        # (tag, id, target, seq) for an amendment.
        self._entries: list[tuple[Any, ...]] = []
        self._recorded = array.array("q")  # per record: when it was appended, in microseconds
        self._digests = array.array("Q")  # per record: the first 8 bytes of its hash
        self._last_hash = GENESIS
        # Every live event as currently known (corrections applied), kept up to date by
        # _accept_event and _amend, so nothing replays the log per append; and the ids no
        # longer live.
        self._current: dict[str, tuple[Any, ...]] = {}
        self._retired: set[str] = set()
        self._corrections: dict[str, list[int]] = {}  # event id -> seqs of its corrections
        self._built: dict[str, Event] = {}  # full events built so far, as currently known
        self._cache: dict[Any, Any] = {}
        self._index: Any = None  # query._Index, kept up to date by _accept once a query built it
        self._sync()

    # -- reading ------------------------------------------------------------------------

    def _sync(self) -> None:
        """Read records the store holds beyond those already read, verifying each."""
        start = len(self._entries)
        with contextlib.closing(self.store.iter_lines(start)) as lines, paused_gc() as gc_pause:
            self._ingest_lines(lines, start)
            # A large read froze what it built out of the collector's sight (see _gc).
            gc_pause.freeze = len(self) - start >= 1000 and self._freezes()

    def _ingest_lines(self, lines: Iterable[bytes], start: int) -> None:
        prev = self._last_hash
        location = self.store.location
        build = self._sketcher.build
        amends = self._sketcher.amendment
        upcasters = self._upcasters
        current, retired = self._current, self._retired
        entries_append, recorded_append = self._entries.append, self._recorded.append
        digests_append = self._digests.append
        for number, raw in enumerate(lines, start + 1):
            raw = raw.removesuffix(b"\r")  # tolerate CRLF line ends; the hash decides the rest
            claimed = verify_line(raw)
            if claimed is None:
                raise IntegrityError(
                    f"{location}:{number}: the record does not match its hash: it was edited, truncated or corrupted"
                )
            seq, micros, _schema, type_, data, record_prev = parse_record(
                raw, file=location, line=number, upcasters=upcasters)
            if seq != number:
                raise IntegrityError(f"{location}:{number}: sequence number {seq}, expected {number}: "
                                     "records were deleted, inserted or reordered")
            if record_prev != prev:
                raise IntegrityError(f"{location}:{number}: the link to the previous record is broken: "
                                     "a record before it was deleted, inserted, reordered or edited")
            digests_append(int(claimed[:16], 16))  # first: reading a correction reads its own line
            try:
                sketch = build(type_, data, number) if type(data) is dict else None
                if sketch is not None and self._index is None:  # _accept_event's common case, written out
                    event_id = sketch[ID]
                    if event_id in current or event_id in retired:
                        self._check_identity(event_id, None, file=location, line=number)  # raises
                    current[event_id] = sketch
                    entries_append(sketch)
                    recorded_append(micros)
                elif sketch is not None:
                    self._check_identity(sketch[ID], None, file=location, line=number)
                    self._accept_event(sketch, micros)
                else:
                    amendment = amends(type_, data) if type_ in _AMENDMENTS else None
                    if amendment is None:  # data the fast path declines: build it with every check
                        event = decode_event(type_, data, file=location, line=number)
                        self._check(event, file=location, line=number)
                        amendment = (event.id, event.target) if isinstance(event, Amendment) else None
                    else:
                        event = None
                    if amendment is not None:
                        self._check_identity(amendment[0], amendment[1], file=location, line=number)
                        self._amend(type_, amendment[0], amendment[1], number, micros, file=location)
                    else:
                        assert isinstance(event, Event)
                        self._check_identity(event.id, None, file=location, line=number)
                        self._accept_event(sketch_of(event, number), micros)
            except BaseException:
                del self._digests[number - 1:]
                raise
            prev = claimed
        self._last_hash = prev
        self._cache.clear()

    def _freezes(self, records: int | None = None) -> bool:
        return should_freeze(len(self) if records is None else records, self.freeze_gc)

    def _check_identity(self, event_id: str, target: str | None, *, file: str | None, line: int | None) -> None:
        """A stored record's id must be new and an amendment's target alive (as append ensures)."""
        if event_id in self._current or event_id in self._retired:
            raise InvalidEventError("duplicate event id: an earlier record has it", event_id=event_id,
                                    field="id", file=file, line=line)
        if target is not None and target not in self._current:
            raise InvalidEventError(f"no event {target!r} to amend before this record", event_id=event_id,
                                    field="target", file=file, line=line)

    def _accept_event(self, sketch: tuple[Any, ...], micros: int) -> None:
        self._current[sketch[ID]] = sketch
        self._entries.append(sketch)
        self._recorded.append(micros)
        if self._index is not None:
            self._index.add_event(sketch)
        self._cache.clear()

    def _amend(self, tag: str, amendment_id: str, target: str, seq: int, micros: int, *, file: str | None) -> None:
        """Take in a checked correction or retraction of a live event."""
        old = self._current[target]
        self._built.pop(target, None)
        if tag == "correction":
            self._corrections.setdefault(target, []).append(seq)
            try:
                sketch = self._corrected(old)
            except InvalidEventError as error:  # a stored correction that breaks its target
                self._corrections[target].pop()
                raise InvalidEventError(f"the correction makes its target invalid: {error}",
                                        event_id=amendment_id, field="changes", file=file, line=seq) from None
            self._current[target] = sketch
            self._retired.add(amendment_id)
            if self._index is not None:
                self._index.replace(old, sketch)
        else:
            del self._current[target]
            self._retired.update((amendment_id, target))
            if self._index is not None:
                self._index.remove(old)
        self._entries.append((tag, amendment_id, target, seq))
        self._recorded.append(micros)
        self._cache.clear()

    # -- building full events from the stored bytes --------------------------------------

    def _line(self, seq: int) -> bytes:
        """The stored line of record ``seq``, checked against its own hash again."""
        raw = self.store.line(seq - 1).removesuffix(b"\r")
        claimed = verify_line(raw)
        if claimed is None or int(claimed[:16], 16) != self._digests[seq - 1]:
            raise IntegrityError(f"{self.store.location}:{seq}: the record changed since the log was read: "
                                 "it no longer matches its hash; load the log again")
        return raw

    def _data(self, seq: int) -> tuple[str, Any]:
        location = self.store.location
        _seq, _micros, _schema, type_, data, _prev = parse_record(
            self._line(seq), file=location, line=seq, upcasters=self._upcasters)
        return type_, data

    def _merged(self, sketch: Sketch, until: int | None = None) -> tuple[str, dict[str, Any], int]:
        """An event's type and data: its record's, with its corrections applied (those recorded
        at or before ``until`` microseconds, if given); and the seq of the last record applied."""
        line = sketch[SEQ]
        type_, data = self._data(line)
        for seq in self._corrections.get(sketch[ID], ()):
            if until is None or self._recorded[seq - 1] <= until:
                data = {**data, **self._data(seq)[1]["changes"]}
                line = seq
        return type_, data, line

    def _corrected(self, original: Sketch, until: int | None = None) -> tuple[Any, ...]:
        """The stored sketch of an event with its corrections applied (see :meth:`_merged`):
        read like any record, or built in full when the fast path declines (for the precise error)."""
        type_, data, _line = self._merged(original, until)
        sketch = self._sketcher.build(type_, data, original[SEQ])
        if sketch is None:
            sketch = sketch_of(self._build(original, until, remember=False), original[SEQ])
        return sketch

    def _build(self, sketch: Sketch, until: int | None = None, *, remember: bool = True) -> Event:
        """The full event a sketch stands for (see :meth:`_merged`), built with every check."""
        event_id = sketch[ID]
        if until is None and event_id in self._built:
            return self._built[event_id]
        type_, data, line = self._merged(sketch, until)  # errors name the record that made it so
        location = self.store.location
        event = decode_event(type_, data, file=location, line=line)
        assert isinstance(event, Event)
        self._check(event, file=location, line=line)
        if until is None and remember:
            if len(self._built) >= _BUILT_LIMIT:
                self._built.clear()  # a bounded cache: building every event must not keep them all
            self._built[event_id] = event
        return event

    def verify(self) -> int:
        """Build every record's event with every check, as ``eurasia-events validate`` does;
        return how many records were checked. Raises the first error, naming file, line, event, field."""
        for seq in range(1, len(self) + 1):
            record = self[seq - 1]
            self._check(record.event, file=self.store.location, line=seq)
        self.events()
        return len(self)

    # -- the sequence of records ----------------------------------------------------------

    def __len__(self) -> int:
        return len(self._entries)

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
        return f"<Log {self.store.location}: {len(self)} records, {len(self._current)} events>"

    @property
    def last_seq(self) -> int:
        """Sequence number of the last record (0 for an empty log)."""
        return len(self._entries)

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
        return [self._record(i) for i, micros in enumerate(self._recorded) if micros <= limit]

    def sketches(self, known_at: InstantLike | None = None) -> list[Sketch]:
        """The events as known at ``known_at``, as typed :mod:`sketches <eurasia_events.sketch>`
        (no event is built), in the order of :meth:`events`."""
        typed_sketches = [typed(s) for s in self._sorted(known_at)]
        # Fold order widens a date by other sources' disputed dates; a reader's order does not.
        typed_sketches.sort(key=lambda s: (s.date.earliest_ordinal, s.seq))
        return typed_sketches

    def _sorted(self, known_at: InstantLike | None) -> list[tuple[Any, ...]]:
        """The stored sketches of the events as known at ``known_at``, in fold order (shared: do not change)."""
        key = ("sketches", None if known_at is None else to_instant(known_at))
        cached: list[tuple[Any, ...]] | None = self._cache.get(key)
        if cached is None:
            if known_at is None:
                live = self._current.values()
            else:
                live = self._sketches_until(to_instant(known_at).micros).values()
            with paused_gc():  # the sort keys are a million short-lived objects at most
                cached = self._cache[key] = sorted(live, key=sort_key)
        return cached

    def _sketches_until(self, limit: int) -> dict[str, tuple[Any, ...]]:
        current: dict[str, tuple[Any, ...]] = {}
        first: dict[str, tuple[Any, ...]] = {}
        for entry, micros in zip(self._entries, self._recorded, strict=True):
            if micros > limit:
                continue
            tag = entry[0]
            if tag == "correction":
                target = entry[2]
                if target in current:
                    current[target] = self._corrected(first[target], limit)
            elif tag == "retraction":
                current.pop(entry[2], None)
            else:
                current[entry[ID]] = first[entry[ID]] = entry
        return current

    def events(self, known_at: InstantLike | None = None) -> list[Event]:
        """Events as known at ``known_at`` (default: now), corrections applied, retractions
        removed, ordered by earliest possible day then sequence number."""
        return [self._event(s, known_at) for s in self.sketches(known_at)]

    def _event(self, sketch: Sketch, known_at: InstantLike | None = None) -> Event:
        """The full event of a sketch, as known at ``known_at``."""
        return self._build(sketch, None if known_at is None else to_instant(known_at).micros)

    def get(self, event_id: str, known_at: InstantLike | None = None) -> Event:
        """The event with this id as currently known (corrections applied)."""
        if known_at is None:
            if event_id in self._current:
                return self._build(self._current[event_id])
        else:
            for sketch in self._sorted(known_at):
                if sketch[ID] == event_id:
                    return self._event(sketch, known_at)
        if event_id in self._retired or event_id in self._current:
            raise UnknownEventError(f"event {event_id!r} was retracted (see 'eurasia-events show {event_id}')")
        raise UnknownEventError(f"no event {event_id!r} in the log")

    def history(self, event_id: str) -> list[Record]:
        """The record of an event and every amendment of it, in log order."""
        found = [self._record(i) for i, entry in enumerate(self._entries)
                 if entry[ID] == event_id or (entry[0] in _AMENDMENTS and entry[2] == event_id)]
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
            prev = self._last_hash
            lines, new = [], []
            for offset, event in enumerate(batch):
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
            if isinstance(event, Event) and event.id in self._current and not self._corrections.get(event.id):
                self._built[event.id] = event  # already built and checked: keep it (unless corrected since)
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
            return None if found is None else self._build(found)

        for index, event in enumerate(batch):
            file, line = locations[index] if locations else (None, None)
            if not isinstance(event, (Event, Amendment)):
                raise InvalidEventError(f"expected an event, got {type(event).__name__}", file=file, line=line)
            if event.id in self._current or event.id in self._retired or event.id in new_ids:
                raise InvalidEventError("duplicate event id: the log already has it", event_id=event.id,
                                        field="id", file=file, line=line)
            self._check(event, file=file, line=line)
            if isinstance(event, Amendment):
                target = current(event.target)
                if target is None:
                    raise InvalidEventError(
                        f"no event {event.target!r} to amend"
                        + (" (it was retracted)" if event.target in self._retired or event.target in new_ids else ""),
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


