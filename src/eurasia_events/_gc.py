"""Keeping Python's cyclic garbage collector away from a large log's data.

Loading a log and building a query index create many long-lived objects, none of which
forms a reference cycle. While they are built, each allocation-triggered collection
rescans all of them; pausing the collector for the duration (and only for it) removes
that cost without changing the process's GC settings once the work is done.

Once built, they still cost every later full collection a pass over them: at a million
records that was one to two seconds, and rendering a view could trigger several. For a
log of :data:`FREEZE_AT` records or more, the end of the pause therefore moves every
object then alive to the collector's permanent generation (:func:`gc.freeze`), where
collections no longer look. This is process-wide: cyclic garbage that exists at that
moment is kept until :func:`gc.unfreeze`. The log's own data has no cycles, so it is
still freed when the log is dropped. ``load(..., freeze_gc=False)`` turns it off.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from typing import Final

FREEZE_AT: Final = 100_000
"""Records from which a log freezes what it built (see the module's docstring)."""


def should_freeze(records: int, choice: bool | None) -> bool:
    """Whether to freeze: as chosen, or by default for logs of :data:`FREEZE_AT` records or more."""
    return records >= FREEZE_AT if choice is None else choice


class Pause:
    """What a :func:`paused_gc` block may decide before it ends."""

    def __init__(self, freeze: bool) -> None:
        self.freeze = freeze
        """Whether to freeze the objects alive when the block ends."""


@contextlib.contextmanager
def paused_gc(*, freeze: bool = False) -> Iterator[Pause]:
    """Disable the cyclic collector inside the block; restore its previous state after,
    freezing the objects then alive first if ``freeze`` (or the yielded ``Pause.freeze``)."""
    collecting = gc.isenabled()
    gc.disable()
    pause = Pause(freeze)
    try:
        yield pause
    finally:
        if pause.freeze:
            gc.freeze()
        if collecting:
            gc.enable()
