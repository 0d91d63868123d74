"""Pausing Python's cyclic garbage collector around bulk work.

Loading a log and building a query index create many long-lived objects, none of which
forms a reference cycle. While they are built, each allocation-triggered collection
rescans all of them; pausing the collector for the duration (and only for it) removes
that cost without changing the process's GC settings once the work is done.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Disable the cyclic collector inside the block; restore its previous state after."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
