"""The interchange benchmark: ``python -m bench.interchange [--rows 1M] [--formats icews,gdelt]
[--out DIR] [--seed 0] [--quick]``.

Generates event-dataset files of ``--rows`` rows in the real layouts
(:mod:`bench.interchange_gen`: about 3 % China-Russia rows, either direction, 8 % more
with one of the two and a third state), then measures for each format, through the public
API only (``read_rows``, ``Dyad``, ``import_files``, ``ee.load``, the views):

- *scan*: ``read_rows(file, fmt, dyad=Dyad("CN", "RU"))`` consumed to the end: rows in the
  file per second (the issue's target: >= 200k rows/s), median of 3 (1 with ``--quick``),
  wall clock and this process's CPU time.
- *import*: ``import_files([file], fmt, into=<new folder>, dyad=("CN", "RU"))``, what
  ``eurasia-events import`` runs, into a fresh folder log: rows scanned per second, events
  written per second, seconds (wall and CPU; one run: it writes), and the peak RSS of the
  process during it (``VmHWM`` after resetting it through ``/proc/self/clear_refs``; the
  process's lifetime peak where that is not possible). The same target is marked on it.
- *re-import*: the same file into the same log again: seconds, and the events it appended
  (0: the import is idempotent; the benchmark fails otherwise).
- on the *imported* log (``ee.load(folder)``) and on the *combined* one
  (``ee.load(None, folder)``: the bundled curated log and the imported one): its size
  (records, events, bytes of ``log.jsonl``); load time (median of 3, wall and CPU); the
  first query (``as_of(day).summary()`` right after loading); ``interactions()`` (by month,
  family and direction); ``as_of(day).summary()`` and ``as_of(day).meetings()`` at
  ``day`` = 2035-12-31 (after every event), each on a new state made first and untimed,
  warm (after the first query), median and max of several; ``timeline()`` (curated events
  with the monthly interaction counts beside them), median.

The load average (1, 5, 15 min) is recorded at the start and end of the run and of each
format: the machine is shared, and the figures are wall clock. Prints a table (one
column per format, the target and a mark per cell) and writes JSON to
``bench/results/interchange-*.json``. Generated files are cached in
``bench/results/data/interchange-<rows>-s<seed>/`` and reused.

``--profile`` measures nothing of the above: for each format it prints where the import's
time goes, first by phase without a profiler (the reader with the dyad; the dyad match of
each row kept; ``build_events``; ``log.append`` in one batch), then the
whole import and the re-import under :mod:`cProfile` (top functions by own and by
cumulative time, as :mod:`bench.profile` prints them).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import json
import os
import platform
import resource
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import eurasia_events as ee
from eurasia_events.interchange import DATASET_SOURCES, Dyad, build_events, import_files, importer, read_rows

from .generate import parse_size, size_label
from .interchange_gen import write_gdelt, write_icews, write_polecat
from .profile import print_profile
from .run import met as run_met

HERE = Path(__file__).resolve().parent
DAY = "2035-12-31"
"""The day of the as-of queries: after every generated and curated event."""
DYAD = ("CN", "RU")
DYAD_SHARE = 0.03
WRITERS: dict[str, tuple[str, Callable[..., int]]] = {
    "icews": ("icews.tab", write_icews),
    "gdelt": ("gdelt.export.CSV", write_gdelt),
    "polecat": ("polecat.txt", write_polecat),
}
"""Format -> (file name, generator)."""

TARGETS: dict[str, tuple[str, float]] = {
    "scan_rows_per_s": (">=", 200_000),
    "import_rows_per_s": (">=", 200_000),
}
"""Issue 17: >= 200k rows/s scanned with the dyad filter (marked on the reader alone and on the whole import)."""


def _loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _cpu(action: Callable[[], Any]) -> tuple[float, float, Any]:
    """Wall-clock and CPU (this process's) seconds of ``action``, and its result."""
    cpu, start = time.process_time(), time.perf_counter()
    result = action()
    return time.perf_counter() - start, time.process_time() - cpu, result


def _ms(action: Callable[[], Any]) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def _reset_peak() -> bool:
    """Reset the process's peak RSS (Linux >= 4.0); False where that is not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        return False
    return True


def _peak_rss_mb() -> float:
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def generate(folder: Path, fmt: str, rows: int, seed: int) -> tuple[Path, dict[str, Any]]:
    """The format's file of ``rows`` rows (made, or reused when already made with the same
    rows and seed), and what is known of it: its China-Russia rows, and the seconds it took
    to write (``None``: reused)."""
    name, write = WRITERS[fmt]
    folder.mkdir(parents=True, exist_ok=True)
    path, marker = folder / name, folder / f"{name}.json"
    wanted = {"rows": rows, "seed": seed, "dyad_share": DYAD_SHARE}
    if path.is_file() and marker.is_file():
        known = json.loads(marker.read_text())
        if {k: known.get(k) for k in wanted} == wanted and known.get("bytes") == path.stat().st_size:
            return path, {"dyad_rows": known["dyad_rows"], "generate_s": None}
    path.unlink(missing_ok=True)
    start = time.perf_counter()
    dyads = write(path, rows, seed, DYAD_SHARE)
    seconds = time.perf_counter() - start
    marker.write_text(json.dumps({**wanted, "dyad_rows": dyads, "bytes": path.stat().st_size}))
    return path, {"dyad_rows": dyads, "generate_s": seconds}


def _queries(log: ee.Log, prefix: str, samples: int) -> dict[str, Any]:
    """The as-of figures of ``log`` (just loaded): first query, interactions, summary,
    meetings, timeline."""
    out: dict[str, Any] = {}
    out[f"{prefix}_first_query_ms"] = _ms(lambda: len(log.as_of(DAY).summary()))
    runs = [_ms(lambda: len(log.interactions())) for _ in range(samples)]
    out[f"{prefix}_interactions_ms"], out[f"{prefix}_interactions_max_ms"] = statistics.median(runs), max(runs)
    out[f"{prefix}_interactions_rows"] = len(log.interactions())
    for view in ("summary", "meetings"):
        runs = []
        for _ in range(samples):
            build = getattr(log.as_of(DAY), view)  # a new state each time, made untimed
            runs.append(_ms(build))
        out[f"{prefix}_{view}_p50_ms"], out[f"{prefix}_{view}_max_ms"] = statistics.median(runs), max(runs)
    out[f"{prefix}_meetings_rows"] = len(log.as_of(DAY).meetings())
    runs = [_ms(lambda: len(log.timeline())) for _ in range(max(1, samples // 2))]
    out[f"{prefix}_timeline_ms"], out[f"{prefix}_timeline_max_ms"] = statistics.median(runs), max(runs)
    out[f"{prefix}_timeline_rows"] = len(log.timeline())
    return out


def _load(paths: tuple[Path | None, ...], prefix: str, loads: int) -> tuple[ee.Log, dict[str, Any]]:
    """The log at ``paths`` loaded ``loads`` times (the last kept), its load time and size."""
    walls, cpus = [], []
    log: ee.Log | None = None
    for _ in range(loads):
        log = None
        gc.collect()
        wall, cpu, log = _cpu(lambda: ee.load(*paths))
        walls.append(wall)
        cpus.append(cpu)
    assert log is not None
    out = {f"{prefix}_load_s": statistics.median(walls), f"{prefix}_load_cpu_s": statistics.median(cpus),
           f"{prefix}_records": len(log), f"{prefix}_events": len(log.sketches())}
    out[f"{prefix}_load_eps"] = out[f"{prefix}_records"] / out[f"{prefix}_load_s"]
    return log, out


def bench_format(fmt: str, rows: int, seed: int, out_dir: Path, quick: bool = False) -> dict[str, Any]:
    """Every figure for one format at ``rows`` rows (``quick``: one sample of each, for the smoke test)."""
    samples = 2 if quick else 7
    loads = 1 if quick else 3
    scans = 1 if quick else 3
    path, out = generate(out_dir / "data" / f"interchange-{size_label(rows)}-s{seed}", fmt, rows, seed)
    out = {"rows": rows, "file_bytes": path.stat().st_size, **out, "loadavg_start": _loadavg()}
    dyad = Dyad(*DYAD, ee.load().entities)

    # The reader alone, with the dyad filter.
    walls, cpus, kept = [], [], 0
    for _ in range(scans):
        wall, cpu, kept = _cpu(lambda: sum(1 for _ in read_rows(path, fmt, dyad=dyad)))
        walls.append(wall)
        cpus.append(cpu)
    out["scan_kept"] = kept
    out["scan_s"], out["scan_cpu_s"] = statistics.median(walls), statistics.median(cpus)
    out["scan_rows_per_s"], out["scan_cpu_rows_per_s"] = rows / out["scan_s"], rows / out["scan_cpu_s"]

    # The whole import, into a fresh folder log.
    folder = out_dir / "work" / f"interchange-{fmt}-{size_label(rows)}-s{seed}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.parent.mkdir(parents=True, exist_ok=True)
    gc.collect()
    out["rss_before_import_mb"] = _peak_rss_mb() if _reset_peak() else None
    wall, cpu, report = _cpu(lambda: import_files([path], fmt, into=folder, dyad=DYAD))
    out["import_peak_rss_mb"] = _peak_rss_mb()
    out["import_s"], out["import_cpu_s"], out["import_report_s"] = wall, cpu, report.seconds
    out["import_scanned"], out["import_kept"] = report.scanned, report.kept
    out["import_new"], out["import_coded"], out["import_typed"] = report.new, report.coded, report.typed
    out["import_rows_per_s"], out["import_cpu_rows_per_s"] = report.scanned / wall, report.scanned / cpu
    out["import_events_per_s"] = report.new / wall
    out["log_bytes"] = (folder / "log.jsonl").stat().st_size
    del report
    gc.collect()

    # The imported log, then the curated log combined with it.
    log, figures = _load((folder,), "imported", loads)
    out.update(figures)
    out.update(_queries(log, "imported", samples))
    del log
    gc.collect()
    log, figures = _load((None, folder), "combined", loads)
    out.update(figures)
    out.update(_queries(log, "combined", samples))
    del log
    gc.collect()

    # The same file again: nothing new.
    wall, cpu, again = _cpu(lambda: import_files([path], fmt, into=folder, dyad=DYAD))
    out["reimport_s"], out["reimport_cpu_s"] = wall, cpu
    out["reimport_new"], out["reimport_present"] = again.new, again.present
    if again.new != 0:
        raise AssertionError(f"{fmt}: importing the same file again appended {again.new} events")
    out["loadavg_end"] = _loadavg()
    return out


ROWS: tuple[tuple[str, str, str], ...] = (
    ("rows", "rows in the file", "{:,}"),
    ("dyad_rows", "  of them China-Russia (generator)", "{:,}"),
    ("file_bytes", "  file size (MB)", "mb"),
    ("generate_s", "  generated in (s; -: reused)", "{:.1f}"),
    ("scan_rows_per_s", "read_rows + CN-RU dyad (rows/s, median)", "{:,.0f}"),
    ("scan_cpu_rows_per_s", "  on CPU time (rows/s)", "{:,.0f}"),
    ("scan_s", "  seconds (median)", "{:.2f}"),
    ("scan_kept", "  rows kept", "{:,}"),
    ("import_rows_per_s", "import: rows scanned/s (wall)", "{:,.0f}"),
    ("import_cpu_rows_per_s", "  on CPU time (rows/s)", "{:,.0f}"),
    ("import_events_per_s", "import: events written/s", "{:,.0f}"),
    ("import_s", "import: seconds (wall)", "{:.2f}"),
    ("import_cpu_s", "  CPU seconds", "{:.2f}"),
    ("import_new", "  events written", "{:,}"),
    ("import_coded", "    coded interactions", "{:,}"),
    ("import_typed", "    typed events", "{:,}"),
    ("import_peak_rss_mb", "  peak RSS during import (MB)", "{:,.0f}"),
    ("reimport_s", "re-import same file: seconds", "{:.2f}"),
    ("reimport_new", "  new events (must be 0)", "{:,}"),
    ("log_bytes", "imported log.jsonl (MB)", "mb"),
    ("imported_records", "imported log: records", "{:,}"),
    ("imported_events", "  events", "{:,}"),
    ("imported_load_s", "  load (s, median)", "{:.3f}"),
    ("imported_load_cpu_s", "  load on CPU (s)", "{:.3f}"),
    ("imported_first_query_ms", "  first as_of(day).summary() (ms)", "{:.1f}"),
    ("imported_interactions_ms", "  interactions() month/family/dir (ms)", "{:.1f}"),
    ("imported_interactions_rows", "    rows", "{:,}"),
    ("imported_summary_p50_ms", "  as_of(day).summary() p50 (ms)", "{:.1f}"),
    ("imported_meetings_p50_ms", "  as_of(day).meetings() p50 (ms)", "{:.1f}"),
    ("imported_timeline_ms", "  timeline() (ms, median)", "{:.1f}"),
    ("combined_records", "curated + imported: records", "{:,}"),
    ("combined_events", "  events", "{:,}"),
    ("combined_load_s", "  load (s, median)", "{:.3f}"),
    ("combined_load_cpu_s", "  load on CPU (s)", "{:.3f}"),
    ("combined_first_query_ms", "  first as_of(day).summary() (ms)", "{:.1f}"),
    ("combined_interactions_ms", "  interactions() month/family/dir (ms)", "{:.1f}"),
    ("combined_summary_p50_ms", "  as_of(day).summary() p50 (ms)", "{:.1f}"),
    ("combined_meetings_p50_ms", "  as_of(day).meetings() p50 (ms)", "{:.1f}"),
    ("combined_timeline_ms", "  timeline() (ms, median)", "{:.1f}"),
    ("combined_timeline_rows", "    rows", "{:,}"),
)
"""The table's rows: key, label, format (``mb``: bytes shown in MB)."""


