"""Several logs read as one: ``load(curated, imported)``.

A :class:`CombinedLog` holds its logs (:attr:`CombinedLog.logs`), each read and verified
with its own hash chain, and one engine over the union of their records, so every query
(``as_of``, ``events``, ``get``, ``timeline``, ``between``, ``since``, ``history``,
``series``, ``diff``) sees the events of all of them, and ``known_at`` replays each record
by its own recorded time whatever log holds it. Their registries are the union of theirs.

It is read-only: new events go to one of its logs (``combined.logs[1].append(...)``), and
:meth:`CombinedLog.refresh` takes in what its logs gained.

Records are numbered one after another through the logs, in the order given: the union's
record ``len(first) + 1`` is the second log's first. ``combined[i]`` is that record with its
``seq`` in the union (``i + 1``, as in any log); its hash is its own log's, which covers its
place there: :meth:`CombinedLog.locate` names the log and the place.
"""

from __future__ import annotations

import bisect
import itertools
import os
import time
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import attrs

from ._engine.engine import Engine
from .codec import GENESIS, Upcaster
from .dates import InstantLike, to_instant
from .entities import Entity, EntityRegistry
from .errors import EurasiaEventsError, InvalidHeadError, LogFormatError, ReadOnlyLogError
from .events import Amendment, Event, Record
from .log import LOG_FILE, SQLITE_LOG_FILE, Log, load, registry_paths
from .postgres_store import is_postgres_url
from .sources import Source, SourceRegistry
from .stores import Store

__all__ = ["CombinedLog"]

_Item = TypeVar("_Item", Entity, Source)


