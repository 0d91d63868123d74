"""Generated functions, compiled with their source registered for tracebacks and debuggers.

The engine generates a few functions per event type from the declarations (as attrs
generates ``__init__``): the source is kept in :mod:`linecache` under a unique file name,
so a traceback through one shows its lines, and ``inspect.getsource`` finds them.
"""

from __future__ import annotations

import itertools
import linecache
from collections.abc import Callable
from typing import Any

_COUNTER = itertools.count()


def compile_function(name: str, lines: list[str], namespace: dict[str, Any], *, about: str) -> Callable[..., Any]:
    """Compile the function ``name`` defined by ``lines`` in ``namespace`` (generated from
    the event declarations, never from data) and return it."""
    source = "\n".join(lines) + "\n"
    filename = f"<eurasia_events generated {name} for {about} #{next(_COUNTER)}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), namespace)
    function: Callable[..., Any] = namespace[name]
    return function