def met(key: str, value: float) -> bool | None:
    """Whether ``value`` meets the import target of ``key`` (``None``: no target)."""
    return run_met(key, value, TARGETS)


def _cell(key: str, value: Any, fmt: str) -> str:
    if value is None:
        return "-"
    text = f"{value / 1e6:,.1f}" if fmt == "mb" else fmt.format(value)
    return text + {None: "", True: " ok", False: " MISS"}[met(key, value)]


def table(results: dict[str, Any]) -> str:
    """The results as a plain-text table: one column per format, the target and a mark per
    cell (``ok`` met, ``MISS`` missed)."""
    formats = list(results["formats"])
    header = ["metric", *formats, "target"]
    lines = [header]
    for key, label, fmt in ROWS:
        cells = [_cell(key, results["formats"][f].get(key), fmt) for f in formats]
        target = TARGETS.get(key)
        lines.append([label, *cells, f"{target[0]} {target[1]:,}" if target else ""])
    lines.append(["load average at start / end", *(
        f"{results['formats'][f]['loadavg_start'][0]:.1f} / {results['formats'][f]['loadavg_end'][0]:.1f}"
        for f in formats), ""])
    widths = [max(len(row[i]) for row in lines) for i in range(len(header))]
    text = [" | ".join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i])
                       for i, cell in enumerate(row)).rstrip() for row in lines]
    text.insert(1, "-|-".join("-" * w for w in widths))
    return "\n".join(text)


