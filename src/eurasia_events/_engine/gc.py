"""The engine's one policy for Python's cyclic garbage collector.

Bulk work (reading a log, building the query index, folding, rendering a view) makes
many long-lived objects and no reference cycles; each allocation-triggered collection in
between would rescan them all. :func:`paused` disables the collector for such a block
and restores its previous state after.

A block that leaves many objects alive (a fold of a large log: a million states and the
tuples holding them) hands them straight to the oldest generation, where two young
collections would put them anyway after scanning them twice (0.6-0.7 s each time at a
million events): :func:`gc.freeze` then :func:`gc.unfreeze` moves every tracked object
there unscanned. Nothing else about the collector changes: it stays enabled with its
thresholds, the permanent generation stays empty (the move is skipped when anything is
frozen, as :func:`gc.unfreeze` would release it), and cyclic garbage in the young
generations at that moment is found by the next full collection instead of the next young
one. Rows are exact tuples of text and numbers, which one young pass untracks, so
reading a log leaves them to it (``promote=False``).

Unless the user opts in (``load(..., freeze_gc=True)``): then what the block built is
moved to the permanent generation (:func:`gc.freeze`), out of later full collections'
sight. That is process-wide (cyclic garbage existing then is kept until
:func:`gc.unfreeze`), hence never the default.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterator
from typing import Any, Final, TypeVar

__all__ = ["bulk", "held", "paused"]

_F = TypeVar("_F", bound=Callable[..., Any])

PROMOTE_AFTER: Final = 10_000
"""How many more tracked objects than it found a block must leave for them to be promoted.
Under it they are left to the young collections, whose pass over them then takes about 5 ms
at most (0.4-0.6 us an object, measured on folds of 100k and 1M events)."""

_held = 0  # entries of the containers the running block made (see held)


def held(entries: int) -> None:
    """Count ``entries`` held by containers the running block made: a few containers holding
    many references (a fold's dicts, 150,000 entries at a million events) cost a young
    collection about what as many objects would (14-20 ms after a retroactive change at a
    million), which the block's object count does not show. They count towards
    :data:`PROMOTE_AFTER` with the objects it left."""
    global _held
    _held += entries


@contextlib.contextmanager
def paused(*, freeze: bool = False, promote: bool = True) -> Iterator[None]:
    """Disable the cyclic collector inside the block; restore its previous state after,
    first freezing the objects then alive if ``freeze`` (the user's opt-in), else, if
    ``promote`` and the block left many, moving them to the oldest generation."""
    global _held
    collecting = gc.isenabled()
    gc.disable()
    before = gc.get_count()[0]
    if collecting:
        _held = 0  # the outermost block (inner ones run with the collector off): its count starts
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        elif (collecting and promote and gc.get_count()[0] - before + _held >= PROMOTE_AFTER
              and not gc.get_freeze_count()):
            gc.freeze()
            gc.unfreeze()
        if collecting:
            gc.enable()


def bulk(function: _F) -> _F:
    """Run ``function`` with the collector paused (see :func:`paused`)."""
    return paused()(function)
