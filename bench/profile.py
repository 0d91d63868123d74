"""Where the time (or memory) of one benchmark figure goes:
``python -m bench.profile WHAT [--size 100k] [--top 15]``.

``WHAT`` is one of ``load``, ``load-sqlite``, ``rebuild``, ``fold``, ``summary``,
``agreements``, ``retro``, ``memory``, ``import``. Each runs the figure's measured action
as :mod:`bench.run` defines it, on the same generated log, under :mod:`cProfile`, and prints
the top functions by own time and by cumulative time; ``memory`` prints the lines that
hold the most memory after loading (and after one query), from a :mod:`tracemalloc`
snapshot; ``import`` runs ``python -X importtime`` and prints the slowest imports.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import random
import shutil
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import eurasia_events as ee

from .generate import parse_size, size_label, write_log
from .run import HERE, LAST_DAY, VIEWS, _Facts, _Retro, _sqlite_copy, after_every_record, append_now

WHATS = ("load", "load-sqlite", "rebuild", "fold", "summary", "agreements", "retro", "memory", "import")


def _profile(action: Callable[[], Any], top: int, repeat: int = 1) -> None:
    profiler = cProfile.Profile()
    start = time.perf_counter()
    for _ in range(repeat):
        profiler.runcall(action)
    print(f"{repeat} run(s), {time.perf_counter() - start:.3f} s under the profiler")
    print_profile(profiler, top)


def print_profile(profiler: cProfile.Profile, top: int) -> None:
    """The ``top`` functions of a profile, by own time then by cumulative time."""
    for order in ("tottime", "cumulative"):
        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).strip_dirs().sort_stats(order).print_stats(top)
        text = stream.getvalue()
        print(f"\n--- by {order} ---")
        print(text[text.index("   ncalls"):].rstrip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=WHATS)
    parser.add_argument("--size", default="100k")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    n = parse_size(args.size)
    folder = write_log(args.out / "data" / f"log-{size_label(n)}-s{args.seed}", n, args.seed)
    what = args.what

    if what == "import":
        done = subprocess.run([sys.executable, "-X", "importtime", "-c", "import eurasia_events"],
                              capture_output=True, text=True, check=True)
        rows = [line.split("|") for line in done.stderr.splitlines() if line.startswith("import time:")][1:]
        rows.sort(key=lambda r: -int(r[1]))
        print("cumulative us | own us | module")
        for row in rows[: args.top]:
            print(f"{int(row[1]):>13} | {int(row[0].split(':')[1]):>6} | {row[2].rstrip()}")
        return 0
    if what == "memory":
        ee.load()  # the modules and first-use allocations, not counted
        gc.collect()
        tracemalloc.start(1)
        before = tracemalloc.take_snapshot()
        log = ee.load(folder)
        gc.collect()
        loaded = tracemalloc.take_snapshot()
        len(log.as_of(LAST_DAY).agreements())
        gc.collect()
        queried = tracemalloc.take_snapshot()
        for title, new, old in (("after loading", loaded, before), ("the query index", queried, loaded)):
            stats = new.compare_to(old, "lineno")
            total = sum(s.size_diff for s in stats)
            print(f"\n--- {title}: {total / 2**20:.1f} MiB, {total / len(log):.0f} B a record ---")
            for stat in stats[: args.top]:
                print(f"{stat.size_diff / len(log):8.1f} B/record {stat.count_diff:>10} blocks  {stat.traceback}")
        return 0
    if what == "load":
        _profile(lambda: ee.load(folder), args.top)
        return 0
    if what == "load-sqlite":
        sqlite = _sqlite_copy(folder)
        _profile(lambda: ee.load(sqlite), args.top)
        return 0

    work = folder / "work-profile"
    work.mkdir(exist_ok=True)
    for name in ("log.jsonl", "entities.json", "sources.json"):
        shutil.copy(folder / name, work / name)
    log = ee.load(work)
    len(log.as_of(LAST_DAY).agreements())
    known_at = after_every_record(log)  # as bench.run's rebuild: every record replayed

    def rebuild() -> ee.State:
        return log.as_of(LAST_DAY, known_at=known_at())

    if what == "rebuild":
        _profile(lambda: rebuild().fold, args.top, repeat=3)
    elif what == "fold":
        _profile(lambda: [len(s.view(v)) for s in [rebuild()] for v in VIEWS], args.top, repeat=2)
    elif what in ("summary", "agreements"):
        states = [log.as_of(LAST_DAY) for _ in range(5)]
        it = iter(states)
        _profile(lambda: len(getattr(next(it), what)()), args.top, repeat=5)
    elif what == "retro":
        retro = _Retro(_Facts(folder), random.Random(args.seed + 1))
        number = iter(range(1000, 10**6))

        def one() -> None:
            _, event = retro.event(next(number))
            append_now(log, event)
            len(log.as_of(LAST_DAY).agreements())

        _profile(one, args.top, repeat=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