class CombinedLog(Log):
    """Several logs read as one, each keeping its own chain; read-only (see the module's docstring).

    Args:
        logs: the logs, in the order their records are numbered.
        registry_files: each log's ``(entities file, sources file)``, for messages
            (:func:`~eurasia_events.load` gives them); by default the logs' locations.
        freeze_gc: as :func:`~eurasia_events.load`'s.

    Raises:
        LogFormatError: two logs define an entity or source id differently, their entity
            names or aliases clash, or they hold the same event (or amendment) id.

    >>> import eurasia_events as ee
    >>> curated = ee.load()
    >>> both = ee.CombinedLog([curated, ee.Log(entities=curated.entities, sources=curated.sources)])
    >>> len(both) == len(curated), both.as_of("2020-01-01").summary() == curated.as_of("2020-01-01").summary()
    (True, True)
    """

    def __init__(self, logs: Iterable[Log], *, registry_files: Sequence[tuple[str | Path, str | Path]] | None = None,
                 freeze_gc: bool | None = None) -> None:
        members = tuple(logs)
        if not members:
            raise LogFormatError("a combined log needs at least one log")
        if len({id(log) for log in members}) < len(members):
            raise LogFormatError("a combined log was given the same log twice")
        if registry_files is not None and len(registry_files) != len(members):
            raise LogFormatError(f"{len(registry_files)} registry file pairs for {len(members)} logs")
        self.logs: tuple[Log, ...] = members
        """The logs combined, in order; append to one of them, then :meth:`refresh`."""
        self.freeze_gc = freeze_gc
        names = [f"logs[{k}] ({log.location})" for k, log in enumerate(members)] \
            if len({log.location for log in members}) < len(members) else [log.location for log in members]
        self._names = names
        files = ([(str(e), str(s)) for e, s in registry_files] if registry_files is not None
                 else [(f"the entity registry of {n}", f"the source registry of {n}") for n in names])
        entities = _union("entity", [(log.entities, e) for log, (e, _s) in zip(members, files, strict=True)])
        try:
            self.entities = EntityRegistry(entities)
        except EurasiaEventsError as error:  # a name or alias two entities of different logs share
            raise LogFormatError(f"the entity registries {', '.join(dict.fromkeys(e for e, _s in files))} "
                                 f"cannot be combined: {error}") from None
        self.sources = SourceRegistry(
            _union("source", [(log.sources, s) for log, (_e, s) in zip(members, files, strict=True)]))
        self._lengths: list[int] = []  # per log: the records the union holds
        self._starts: list[int] = []  # per log: the union's records before its first
        self.engine = self._build([len(log) for log in members])

    @classmethod
    def from_paths(cls, *paths: str | Path | None, create: bool = False, expect_head: str | None = None,
                   upcasters: Mapping[int, Upcaster] | None = None, freeze_gc: bool | None = None) -> CombinedLog:
        """Load each log (as :func:`~eurasia_events.load` does one; ``None``: the bundled log) and
        combine them: what ``load(a, b, ...)`` does. ``expect_head`` is the heads, as :attr:`head` gives them."""
        seen: set[str] = set()
        for path in paths:
            key = str(path) if path is None or is_postgres_url(path) else os.path.realpath(_log_file(Path(path)))
            if key in seen:
                raise LogFormatError(f"{'the bundled log' if path is None else path}: the same log is given twice")
            seen.add(key)
        logs = [load(path, create=create, upcasters=upcasters, freeze_gc=freeze_gc) for path in paths]
        combined = cls(logs, registry_files=[registry_paths(path) for path in paths], freeze_gc=freeze_gc)
        if expect_head is not None:
            combined.check_head(expect_head)
        return combined

    # -- the union ----------------------------------------------------------------------------

    def _build(self, lengths: list[int]) -> Engine:
        """A new engine over the first ``lengths[k]`` records of each log, fed from their engines' rows."""
        self._check_ids([(0, n) for n in lengths])
        old = self._lengths, self._starts
        self._lengths, self._starts = list(lengths), list(itertools.accumulate([0, *lengths[:-1]]))
        engine = Engine(self.entities, self.sources, self, freeze_gc=bool(self.freeze_gc))
        try:
            engine.ingest_all(itertools.chain.from_iterable(
                itertools.islice(log.engine.incoming(0, shift=start), n)
                for log, start, n in zip(self.logs, self._starts, self._lengths, strict=True)), file=self.location)
        except BaseException:
            self._lengths, self._starts = old
            raise
        return engine

    def _check_ids(self, ranges: Sequence[tuple[int, int]]) -> None:
        """No id of the records ``ranges[k]`` (from, to; from 0) of log ``k`` is in another log."""
        engines = [log.engine for log in self.logs]
        for k, (start, end) in enumerate(ranges):
            others = [(j, other) for j, other in enumerate(engines) if j != k]
            id_of = engines[k].id_of
            for index in range(start, end):
                event_id = id_of(index)
                for j, other in others:
                    if other.known(event_id):
                        first, second = sorted((j, k))
                        raise LogFormatError(
                            f"event id {event_id!r} is in two of the logs combined, {self._names[first]} and "
                            f"{self._names[second]}: an id names one event (a retracted one included), so these "
                            "logs cannot be read as one")

    def locate(self, seq: int) -> tuple[Log, int]:
        """The log holding the union's record ``seq`` (from 1), and the record's ``seq`` there."""
        held = self._starts[-1] + self._lengths[-1]  # (not len(self): also while the union's engine is built)
        if not 1 <= seq <= held:
            raise IndexError(f"no record {seq} in {self.location} (it holds {held})")
        k = bisect.bisect_right(self._starts, seq - 1) - 1  # the last log starting at or before it (empty ones skipped)
        return self.logs[k], seq - self._starts[k]

    def record_data(self, seq: int) -> tuple[str, Any]:
        """The union's record ``seq``'s type and (upcast) JSON data, read from its log (see :meth:`Log.record_data`)."""
        log, local = self.locate(seq)
        return log.record_data(local)

    @property
    def store(self) -> Store:  # type: ignore[override]  # a Log's attribute: a combined log has no store of its own
        """Refused: each of :attr:`logs` has its store (``combined.logs[0].store``)."""
        raise AttributeError(f"{self.location}: a combined log has no store of its own; each of its logs has one "
                             "(combined.logs[i].store)")

    @property
    def location(self) -> str:
        """Where the logs are, joined by ``" + "``, for messages."""
        return " + ".join(log.location for log in self.logs)

    def refresh(self) -> int:
        """Read what each log gained (by any writer) and take it into the union; returns how many
        records are new. Each log checks its chain across the boundary, as :meth:`Log.refresh`.

        When only the last log gained records, they are taken in as a log takes in its own;
        otherwise the union's engine is built again from the logs' rows (no record is read
        again, but the union's indexes are remade on the next query), since the union numbers
        each log's records after the records of the logs before it.

        Raises:
            IntegrityError: as :meth:`Log.refresh`.
            LogFormatError: a new record's id is in another log.
        """
        for log in self.logs:
            log.refresh()
        lengths = [len(log) for log in self.logs]
        before = list(self._lengths)
        if lengths == before:
            return 0
        if lengths[:-1] == before[:-1]:
            self._check_ids([*((n, n) for n in lengths[:-1]), (before[-1], lengths[-1])])
            self._lengths[-1] = lengths[-1]
            try:
                self.engine.ingest_all(self.logs[-1].engine.incoming(before[-1], shift=self._starts[-1]),
                                       file=self.location)
            except BaseException:
                self.engine = self._build(before)  # as it was before
                raise
        else:
            self.engine = self._build(lengths)
        return sum(lengths) - sum(before)

    # -- the sequence of records ------------------------------------------------------------

    def _record(self, index: int) -> Record:
        """Record ``index`` (0-based) of the union: its member's record, numbered through the logs
        (``Log.__getitem__`` does the indexing and slicing)."""
        log, seq = self.locate(index + 1)
        return attrs.evolve(log[seq - 1], seq=index + 1)

    def __iter__(self) -> Iterator[Record]:
        for log, start, count in zip(self.logs, self._starts, self._lengths, strict=True):
            for index in range(count):
                yield attrs.evolve(log[index], seq=start + index + 1)

    def __repr__(self) -> str:
        return f"<CombinedLog {self.location}: {len(self)} records, {self.engine.live_count} events>"

    def records_until(self, known_at: InstantLike | None) -> list[Record]:
        """Records appended at or before ``known_at`` (all of them for ``None``), in the union's order."""
        if known_at is None:
            return list(self)
        return [self[i] for i in self.engine.records_until(to_instant(known_at).micros)]

    def verify(self) -> int:
        """Verify each log as :meth:`Log.verify` does, then build every event of the union."""
        for log in self.logs:
            log.verify()
        self.events()
        return len(self)

    @property
    def heads(self) -> tuple[str, ...]:
        """Each log's head (``SEQ:HASH``) as far as the union holds it; see :attr:`Log.head`."""
        found = []
        for log, count in zip(self.logs, self._lengths, strict=True):
            if count == len(log):
                found.append(log.head)
            else:
                found.append(f"{count}:{log[count - 1].hash if count else GENESIS}")
        return tuple(found)

    @property
    def head(self) -> str:
        """The logs' heads joined by commas (``SEQ:HASH,SEQ:HASH``): what :meth:`check_head`,
        ``load(a, b, expect_head=...)`` and ``validate --expect-head`` take back."""
        return ",".join(self.heads)

    def check_head(self, expected: str) -> None:
        """Refuse logs that do not hold the pinned records (``SEQ:HASH`` per log, joined by commas,
        as :attr:`head` gives them); each log is checked as :meth:`Log.check_head` does."""
        parts = expected.split(",") if isinstance(expected, str) else []
        if len(parts) != len(self.logs):
            raise InvalidHeadError(
                f"invalid head {expected!r:.200} for {len(self.logs)} logs: expected one SEQ:HASH per log, joined "
                "by commas, as the combined log's head gives them")
        for log, part in zip(self.logs, parts, strict=True):
            log.check_head(part)

    def follow(self, after_seq: int | None = None, *, poll: float = 1.0,
               timeout: float | None = None) -> Generator[Record, None, None]:
        """Yield the union's records after ``after_seq``, then each log's new records as they come
        (each log's in order; numbered in the union as it stands when each is yielded), looking
        every ``poll`` seconds; see :meth:`Log.follow`."""
        if after_seq is not None and after_seq < 0:
            raise LogFormatError(f"{self.location}: follow(after_seq={after_seq}): expected 0 or more")
        start = self.last_seq if after_seq is None else after_seq
        last = len(self.logs) - 1
        # Each log's place: where the union's record after_seq + 1 falls (past the end, for the last log).
        seen = [max(0, start - first) if k == last else min(max(0, start - first), count)
                for k, (first, count) in enumerate(zip(self._starts, self._lengths, strict=True))]
        quiet_since = time.monotonic()
        while True:
            self.refresh()
            for k in range(len(self.logs)):
                while seen[k] < self._lengths[k]:
                    yield self[self._starts[k] + seen[k]]
                    seen[k] += 1
                    quiet_since = time.monotonic()
            left = poll if timeout is None else min(poll, timeout - (time.monotonic() - quiet_since))
            if left <= 0:
                return
            time.sleep(left)

    # -- writing: to one of the logs ----------------------------------------------------------

    def append(self, events: Iterable[Event | Amendment], *, expected_last_seq: int | None = None,
               recorded: InstantLike | Iterable[InstantLike] | None = None) -> list[Record]:
        """Refused: a combined log is read-only; append to one of :attr:`logs`, then :meth:`refresh`."""
        raise self._read_only("append")

    def validate_new(self, batch: Sequence[Event | Amendment],
                     locations: Sequence[tuple[str | None, int | None]] | None = None) -> None:
        """Refused, as :meth:`append`: check a batch with the log it is meant for."""
        raise self._read_only("validate_new")

    def _read_only(self, what: str) -> ReadOnlyLogError:
        choices = "; ".join(f"logs[{k}].{what}(...) for {log.location}" for k, log in enumerate(self.logs))
        return ReadOnlyLogError(f"{self.location}: a combined log is read-only: {what} to one of its logs ({choices}), "
                                "then refresh() the combined log")


def _union(kind: str, registries: Sequence[tuple[Mapping[str, _Item], str]]) -> dict[str, _Item]:
    """The union of several registries by id; an id defined differently in two is an error naming both files."""
    found: dict[str, _Item] = {}
    where: dict[str, str] = {}
    for registry, file in registries:
        for item_id, item in registry.items():
            known = found.get(item_id)
            if known is None:
                found[item_id], where[item_id] = item, file
            elif known != item:
                raise LogFormatError(f"{kind} {item_id!r} is defined differently in {where[item_id]} and {file} "
                                     f"({_difference(known, item)}): the logs combined must agree on it")
    return found


def _difference(first: Any, second: Any) -> str:
    """The fields two definitions disagree on, with both values."""
    a, b = attrs.asdict(first, recurse=False), attrs.asdict(second, recurse=False)
    return "; ".join(f"{name}: {a[name]!r} / {b.get(name)!r}" for name in a if a[name] != b.get(name))


def _log_file(path: Path) -> Path:
    """The file a log path stands for: a folder's log file, else the path itself."""
    if path.is_dir():
        for name in (LOG_FILE, SQLITE_LOG_FILE):
            if (path / name).exists():
                return path / name
    return path