def _phases(fmt: str, path: Path, folder: Path) -> None:
    """The import's phases, each timed alone (no profiler), through the public API."""
    entities = ee.load().entities
    dyad = Dyad(*DYAD, entities)
    times: dict[str, tuple[float, float]] = {}

    def phase(name: str, action: Callable[[], Any]) -> Any:
        wall, cpu, result = _cpu(action)
        times[name] = (wall, cpu)
        return result

    rows = phase("read_rows with the dyad", lambda: list(read_rows(path, fmt, dyad=dyad)))
    count = getattr(importer, "_count_rows", None)  # an earlier importer's second pass over the file
    if count is not None:
        phase("second pass counting rows", lambda: count(str(path), fmt))
    sides = phase("dyad.match of each row kept", lambda: [dyad.match(row) for row in rows])
    made = phase("build_events", lambda: [build_events(row, initiator=side.initiator, recipient=side.recipient,
                                                       entities=entities, source=fmt)
                                          for row, side in zip(rows, sides, strict=True)])
    now = ee.Instant.now()
    events = [event for events in made for event in events]
    recorded = [ee.Instant.from_datetime(row.added) if row.added is not None else now
                for row, events in zip(rows, made, strict=True) for _ in events]
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    spec = DATASET_SOURCES[fmt]
    source = ee.Source(id=fmt, title=spec["title"], publisher=spec["publisher"], address=spec["address"],
                       kind="dataset", version=spec["version"])
    (folder / "sources.json").write_text(json.dumps([source.to_record()]))
    log = ee.load(folder, create=True)

    def append() -> None:
        log.append(events, recorded=recorded)  # one batch: the import is all or nothing

    phase("log.append, one batch", append)
    total = sum(wall for wall, _ in times.values())
    print(f"\n=== {fmt}: the import's phases, each alone ({len(rows):,} rows kept, {len(events):,} events) ===")
    for name, (wall, cpu) in times.items():
        print(f"{name:30} {wall:6.2f} s wall {cpu:6.2f} s CPU {wall / total:6.1%}")
    print(f"{'sum':30} {total:6.2f} s")


