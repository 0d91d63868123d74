"""The benchmark: ``python -m bench [--sizes 10k,100k,1M] [--seed 0] [--samples N] [--quick] [--out DIR]``.

Measures, per size, in one run, through the library's public API only (``ee.load``,
``log.as_of``, the views, ``log.append``): load from JSON Lines, from SQLite and (with
``EURASIA_EVENTS_PG_DSN`` set) from PostgreSQL; memory in a fresh process; warm queries;
``summary()`` and ``agreements()``; retroactive appends; the fold of every view; and the
rebuild against the peer ``eventsourcing``, interleaved; plus the package's import time.
Prints a table with the issue's targets and a mark per cell, and writes JSON to
``bench/results/``. Figures are wall-clock seconds on this machine.

Definitions (so the numbers can be read):

- *last day*: 2035-12-31, the last day of the generator's dates: a query at the last day
  sees every event.
- *load*: ``ee.load(path)`` with every check (hash chain, fields, references); the median
  of 3 loads (2 at 1M and above), wall clock, and on this process's CPU time (less
  sensitive to other processes on a shared machine; the targets are judged on wall clock).
- *memory*: measured by :mod:`bench.memory` in a fresh subprocess that only loads the
  log (after a warm-up on the bundled log), as the :mod:`tracemalloc` difference
  (the targets are judged on it), and in a second one as the RSS difference. The *query
  index* is what the log keeps after one query at the last day (``as_of`` and
  ``agreements()``, then both dropped), measured the same way, separately.
- *first query*: ``as_of(last day).agreements()`` right after loading (builds the index).
- *warm as-of*: ``as_of(day)`` plus building one view (``agreements()``) at random days
  on a log already queried once; p50 and p99.
- *summary()*, *agreements()*: at the last day, each on a new ``as_of`` state (made
  first, untimed), timed on their own; p50 and max. What a state works out from the fold
  and the day is kept for the next state on the same fold and day, so after the first
  sample these are repeated queries; *summary() after a retroactive append* is timed on
  the new fold each retroactive event below makes (its fold built by that event's query).
- *retroactive append + query*: on a working copy (file store, fsync included), several
  in a row, rotating meetings, new agreements (memoranda), entry into force of existing
  agreements, new sanctions measures and corrections of existing agreements, each dated in
  the past, each followed by ``as_of(last day).agreements()``; p50 and max (the target
  holds "every time"), with the append's and the query's share of the slowest. Then
  milestones, dated early, of the project with the most milestones (its state is written in
  most stretches of events, so every later event on it is refolded): the first (which lists
  the events touching the key, kept for the next) and the slowest of those after it.
- *rebuild*: ours is ``as_of(last day, known_at=t)`` with an instant ``t`` after the last
  record, new for each sample: the public way to make the log replay its records
  (corrections and retractions applied), sort and fold from nothing, without reading the
  store again. The peer's is ``repository.get`` on its in-memory store of the same
  records, in a process of its own (:class:`bench.peer.Remote`: in one process, each
  side's collections would scan the other's objects too). Samples alternate, ours then
  the peer's, ``--samples`` of each; the table gives the medians, the ratio of the medians
  (wall clock, judged; and on CPU time) and each side's spread (max/min). *Rebuild
  middle*: the same at the median event's day against the peer's middle version.
- *fold of all views*: a rebuild as above plus every view of the resulting state
  (``State.view(name)`` for each built-in view), in events per second.
- *import*: ``import eurasia_events`` in a fresh interpreter, the median of 7, with the
  bytecode compiled as an install leaves it (judged); and as this environment runs.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import gc
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

try:
    from orjson import loads as _json
except ImportError:  # the library may stop depending on orjson; the harness does not need it
    from json import loads as _json

import eurasia_events as ee

from . import peer
from .generate import parse_size, size_label, write_log

HERE = Path(__file__).resolve().parent
LAST_DAY = "2035-12-31"
"""The generator's dates fall between 1991 and 2035: a query on this day sees every event."""

