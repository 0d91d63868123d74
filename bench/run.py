"""The benchmark: ``python -m bench [--sizes 10k,100k,1M] [--seed 0] [--out bench/results]``.

Measures, per size, in one run: load from JSON Lines, from SQLite and (with
``EURASIA_EVENTS_PG_DSN`` set) from PostgreSQL, memory per loaded
record, the full fold of every built-in view, as-of latency cold and warm (p50, p99) at
random days, a retroactive append then a query, ``series`` over 20 years, and the peer
``eventsourcing`` on the same events; plus the package's import time. Prints a table and
writes JSON to ``bench/results/``. Figures are wall-clock seconds on this machine.

Definitions (so the numbers can be read):

- *as-of*: ``log.as_of(day)``, which folds the keyed views up to the day; *cold* is the
  first query after the log was read (it builds the sorted index), *warm* every later one.
- *summary*: ``log.as_of(day).summary()``, every view rendered on a warm index.
- *fold*: the fold of the keyed views over all events from an empty state, plus the
  per-event views (finance, meetings, trade) on the last day, in events per second.
- *retro*: append one meeting dated in the past (file store, fsync included), then
  ``as_of``; then one memorandum on a new agreement, the first event on a key of the keyed
  fold, which also makes the index's map from fold keys to the last event touching them.
- *rebuild*: our cold as-of at the last day (resolve, sort, fold) against the peer's
  ``repository.get``; *rebuild middle*: at the median day against the peer's middle version.
"""

from __future__ import annotations

import argparse
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
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import eurasia_events as ee
from eurasia_events.projections import FoldState, fold
from eurasia_events.sketch import typed

from . import peer
from .generate import parse_size, size_label, write_log

HERE = Path(__file__).resolve().parent
TARGETS = {
    "load_jsonl_eps": (">=", 300_000),
    "load_sqlite_eps": (">=", 300_000),
    "fold_eps": (">=", 1_000_000),
    "warm_p50_ms": ("<=", 1.0),
    "warm_p99_ms": ("<=", 1.0),
    "cold_p50_s": ("<=", 2.0),
    "retro_p50_ms": ("<=", 20.0),
    "bytes_per_event": ("<=", 500),
    "import_ms": ("<=", 150),
    "rebuild_ratio": (">=", 10),
    "load_postgres_vs_sqlite": ("<=", 2),
}
"""The issue's targets (stated for 1M events where it matters)."""


def _time(action: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def import_time(repeat: int = 5) -> float:
    """Best of ``repeat`` fresh interpreters: seconds to ``import eurasia_events``."""
    code = "import time; t = time.perf_counter(); import eurasia_events; print(time.perf_counter() - t)"
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
            for _ in range(repeat)]
    return min(runs)


def _days(rng: random.Random, count: int) -> list[str]:
    first, last = dt.date(1991, 1, 1).toordinal(), dt.date(2036, 12, 31).toordinal()
    return [dt.date.fromordinal(rng.randint(first, last)).isoformat() for _ in range(count)]


def _cold(log: ee.Log, day: str) -> float:
    # What the first query after reading the log does: resolve, sort, fold to the day.
    log._index = None
    log._cache.clear()
    return _time(lambda: log.as_of(day))[0]


def _sqlite_copy(folder: Path) -> Path | None:
    store_cls = getattr(ee, "SQLiteStore", None)
    if store_cls is None:
        return None
    target = folder / "log.sqlite"
    marker = folder / "sqlite.json"
    source = (folder / "log.jsonl").stat()
    wanted = {"size": source.st_size, "mtime": source.st_mtime_ns}
    if not (target.is_file() and marker.is_file() and json.loads(marker.read_text()) == wanted):
        target.unlink(missing_ok=True)
        store = store_cls(target)
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


