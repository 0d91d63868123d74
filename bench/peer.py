"""The same workload on the peer library ``eventsourcing`` (the ``bench`` extra).

One aggregate records every event (its type, date and title), and its state counts events
per type and keeps the latest title per id, a fold comparable in work to ours. Measured:
appending N events (saved every ``batch`` events, once), then rebuilding the state from all
of them (``repository.get``) and at the middle version (no snapshots, as the peer ignores
events inserted before a snapshot), as many times as the runner asks, interleaved with our
own rebuilds.
"""

from __future__ import annotations

import time
from typing import Any


def available() -> bool:
    """Whether eventsourcing is installed."""
    try:
        import eventsourcing  # noqa: F401
    except ImportError:
        return False
    return True


def version() -> str:
    """The installed eventsourcing's version."""
    from importlib.metadata import version as installed

    return installed("eventsourcing")


_AGGREGATE: Any = None


def _aggregate_class() -> Any:
    # Defined once: eventsourcing registers each class by its topic and refuses a second one.
    global _AGGREGATE
    if _AGGREGATE is None:
        from eventsourcing.domain import Aggregate, event

        class Relationship(Aggregate):  # type: ignore[misc]
            def __init__(self) -> None:
                self.counts: dict[str, int] = {}
                self.titles: dict[str, str] = {}

            @event("Recorded")
            def record(self, event_id: str, kind: str, date: str, title: str) -> None:
                self.counts[kind] = self.counts.get(kind, 0) + 1
                self.titles[event_id] = title

        _AGGREGATE = Relationship
    return _AGGREGATE


class Peer:
    """An in-memory (POPO) eventsourcing application holding one aggregate of ``items``
    ((id, type, date, title) tuples); :attr:`append_s` is how long recording them took."""

    def __init__(self, items: list[tuple[str, str, str, str]], batch: int = 1000) -> None:
        from eventsourcing.application import Application

        relationship = _aggregate_class()
        self.app: Any = Application(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
        self.n = len(items)
        start = time.perf_counter()
        aggregate = relationship()
        for number, (event_id, kind, date, title) in enumerate(items, start=1):
            aggregate.record(event_id, kind, date, title)
            if number % batch == 0:
                self.app.save(aggregate)
        self.app.save(aggregate)
        self.append_s = time.perf_counter() - start
        self.id = aggregate.id

    def rebuild(self) -> float:
        """Seconds to rebuild the aggregate from every stored event."""
        start = time.perf_counter()
        rebuilt = self.app.repository.get(self.id)
        seconds = time.perf_counter() - start
        assert sum(rebuilt.counts.values()) == self.n
        return seconds

    def rebuild_middle(self) -> float:
        """Seconds to rebuild the aggregate at its middle version."""
        start = time.perf_counter()
        middle = self.app.repository.get(self.id, version=self.n // 2 + 1)
        seconds = time.perf_counter() - start
        assert sum(middle.counts.values()) == self.n // 2
        return seconds
