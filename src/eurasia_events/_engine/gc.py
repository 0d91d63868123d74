"""The engine's one policy for Python's cyclic garbage collector.

Bulk work (reading a log, building the query index, folding, rendering a view) makes
many long-lived objects and no reference cycles; each allocation-triggered collection in
between would rescan them all. :func:`paused` disables the collector for such a block
and restores its previous state after. Nothing else changes the process's collector,
unless the user opts in (``load(..., freeze_gc=True)``): then what the block built is
moved to the permanent generation (:func:`gc.freeze`), out of later full collections'
sight. That is process-wide (cyclic garbage existing then is kept until
:func:`gc.unfreeze`), hence never the default. Rows are exact tuples of text and
numbers, which the collector untracks after one pass, so without freezing a full
collection walks the engine's lists, not its millions of rows.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

__all__ = ["bulk", "paused"]

_F = TypeVar("_F", bound=Callable[..., Any])


@contextlib.contextmanager
def paused(*, freeze: bool = False) -> Iterator[None]:
    """Disable the cyclic collector inside the block; restore its previous state after,
    first freezing the objects then alive if ``freeze`` (the user's opt-in)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if collecting:
            gc.enable()


def bulk(function: _F) -> _F:
    """Run ``function`` with the collector paused (see :func:`paused`)."""
    return paused()(function)
