"""The same workload on the peer library ``eventsourcing`` (the ``bench`` extra).

One aggregate records every event (its type, date and title), and its state counts events
per type and keeps the latest title per id, a fold comparable in work to ours. Measured:
appending N events (saved every ``batch`` events), rebuilding the state from all of them,
and rebuilding at the middle version (no snapshots, as the peer ignores events inserted
before a snapshot).
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


def run(items: list[tuple[str, str, str, str]], batch: int = 1000) -> dict[str, float]:
    """Timings (seconds) for ``items`` as (id, type, date, title) tuples."""
    from eventsourcing.application import Application

    Relationship = _aggregate_class()
    app: Any = Application(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    n = len(items)
    start = time.perf_counter()
    aggregate = Relationship()
    for number, (event_id, kind, date, title) in enumerate(items, start=1):
        aggregate.record(event_id, kind, date, title)
        if number % batch == 0:
            app.save(aggregate)
    app.save(aggregate)
    append = time.perf_counter() - start

    start = time.perf_counter()
    rebuilt = app.repository.get(aggregate.id)
    rebuild = time.perf_counter() - start
    assert sum(rebuilt.counts.values()) == n

    start = time.perf_counter()
    middle = app.repository.get(aggregate.id, version=n // 2 + 1)
    rebuild_middle = time.perf_counter() - start
    assert sum(middle.counts.values()) == n // 2
    return {"append_s": append, "rebuild_s": rebuild, "rebuild_middle_s": rebuild_middle}
