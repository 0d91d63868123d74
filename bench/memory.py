"""Memory of a loaded log, measured in a fresh process: ``python -m bench.memory PATH --day D --mode M``.

Run by :mod:`bench.run` in a subprocess of its own, so nothing else the benchmark did
(earlier loads, the peer, caches) is counted. Before the baseline, the bundled log is
loaded, queried and dropped, so the modules a load and a query import, and the
interpreter's first-use allocations, are not counted either. Then the log at ``PATH`` is
loaded (the measured *log*), and one query at ``DAY`` is made (``as_of(day)`` and
``agreements()``); the state and its rows are dropped, and what stays on top of the loaded
log is the query index (the sorted events and checkpoints the log keeps for later
queries). Prints one JSON object: bytes, and bytes per record, of each.

Modes:

- ``tracemalloc``: the difference of :func:`tracemalloc.get_traced_memory` (current),
  after a full collection each time: the bytes the Python objects hold, exactly, with no
  allocator slack. This is the figure the targets are judged on.
- ``rss``: the difference of the process's resident set size (``/proc/self/statm``):
  what the operating system sees, including what the allocator keeps after a load's
  temporary objects are freed. Linux only.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import sys
import tracemalloc


def _rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.memory", description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--day", required=True, help="the day of the one query (the log's last day)")
    parser.add_argument("--mode", choices=("tracemalloc", "rss"), default="tracemalloc")
    args = parser.parse_args(argv)

    import eurasia_events as ee

    warm = ee.load()
    len(warm.as_of(args.day).agreements())
    del warm

    if args.mode == "tracemalloc":
        tracemalloc.start()

        def measure() -> int:
            gc.collect()
            return tracemalloc.get_traced_memory()[0]
    else:
        def measure() -> int:
            gc.collect()
            return _rss()

    base = measure()
    log = ee.load(args.path)
    loaded = measure()
    records = len(log)
    state = log.as_of(args.day)
    rows = len(state.agreements())
    del state
    queried = measure()
    out = {
        "mode": args.mode, "records": records, "agreements": rows,
        "log_bytes": loaded - base, "log_bytes_per_record": (loaded - base) / records,
        "index_bytes": queried - loaded, "index_bytes_per_record": (queried - loaded) / records,
        "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
