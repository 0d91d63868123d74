"""The same workload on the peer library ``eventsourcing`` (the ``bench`` extra).

One aggregate records every event (its type, date and title), and its state counts events
per type and keeps the latest title per id, a fold comparable in work to ours. Measured:
appending N events (saved every ``batch`` events, once), then rebuilding the state from all
of them (``repository.get``) and at the middle version (no snapshots, as the peer ignores
events inserted before a snapshot), as many times as the runner asks, interleaved with our
own rebuilds.

The runner keeps the peer in a process of its own (:class:`Remote`, running this module):
in one process, each side's collections would also scan the other's million objects (our
1M rebuild took 4.5 s alone and 16.8 s beside the peer's aggregate).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

try:
    from orjson import loads as _json
except ImportError:
    from json import loads as _json


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


def read_items(path: Path) -> list[tuple[str, str, str, str]]:
    """(id, type, date, title) of every record of a JSON Lines log (amendments: empty date and title)."""
    items = []
    with path.open("rb") as lines:
        for line in lines:
            record = _json(line)
            data = record["data"]
            items.append((data["id"], record["type"], data.get("date", ""), data.get("title", "")))
    return items


class Remote:
    """A :class:`Peer` of the records of ``log`` (a JSON Lines file) in a process of its own,
    which waits between the rebuilds it is asked for (:meth:`rebuild`, :meth:`rebuild_middle`)."""

    def __init__(self, log: Path) -> None:
        self._process = subprocess.Popen([sys.executable, "-m", "bench.peer", str(log)], text=True,
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         cwd=Path(__file__).resolve().parents[1])
        ready = self._reply()
        self.n, self.append_s, self.pid = ready["n"], ready["append_s"], self._process.pid

    def _reply(self) -> dict[str, Any]:
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line:
            raise RuntimeError(f"the peer's process ended (exit code {self._process.wait()})")
        found: dict[str, Any] = json.loads(line)
        return found

    def _ask(self, command: str) -> tuple[float, float]:
        assert self._process.stdin is not None
        self._process.stdin.write(command + "\n")
        self._process.stdin.flush()
        reply = self._reply()
        return reply["wall"], reply["cpu"]

    def rebuild(self) -> tuple[float, float]:
        """Wall-clock and CPU seconds of one rebuild from every stored event."""
        return self._ask("rebuild")

    def rebuild_middle(self) -> float:
        """Wall-clock seconds of one rebuild at the middle version."""
        return self._ask("middle")[0]

    def close(self) -> None:
        """End the peer's process."""
        assert self._process.stdin is not None
        assert self._process.stdout is not None
        self._process.stdin.close()
        self._process.wait()
        self._process.stdout.close()


def serve(log: Path) -> None:
    """The peer's process (see :class:`Remote`): build the aggregate, then answer one line per
    command read, ``{"wall": seconds, "cpu": seconds}``, until standard input closes."""
    peer = Peer(read_items(log))
    print(json.dumps({"n": peer.n, "append_s": peer.append_s}), flush=True)
    for command in sys.stdin:
        cpu = time.process_time()
        wall = peer.rebuild() if command.strip() == "rebuild" else peer.rebuild_middle()
        print(json.dumps({"wall": wall, "cpu": time.process_time() - cpu}), flush=True)


if __name__ == "__main__":
    serve(Path(sys.argv[1]))