def bench_size(n: int, seed: int, data: Path, with_peer: bool) -> dict[str, Any]:
    """Every measurement for a log of ``n`` records."""
    rng = random.Random(seed + 1)
    repeat = 3 if n <= 100_000 else 1
    out: dict[str, Any] = {"records": n}
    folder = write_log(data / f"log-{size_label(n)}-s{seed}", n, seed)

    # Load from JSON Lines (best of `repeat`), then memory per record in a separate load.
    seconds = min(_time(lambda: ee.load(folder))[0] for _ in range(repeat))
    out["load_jsonl_s"], out["load_jsonl_eps"] = seconds, n / seconds
    gc.collect()
    tracemalloc.start()
    log = ee.load(folder)
    out["bytes_per_event"] = tracemalloc.get_traced_memory()[0] / n
    tracemalloc.stop()
    del log
    gc.collect()

    sqlite = _sqlite_copy(folder)
    if sqlite is None:
        print("note: eurasia_events.SQLiteStore is absent; skipping the SQLite load", file=sys.stderr)
    else:
        seconds = min(_time(lambda: ee.load(sqlite))[0] for _ in range(repeat))
        out["load_sqlite_s"], out["load_sqlite_eps"] = seconds, n / seconds
    gc.collect()
    postgres = _postgres_copy(folder, size_label(n))
    if postgres is None:
        print("note: EURASIA_EVENTS_PG_DSN is not set; skipping the PostgreSQL load", file=sys.stderr)
    else:
        seconds = min(_time(lambda: ee.load(postgres))[0] for _ in range(repeat))
        out["load_postgres_s"], out["load_postgres_eps"] = seconds, n / seconds
        if "load_sqlite_s" in out:
            out["load_postgres_vs_sqlite"] = seconds / out["load_sqlite_s"]
    gc.collect()

    # Queries run on a working copy, so the retroactive appends leave the generated log alone.
    work = folder / "work"
    work.mkdir(exist_ok=True)
    for name in ("log.jsonl", "entities.json", "sources.json"):
        shutil.copy(folder / name, work / name)
    log = ee.load(work)
    events = len(log.sketches())
    out["events"] = events

    colds = [_cold(log, day) for day in _days(rng, 3 if n > 100_000 else 5)]
    out["cold_p50_s"], out["cold_max_s"] = statistics.median(colds), max(colds)
    warm = [_time(lambda d=day: log.as_of(d))[0] * 1000 for day in _days(rng, 300)]
    out["warm_p50_ms"], out["warm_p99_ms"] = statistics.median(warm), _pct(warm, 0.99)
    summary = [_time(lambda d=day: log.as_of(d).summary())[0] * 1000 for day in _days(rng, 20)]
    out["summary_p50_ms"] = statistics.median(summary)

    # The full fold of every view, on events already resolved and sorted.
    index = log._index
    end = "2100-01-01"
    state = log.as_of(end)
    fold_s, _ = _time(lambda: fold(FoldState(), index.events))
    views_s, _ = _time(lambda: (state.finance(), state.meetings(), state.trade()))
    out["fold_eps"] = events / (fold_s + views_s)
    out["fold_keyed_eps"] = events / fold_s

    out["series_ms"] = _time(lambda: log.series("gas", "2006-01-01", "2025-01-01", every="year"))[0] * 1000

    retro = []
    for number in range(5):
        meeting = ee.Meeting(id=f"bench-retro-{number}", date=_days(rng, 1)[0][:4] + "-03-15", title="retro",
                             sources=[{"source": "seed-000", "quote": "q"}], parties=["RU", "CN"], kind="talks")
        retro.append(_time(lambda m=meeting: (log.append([m]), log.as_of("2030-01-01")))[0] * 1000)
    out["retro_p50_ms"] = statistics.median(retro)
    out["retro_first_ms"] = retro[0]
    # A retroactive agreement (a key of the keyed fold): the first such append also makes the
    # index's map from fold keys to the last event touching them.
    memo = ee.Memorandum(id="bench-retro-memo", date="2001-03-15", title="retro", agreement="bench-retro-memo",
                         sources=[{"source": "seed-000", "quote": "q"}], parties=["RU", "CN"])
    out["retro_keyed_ms"] = _time(lambda: (log.append([memo]), log.as_of("2030-01-01")))[0] * 1000

    # Rebuilds, ours against the peer's, on the same events.
    days = sorted(s.lo for s in log.sketches())
    middle = dt.date.fromordinal(days[len(days) // 2]).isoformat()
    out["rebuild_s"] = min(_cold(log, end) for _ in range(repeat))
    out["rebuild_middle_s"] = min(_cold(log, middle) for _ in range(repeat))
    if with_peer:
        items = _peer_items(log)
        del log
        gc.collect()
        theirs = peer.run(items[:n])
        out["peer_append_eps"] = n / theirs["append_s"]
        out["peer_rebuild_eps"] = n / theirs["rebuild_s"]
        out["peer_rebuild_middle_s"] = theirs["rebuild_middle_s"]
        out["rebuild_ratio"] = theirs["rebuild_s"] / out["rebuild_s"]
        out["rebuild_middle_ratio"] = theirs["rebuild_middle_s"] / out["rebuild_middle_s"]
    out["rebuild_eps"] = n / out["rebuild_s"]
    return out


def _peer_items(log: ee.Log) -> list[tuple[str, str, str, str]]:
    """(id, type, date, title) of every record, for the peer: events from their sketches,
    amendments with empty date and title (building a million full records would take minutes)."""
    items = []
    for entry in log._entries:
        if entry[0] in ("correction", "retraction"):
            items.append((entry[1], entry[0], "", ""))
        else:
            sketch = typed(entry)
            items.append((sketch.id, sketch.TYPE, sketch.date_text, sketch.title))
    return items


ROWS: tuple[tuple[str, str, str], ...] = (
    ("load_jsonl_eps", "load JSON Lines (events/s)", "{:,.0f}"),
    ("load_sqlite_eps", "load SQLite (events/s)", "{:,.0f}"),
    ("bytes_per_event", "memory per loaded record (bytes)", "{:,.0f}"),
    ("fold_eps", "full fold, all views (events/s)", "{:,.0f}"),
    ("fold_keyed_eps", "  of which keyed fold (events/s)", "{:,.0f}"),
    ("cold_p50_s", "as-of cold p50 (s)", "{:.3f}"),
    ("cold_max_s", "as-of cold max (s)", "{:.3f}"),
    ("warm_p50_ms", "as-of warm p50 (ms)", "{:.3f}"),
    ("warm_p99_ms", "as-of warm p99 (ms)", "{:.3f}"),
    ("summary_p50_ms", "as-of + summary() p50 (ms)", "{:.1f}"),
    ("retro_p50_ms", "retroactive append + as-of p50 (ms)", "{:.1f}"),
    ("retro_first_ms", "  the first one (ms)", "{:.1f}"),
    ("retro_keyed_ms", "  first retroactive agreement (ms)", "{:.1f}"),
    ("series_ms", "series gas 2006-2025 yearly (ms)", "{:.1f}"),
    ("rebuild_eps", "rebuild at last day (events/s)", "{:,.0f}"),
    ("peer_rebuild_eps", "peer rebuild (events/s)", "{:,.0f}"),
    ("rebuild_ratio", "rebuild ratio ours/peer (x)", "{:.1f}"),
    ("rebuild_middle_s", "rebuild at middle day (s)", "{:.3f}"),
    ("peer_rebuild_middle_s", "peer rebuild middle version (s)", "{:.3f}"),
    ("rebuild_middle_ratio", "rebuild middle ratio (x)", "{:.1f}"),
    ("peer_append_eps", "peer append (events/s)", "{:,.0f}"),
)


OPTIONAL_ROWS: tuple[tuple[str, str, str], ...] = (
    ("load_postgres_eps", "load PostgreSQL (events/s)", "{:,.0f}"),
    ("load_postgres_vs_sqlite", "  PostgreSQL load time / SQLite's (x)", "{:.2f}"),
)
"""Rows measured only when a PostgreSQL server is given (``EURASIA_EVENTS_PG_DSN``)."""


def table(results: dict[str, Any]) -> str:
    """The results as a plain-text table, one column per size, with the targets."""
    sizes = list(results["sizes"])
    header = ["metric", *sizes, "target"]
    lines = [header]
    for key, label, fmt in (*ROWS[:2], *OPTIONAL_ROWS, *ROWS[2:]):
        cells = [fmt.format(results["sizes"][s][key]) if key in results["sizes"][s] else "-" for s in sizes]
        target = TARGETS.get(key)
        lines.append([label, *cells, f"{target[0]} {target[1]:,}" if target else ""])
    target = TARGETS["import_ms"]
    lines.append(["import eurasia_events (ms)", f"{results['import_ms']:.0f}", *[""] * (len(sizes) - 1),
                  f"{target[0]} {target[1]}"])
    widths = [max(len(row[i]) for row in lines) for i in range(len(header))]
    text = [" | ".join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row))
            for row in lines]
    text.insert(1, "-|-".join("-" * w for w in widths))
    return "\n".join(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10k,100k,1M", help="comma-separated sizes, e.g. 1k,10k,100k,1M")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=HERE / "results", help="folder for JSON results and data")
    parser.add_argument("--no-peer", action="store_true", help="skip eventsourcing")
    args = parser.parse_args(argv)
    with_peer = not args.no_peer and peer.available()
    if not args.no_peer and not with_peer:
        print("note: eventsourcing is not installed (pip install -e '.[bench]'); skipping the peer",
              file=sys.stderr)
    results: dict[str, Any] = {
        "python": platform.python_version(), "machine": platform.machine(), "seed": args.seed,
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "import_ms": import_time() * 1000, "sizes": {},
    }
    for text in args.sizes.split(","):
        n = parse_size(text)
        print(f"running {size_label(n)} ...", file=sys.stderr, flush=True)
        results["sizes"][size_label(n)] = bench_size(n, args.seed, args.out / "data", with_peer)
        gc.collect()
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = args.out / f"bench-{stamp}.json"
    path.write_text(json.dumps(results, indent=1))
    print(table(results))
    print(f"\nwritten: {path}", file=sys.stderr)
    return 0