TARGETS: dict[str, tuple[str, float]] = {
    "load_jsonl_eps": (">=", 300_000),
    "load_sqlite_eps": (">=", 300_000),
    "fold_eps": (">=", 1_000_000),
    "rebuild_ratio": (">=", 10),
    "summary_p50_ms": ("<=", 50),
    "agreements_p50_ms": ("<=", 20),
    "retro_max_ms": ("<=", 20),
    "retro_busy_first_ms": ("<=", 20),
    "retro_busy_max_ms": ("<=", 20),
    "bytes_per_record": ("<=", 400),
    "index_bytes_per_record": ("<=", 200),
    "import_ms": ("<=", 100),
    "load_postgres_vs_sqlite": ("<=", 2),
}
"""Issue 13's targets (stated at 1M events; the rebuild ratio at 100k and 1M)."""


def _time(action: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _spread(values: list[float]) -> float:
    return max(values) / min(values)


def import_time(repeat: int = 7, *, cached: bool = True) -> float:
    """The median of ``repeat`` fresh interpreters: seconds to ``import eurasia_events``.

    ``cached``: with the bytecode compiled, as ``pip install`` leaves it (here in a cache of
    its own, written by a first, untimed import, whatever ``PYTHONDONTWRITEBYTECODE`` says);
    else as this environment runs, which may compile the package on every import.
    """
    code = "import time; t = time.perf_counter(); import eurasia_events; print(time.perf_counter() - t)"
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as cache:
        if cached:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = cache

        def run() -> float:
            done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
            return float(done.stdout)

        if cached:
            run()
        return statistics.median([run() for _ in range(repeat)])


def memory(path: Path, mode: str) -> dict[str, Any]:
    """:mod:`bench.memory` in a fresh interpreter, on the log at ``path``."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(HERE.parent), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-m", "bench.memory", str(path), "--day", LAST_DAY, "--mode", mode],
                          capture_output=True, text=True, check=True, env=env)
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _days(rng: random.Random, count: int) -> list[str]:
    first, last = dt.date(1991, 1, 1).toordinal(), dt.date(2035, 12, 31).toordinal()
    return [dt.date.fromordinal(rng.randint(first, last)).isoformat() for _ in range(count)]


def _sqlite_copy(folder: Path) -> Path:
    target = folder / "log.sqlite"
    marker = folder / "sqlite.json"
    source = (folder / "log.jsonl").stat()
    wanted = {"size": source.st_size, "mtime": source.st_mtime_ns}
    if not (target.is_file() and marker.is_file() and json.loads(marker.read_text()) == wanted):
        target.unlink(missing_ok=True)
        store = ee.SQLiteStore(target)
        lines = (folder / "log.jsonl").read_bytes().splitlines(keepends=True)
        with store.locked():
            store.append_lines(lines)
        marker.write_text(json.dumps(wanted))
    return target


def _postgres_copy(folder: Path, label: str) -> str | None:
    """The log copied into a schema of the server ``EURASIA_EVENTS_PG_DSN`` names (made again each run)."""
    dsn = os.environ.get("EURASIA_EVENTS_PG_DSN")
    if not dsn:
        return None
    import psycopg

    schema = f"bench_{label.lower()}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.execute(f"CREATE SCHEMA {schema}")
    url = f"{dsn}{'&' if '?' in dsn else '?'}options=-csearch_path%3D{schema}"
    store = ee.PostgresStore(url)
    store.init()
    with store.locked():
        store.append_lines((folder / "log.jsonl").read_bytes().splitlines(keepends=True))
    store.close()
    return url


class _Facts:
    """What the harness needs to know of the generated log, read in one pass over its
    lines (here, not through the library), keeping only that: the ids and values
    retroactive events can refer to, the median event's year."""

    def __init__(self, folder: Path) -> None:
        agreements: list[str] = []
        retracted: set[str] = set()
        projects: collections.Counter[str] = collections.Counter()
        years: list[str] = []
        self.targets: list[str] = []
        self.last_recorded = ""
        with (folder / "log.jsonl").open("rb") as lines:
            for line in lines:
                record = _json(line)
                tag, data = record["type"], record["data"]
                if "date" in data:
                    years.append(data["date"][:4])
                if not self.last_recorded:
                    self.source, self.parties = data["sources"][0]["source"], data["parties"]
                self.last_recorded = record["recorded"]
                if tag == "retraction":
                    retracted.add(data["target"])
                elif data.get("agreement") == data["id"]:
                    agreements.append(data["id"])
                elif tag == "sanctions_imposed" and not self.targets:
                    self.targets = data["targets"]
                elif tag == "project_milestone":
                    projects[data["project"]] += 1
        self.agreements = [a for a in agreements if a not in retracted]
        self.busy_project = projects.most_common(1)[0][0] if projects else None
        """The project with the most milestones: its state is written in most stretches of events."""
        years.sort()
        self.middle_day = f"{years[len(years) // 2]}-07-01"
        """1 July of the median event's year."""


def _cpu(action: Callable[[], Any]) -> tuple[float, float, Any]:
    """Wall-clock and CPU (this process's) seconds of ``action``, and its result."""
    cpu = time.process_time()
    wall, result = _time(action)
    return wall, time.process_time() - cpu, result


def _load(path: Path | str, samples: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds of ``samples`` loads."""
    walls, cpus = [], []
    for _ in range(samples):
        wall, cpu, log = _cpu(lambda: ee.load(path))
        walls.append(wall)
        cpus.append(cpu)
        del log
        gc.collect()
    return walls, cpus


def append_now(log: ee.Log, event: ee.Event | ee.Amendment) -> None:
    """Append one event as recorded now, or just after the log's last record if the
    generator's instants run past now (they do at 1M: an amendment recorded before its
    target would be refused)."""
    last = log[len(log) - 1].recorded.micros
    log.append([event], recorded=ee.Instant(max(ee.Instant.now().micros, last + 1)))


def after_every_record(log: ee.Log) -> Callable[[], ee.Instant]:
    """A new instant at each call, after every record of ``log`` and after now: ``as_of(day,
    known_at=t)`` at one replays every record, as the rebuild must. Not the clock's instant:
    the generator's records run past now at 1M (to November 2027), and ``known_at`` just after
    now replays only those recorded by then (on 2 December 2026, 483,024 of the million: a
    rebuild 2.5 times as fast, not the one measured here)."""
    last = max(time.time_ns() // 1000, log[len(log) - 1].recorded.micros) + 10**6
    counter = iter(range(1, 10**9))
    return lambda: ee.Instant(last + next(counter))


class _Retro:
    """Retroactive events of several kinds, each new and valid against the generated log."""

    def __init__(self, facts: _Facts, rng: random.Random) -> None:
        self.rng = rng
        self.source, self.parties = facts.source, facts.parties
        self.agreements, self.targets = facts.agreements, facts.targets

    def event(self, number: int) -> tuple[str, ee.Event | ee.Amendment]:
        rng = self.rng
        year = rng.randint(1995, 2020)
        common: dict[str, Any] = {"date": f"{year}-03-15", "title": "retro", "parties": self.parties,
                                  "sources": [{"source": self.source, "quote": "q"}]}
        kind = ("meeting", "memorandum", "entered_into_force", "sanctions_imposed", "correction")[number % 5]
        name = f"bench-retro-{number}"
        if kind == "meeting":
            return kind, ee.Meeting(id=name, kind="talks", **common)
        if kind == "memorandum":
            return kind, ee.Memorandum(id=name, agreement=name, kind="memorandum", **common)
        if kind == "entered_into_force":
            return kind, ee.EnteredIntoForce(id=name, agreement=rng.choice(self.agreements), **common)
        if kind == "sanctions_imposed":
            return kind, ee.SanctionsImposed(id=name, measure=name, imposer="eu", targets=self.targets,
                                             description="retro", sectors=["energy"], **common)
        return kind, ee.Correction(id=name, target=rng.choice(self.agreements), reason="retro",
                                   changes={"title": f"retro {number}"})

    def busy(self, number: int, project: str) -> ee.ProjectMilestone:
        """A milestone of ``project`` dated early in the log: every later event on it is refolded."""
        return ee.ProjectMilestone(id=f"bench-busy-{number}", date=f"{1996 + number}-03-15", title="retro",
                                   parties=self.parties, sources=[{"source": self.source, "quote": "q"}],
                                   project=project, stage="planned")


def bench_size(n: int, seed: int, data: Path, with_peer: bool, samples: int | None = None,
               quick: bool = False) -> dict[str, Any]:
    """Every measurement for a log of ``n`` records (``quick``: few samples of each, for the smoke test)."""
    rng = random.Random(seed + 1)
    big = n >= 1_000_000
    samples = samples or (3 if big else 5)
    loads = 1 if quick else max(2, min(samples, 2 if big else 3))
    out: dict[str, Any] = {"records": n, "samples": samples}
    folder = write_log(data / f"log-{size_label(n)}-s{seed}", n, seed)

    # Load: JSON Lines, SQLite, PostgreSQL (when a server is given).
    times, cpus = _load(folder, loads)
    out["load_jsonl_s"] = statistics.median(times)
    out["load_jsonl_eps"] = n / out["load_jsonl_s"]
    out["load_jsonl_cpu_eps"] = n / statistics.median(cpus)
    times, cpus = _load(_sqlite_copy(folder), loads)
    out["load_sqlite_s"] = statistics.median(times)
    out["load_sqlite_eps"] = n / out["load_sqlite_s"]
    out["load_sqlite_cpu_eps"] = n / statistics.median(cpus)
    postgres = _postgres_copy(folder, size_label(n))
    if postgres is None:
        print("note: EURASIA_EVENTS_PG_DSN is not set; skipping the PostgreSQL load", file=sys.stderr)
    else:
        out["load_postgres_s"] = statistics.median(_load(postgres, loads)[0])  # type: ignore[arg-type]
        out["load_postgres_eps"] = n / out["load_postgres_s"]
        out["load_postgres_vs_sqlite"] = out["load_postgres_s"] / out["load_sqlite_s"]

    # Memory, each in a fresh process that loads the log and queries it once.
    traced = memory(folder, "tracemalloc")
    out["bytes_per_record"] = traced["log_bytes_per_record"]
    out["index_bytes_per_record"] = traced["index_bytes_per_record"]
    rss = memory(folder, "rss")
    out["rss_bytes_per_record"] = rss["log_bytes_per_record"]
    out["rss_index_bytes_per_record"] = rss["index_bytes_per_record"]
    out["peak_rss_mb"] = rss["peak_rss_bytes"] / 2**20

    # Queries, on a working copy (the retroactive appends leave the generated log alone).
    facts = _Facts(folder)
    work = folder / "work"
    work.mkdir(exist_ok=True)
    for name in ("log.jsonl", "entities.json", "sources.json"):
        shutil.copy(folder / name, work / name)
    for name in ("log.jsonl.journal",):
        (work / name).unlink(missing_ok=True)
    log = ee.load(work)
    out["first_query_s"] = _time(lambda: len(log.as_of(LAST_DAY).agreements()))[0]

    days = _days(rng, 10 if quick else 100 if big else 300)
    warm = [_time(lambda d=day: len(log.as_of(d).agreements()))[0] * 1000 for day in days]
    out["warm_p50_ms"], out["warm_p99_ms"] = statistics.median(warm), _pct(warm, 0.99)

    def on_last_day(view: str) -> float:
        state = log.as_of(LAST_DAY)
        return _time(lambda: len(getattr(state, view)()))[0] * 1000

    for view, count in (("summary", 5 if big else 10), ("agreements", 10 if big else 20)):
        count = 2 if quick else count
        times = [on_last_day(view) for _ in range(count)]
        out[f"{view}_p50_ms"], out[f"{view}_max_ms"] = statistics.median(times), max(times)

    out["series_ms"] = _time(lambda: log.series("gas", "2006-01-01", "2025-01-01", every="year"))[0] * 1000

    # Retroactive appends, each followed by a query; "every time": the max counts.
    retro = _Retro(facts, rng)
    rows, summaries = [], []
    for number in range(5 if quick else 10 if big else 15):
        kind, event = retro.event(number)
        append_s, _ = _time(lambda e=event: append_now(log, e))
        query_s, _ = _time(lambda: len(log.as_of(LAST_DAY).agreements()))
        rows.append((append_s * 1000 + query_s * 1000, append_s * 1000, query_s * 1000, kind))
        # Not part of the figure above: summary() on the fold the retroactive event made (the
        # fold itself built by that query), where nothing is kept from an earlier state.
        summaries.append(_time(lambda: len(log.as_of(LAST_DAY).summary()))[0] * 1000)
    out["summary_new_fold_p50_ms"] = statistics.median(summaries)
    totals = [row[0] for row in rows]
    slowest = max(rows)
    out["retro_p50_ms"], out["retro_max_ms"] = statistics.median(totals), slowest[0]
    out["retro_max_append_ms"], out["retro_max_query_ms"], out["retro_max_kind"] = slowest[1:]
    out["retro_all_ms"] = [[round(row[0], 2), row[3]] for row in rows]
    # Then on the busiest key: the first change to it lists the events touching it (kept after).
    if facts.busy_project is not None:
        busy = []
        for number in range(2 if quick else 4):
            event = retro.busy(number, facts.busy_project)
            append_s, _ = _time(lambda e=event: append_now(log, e))
            query_s, _ = _time(lambda: len(log.as_of(LAST_DAY).agreements()))
            busy.append((append_s * 1000 + query_s * 1000, append_s * 1000, query_s * 1000))
        out["retro_busy_first_ms"], out["retro_busy_first_append_ms"] = busy[0][:2]
        out["retro_busy_max_ms"] = max(row[0] for row in busy[1:])
        out["retro_busy_all_ms"] = [[round(value, 2) for value in row] for row in busy]

    # Rebuilds, ours and the peer's interleaved; then the fold of every view.
    known_at = after_every_record(log)  # after the generated records and the retroactive appends above
    middle = facts.middle_day
    # The peer in a process of its own (see bench.peer.Remote), waiting while ours runs.
    theirs = peer.Remote(folder / "log.jsonl") if with_peer else None
    del facts
    gc.collect()
    ours_full, ours_middle, peer_full, peer_middle, ours_cpu, peer_cpu = [], [], [], [], [], []
    for _ in range(samples):
        wall, cpu, _ = _cpu(lambda: log.as_of(LAST_DAY, known_at=known_at()).fold)
        ours_full.append(wall)
        ours_cpu.append(cpu)
        if theirs is not None:
            wall, cpu = theirs.rebuild()
            peer_full.append(wall)
            peer_cpu.append(cpu)
        ours_middle.append(_time(lambda: log.as_of(middle, known_at=known_at()).fold)[0])
        if theirs is not None:
            peer_middle.append(theirs.rebuild_middle())
    out["events"] = len(log.sketches())
    out["rebuild_s"], out["rebuild_spread"] = statistics.median(ours_full), _spread(ours_full)
    out["rebuild_eps"] = len(log) / out["rebuild_s"]
    out["rebuild_middle_s"] = statistics.median(ours_middle)
    if theirs is not None:
        out["peer_append_eps"] = theirs.n / theirs.append_s
        out["peer_rebuild_s"], out["peer_rebuild_spread"] = statistics.median(peer_full), _spread(peer_full)
        out["peer_rebuild_eps"] = theirs.n / out["peer_rebuild_s"]
        out["rebuild_ratio"] = out["peer_rebuild_s"] / out["rebuild_s"]
        out["rebuild_cpu_ratio"] = statistics.median(peer_cpu) / statistics.median(ours_cpu)
        out["peer_rebuild_middle_s"] = statistics.median(peer_middle)
        out["rebuild_middle_ratio"] = out["peer_rebuild_middle_s"] / out["rebuild_middle_s"]
        out["rebuild_samples"] = {"ours": ours_full, "peer": peer_full, "ours_middle": ours_middle,
                                  "peer_middle": peer_middle}
        out["peer_pid"] = theirs.pid
        theirs.close()
        del theirs
        gc.collect()

    def fold_all() -> int:
        state = log.as_of(LAST_DAY, known_at=known_at())
        return sum(len(state.view(name)) for name in VIEWS)

    folds = [_time(fold_all)[0] for _ in range(max(2, samples // 2))]
    out["fold_s"] = statistics.median(folds)
    out["fold_eps"] = len(log) / out["fold_s"]
    return out


VIEWS = ("agreements", "volumes", "supply", "members", "sanctions", "policies", "projects", "finance",
         "meetings", "trade")
"""The built-in views the fold of all views builds (``State.view(name)``)."""


ROWS: tuple[tuple[str, str, str], ...] = (
    ("load_jsonl_eps", "load JSON Lines (events/s, median)", "{:,.0f}"),
    ("load_jsonl_cpu_eps", "  JSON Lines on CPU time (events/s)", "{:,.0f}"),
    ("load_sqlite_eps", "load SQLite (events/s, median)", "{:,.0f}"),
    ("load_sqlite_cpu_eps", "  SQLite on CPU time (events/s)", "{:,.0f}"),
    ("bytes_per_record", "memory per record, fresh process (B, traced)", "{:,.0f}"),
    ("rss_bytes_per_record", "  the same as RSS growth (B)", "{:,.0f}"),
    ("index_bytes_per_record", "query index per record (B, traced)", "{:,.0f}"),
    ("rss_index_bytes_per_record", "  the same as RSS growth (B)", "{:,.0f}"),
    ("peak_rss_mb", "  peak RSS of that process (MB)", "{:,.0f}"),
    ("fold_eps", "fold of all views (events/s)", "{:,.0f}"),
    ("first_query_s", "first query after load (s)", "{:.3f}"),
    ("warm_p50_ms", "warm as-of + agreements() p50 (ms)", "{:.2f}"),
    ("warm_p99_ms", "warm as-of + agreements() p99 (ms)", "{:.2f}"),
    ("summary_p50_ms", "summary() at last day p50 (ms)", "{:.1f}"),
    ("summary_max_ms", "  max (ms)", "{:.1f}"),
    ("summary_new_fold_p50_ms", "  after a retroactive append, p50 (ms)", "{:.1f}"),
    ("agreements_p50_ms", "agreements() at last day p50 (ms)", "{:.1f}"),
    ("agreements_max_ms", "  max (ms)", "{:.1f}"),
    ("retro_p50_ms", "retro append + query p50 (ms)", "{:.1f}"),
    ("retro_max_ms", "retro append + query max (ms)", "{:.1f}"),
    ("retro_max_append_ms", "  of the max: append (ms)", "{:.1f}"),
    ("retro_max_query_ms", "  of the max: query (ms)", "{:.1f}"),
    ("retro_busy_first_ms", "retro on the busiest key, first (ms)", "{:.1f}"),
    ("retro_busy_first_append_ms", "  of it: append (ms)", "{:.1f}"),
    ("retro_busy_max_ms", "retro on the busiest key, after, max (ms)", "{:.1f}"),
    ("series_ms", "series gas 2006-2025 yearly (ms)", "{:.1f}"),
    ("rebuild_s", "rebuild at last day, median (s)", "{:.3f}"),
    ("rebuild_spread", "  spread max/min (x)", "{:.2f}"),
    ("peer_rebuild_s", "peer rebuild, median (s)", "{:.3f}"),
    ("peer_rebuild_spread", "  spread max/min (x)", "{:.2f}"),
    ("rebuild_ratio", "rebuild ratio peer/ours, medians (x)", "{:.1f}"),
    ("rebuild_cpu_ratio", "  the same on CPU time (x)", "{:.1f}"),
    ("rebuild_middle_s", "rebuild at middle day, median (s)", "{:.3f}"),
    ("peer_rebuild_middle_s", "peer rebuild middle version (s)", "{:.3f}"),
    ("rebuild_middle_ratio", "rebuild middle ratio (x)", "{:.1f}"),
    ("peer_append_eps", "peer append (events/s)", "{:,.0f}"),
)


OPTIONAL_ROWS: tuple[tuple[str, str, str], ...] = (
    ("load_postgres_eps", "load PostgreSQL (events/s, median)", "{:,.0f}"),
    ("load_postgres_vs_sqlite", "  PostgreSQL load time / SQLite's (x)", "{:.2f}"),
)
"""Rows measured only when a PostgreSQL server is given (``EURASIA_EVENTS_PG_DSN``)."""

PEER_ROWS = frozenset({"peer_rebuild_s", "peer_rebuild_spread", "rebuild_ratio", "rebuild_cpu_ratio",
                       "peer_rebuild_middle_s", "rebuild_middle_ratio", "peer_append_eps"})
"""Rows measured only with the peer installed."""


def met(key: str, value: float, targets: dict[str, tuple[str, float]] | None = None) -> bool | None:
    """Whether ``value`` meets the target of ``key`` in ``targets`` (default: this benchmark's;
    ``None``: no target)."""
    target = (TARGETS if targets is None else targets).get(key)
    if target is None:
        return None
    op, bound = target
    return value >= bound if op == ">=" else value <= bound


def _mark(key: str, value: float) -> str:
    return {None: "", True: " ok", False: " MISS"}[met(key, value)]


def table(results: dict[str, Any]) -> str:
    """The results as a plain-text table, one column per size, the target and a mark per cell
    (``ok`` met, ``MISS`` missed), and the verdict at the largest size in the last column."""
    sizes = list(results["sizes"])
    header = ["metric", *sizes, "target", "met"]
    lines = [header]
    largest = results["sizes"][sizes[-1]] if sizes else {}
    for key, label, fmt in (*ROWS[:4], *OPTIONAL_ROWS, *ROWS[4:]):
        measured = results["sizes"]
        if not any(key in measured[s] for s in sizes):
            continue
        cells = [fmt.format(measured[s][key]) + _mark(key, measured[s][key]) if key in measured[s] else "-"
                 for s in sizes]
        target = TARGETS.get(key)
        verdict = met(key, largest[key]) if key in largest else None
        lines.append([label, *cells, f"{target[0]} {target[1]:,}" if target else "",
                      {None: "", True: f"yes at {sizes[-1]}", False: f"NO at {sizes[-1]}"}[verdict]])
    value = results["import_ms"]
    lines.append(["import eurasia_events (ms, median)", f"{value:.0f}{_mark('import_ms', value)}",
                  *[""] * (len(sizes) - 1), "<= 100", "yes" if met("import_ms", value) else "NO"])
    lines.append(["  as this environment runs (ms, median)", f"{results['import_uncached_ms']:.0f}",
                  *[""] * (len(sizes) + 1)])
    widths = [max(len(row[i]) for row in lines) for i in range(len(header))]
    text = [" | ".join(cell.ljust(widths[i]) if i in (0, len(header) - 1) else cell.rjust(widths[i])
                       for i, cell in enumerate(row)).rstrip() for row in lines]
    text.insert(1, "-|-".join("-" * w for w in widths))
    return "\n".join(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10k,100k,1M", help="comma-separated sizes, e.g. 1k,10k,100k,1M")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--samples", type=int, default=None,
                        help="interleaved rebuild samples of each side (default 5, 3 at 1M and above)")
    parser.add_argument("--out", type=Path, default=HERE / "results", help="folder for JSON results and data")
    parser.add_argument("--no-peer", action="store_true", help="skip eventsourcing")
    parser.add_argument("--quick", action="store_true", help="few samples of everything (the smoke test)")
    args = parser.parse_args(argv)
    with_peer = not args.no_peer and peer.available()
    if not args.no_peer and not with_peer:
        print("note: eventsourcing is not installed (pip install -e '.[bench]'); skipping the peer",
              file=sys.stderr)
    started = time.monotonic()
    results: dict[str, Any] = {
        "python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count(),
        "seed": args.seed, "peer": peer.version() if with_peer else None,
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "import_ms": import_time(2 if args.quick else 7) * 1000,
        "import_uncached_ms": import_time(2 if args.quick else 7, cached=False) * 1000, "sizes": {},
    }
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"bench-{dt.datetime.now().strftime('%Y%m%d-%H%M%S')}.json"
    for text in args.sizes.split(","):
        n = parse_size(text)
        print(f"running {size_label(n)} ...", file=sys.stderr, flush=True)
        results["sizes"][size_label(n)] = bench_size(n, args.seed, args.out / "data", with_peer, args.samples,
                                                     args.quick)
        gc.collect()
        # Written after each size, so a long run's finished sizes can be read while it goes on.
        results["wall_s"] = time.monotonic() - started
        path.write_text(json.dumps(results, indent=1))
        print(table({**results, "sizes": {size_label(n): results["sizes"][size_label(n)]}}), file=sys.stderr,
              flush=True)
    print(table(results))
    print(f"\n{len(results['sizes'])} size(s) in {results['wall_s'] / 60:.1f} min; "
          f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores at the end",
          file=sys.stderr)
    print(f"written: {path}", file=sys.stderr)
    return 0
