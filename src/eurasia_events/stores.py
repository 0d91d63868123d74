"""Where records live: a storage interface and its in-memory and JSON Lines backends.

A store keeps raw record lines (bytes, one record each) in order and knows nothing of
events; :mod:`eurasia_events.log` encodes, verifies and decodes them. Appends happen
inside :meth:`Store.locked`, which excludes other writers (other processes, for the
file store) so that reading the tail, checking it and writing are one step.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Protocol

from .errors import LogFormatError, TornTailError

__all__ = ["FileStore", "MemoryStore", "Store"]


class Store(Protocol):
    """What the log needs from a storage backend."""

    location: str
    """Where the records are, for messages (a path or ``<memory>``)."""

    def locked(self) -> contextlib.AbstractContextManager[None]:
        """Exclude other writers for the duration."""
        ...

    def read_lines(self, start: int = 0) -> list[bytes]:
        """Complete record lines from index ``start`` (0-based), newline removed.

        Raises :class:`TornTailError` if the last line is incomplete.
        """
        ...

    def append_lines(self, lines: Sequence[bytes]) -> None:
        """Write whole lines (each ending in a newline) durably; call inside :meth:`locked`."""
        ...


class MemoryStore:
    """Records in a list: for tests and for logs built in a notebook."""

    location = "<memory>"

    def __init__(self, lines: Sequence[bytes] = ()) -> None:
        self._lines: list[bytes] = [line.rstrip(b"\n") for line in lines]
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        with self._lock:
            yield

    def read_lines(self, start: int = 0) -> list[bytes]:
        return self._lines[start:]

    def append_lines(self, lines: Sequence[bytes]) -> None:
        self._lines.extend(line.rstrip(b"\n") for line in lines)


class FileStore:
    """Records as JSON Lines in one file; ``fcntl`` locks serialise writers across processes.

    Each append is a single ``write`` of whole lines followed by ``fsync``, so a crash
    leaves either the old log or the old log plus a torn last line, never an altered record.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.location = str(self.path)

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def read_lines(self, start: int = 0) -> list[bytes]:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as error:
            raise LogFormatError(f"{self.path}: cannot read: {error}") from None
        lines = data.split(b"\n")
        tail = lines.pop()  # after the final newline: empty unless the last line is torn
        if tail:
            raise TornTailError(
                f"{self.path}:{len(lines) + 1}: the last record is incomplete ({len(tail)} bytes, no final "
                f"newline), as a crash mid-write leaves it; run 'eurasia-events repair {self.path.parent}' "
                "to remove it"
            )
        return lines[start:]

    def append_lines(self, lines: Sequence[bytes]) -> None:
        payload = b"".join(lines)
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            written = 0
            while written < len(payload):
                written += os.write(fd, payload[written:])
            os.fsync(fd)
        finally:
            os.close(fd)

    def torn_tail(self) -> bytes:
        """The bytes after the last newline (empty when the log is whole)."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return b""
        return data[data.rfind(b"\n") + 1 :]

    def cut_tail(self, size: int) -> None:
        """Remove the last ``size`` bytes (used by repair, inside :meth:`locked`)."""
        with self.path.open("r+b") as handle:
            handle.truncate(self.path.stat().st_size - size)
            handle.flush()
            os.fsync(handle.fileno())