def profile(fmt: str, path: Path, out_dir: Path, top: int) -> None:
    """Where the import of ``path`` spends its time: phases, then cProfile of the import and the re-import."""
    folder = out_dir / "work" / f"interchange-profile-{fmt}"
    _phases(fmt, path, folder)
    shutil.rmtree(folder, ignore_errors=True)
    for title in ("import into a new folder", "re-import of the same file"):
        profiler = cProfile.Profile()
        start = time.perf_counter()
        report = profiler.runcall(lambda: import_files([path], fmt, into=folder, dyad=DYAD))
        print(f"\n=== {fmt}: {title} under cProfile: {time.perf_counter() - start:.2f} s ===\n{report.summary()}")
        print_profile(profiler, top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.interchange", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="1M", help="rows in each generated file, e.g. 2k, 100k, 1M")
    parser.add_argument("--formats", default="icews,gdelt", help=f"comma-separated, of {', '.join(WRITERS)}")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=HERE / "results", help="folder for JSON results and data")
    parser.add_argument("--quick", action="store_true", help="one sample of everything (the smoke test)")
    parser.add_argument("--profile", action="store_true", help="where the import's time goes, instead")
    parser.add_argument("--top", type=int, default=25, help="functions listed by --profile")
    args = parser.parse_args(argv)
    rows = parse_size(args.rows)
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    unknown = [f for f in formats if f not in WRITERS]
    if unknown:
        parser.error(f"unknown format(s) {', '.join(unknown)}; expected some of {', '.join(WRITERS)}")
    if args.profile:
        print(f"load average {' '.join(map(str, _loadavg()))} on {os.cpu_count()} cores")
        for fmt in formats:
            path, _ = generate(args.out / "data" / f"interchange-{size_label(rows)}-s{args.seed}", fmt, rows,
                               args.seed)
            profile(fmt, path, args.out, args.top)
        print(f"\nload average {' '.join(map(str, _loadavg()))} at the end")
        return 0
    started = time.monotonic()
    results: dict[str, Any] = {
        "python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count(),
        "rows": rows, "seed": args.seed, "dyad": list(DYAD), "day": DAY, "command": " ".join(
            ["python -m bench.interchange", *(argv if argv is not None else sys.argv[1:])]),
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "loadavg_start": _loadavg(), "formats": {},
    }
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"interchange-{dt.datetime.now().strftime('%Y%m%d-%H%M%S')}.json"
    for fmt in formats:
        print(f"running {fmt} at {size_label(rows)} rows ...", file=sys.stderr, flush=True)
        results["formats"][fmt] = bench_format(fmt, rows, args.seed, args.out, args.quick)
        results["wall_s"] = time.monotonic() - started
        results["loadavg_end"] = _loadavg()
        path.write_text(json.dumps(results, indent=1))  # after each format, readable while the run goes on
    print(table(results))
    print(f"\n{len(formats)} format(s) at {size_label(rows)} rows in {results['wall_s'] / 60:.1f} min; load average "
          f"{' '.join(map(str, results['loadavg_start']))} at the start, "
          f"{' '.join(map(str, results['loadavg_end']))} at the end, on {os.cpu_count()} cores", file=sys.stderr)
    print(f"written: {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
