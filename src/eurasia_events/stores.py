"""Where records live: a storage interface and its in-memory and JSON Lines backends.

A store keeps raw record lines (bytes, one record each) in order and knows nothing of
events; :mod:`eurasia_events.log` encodes, verifies and decodes them. Appends happen
inside :meth:`Store.locked`, which excludes other writers (other processes, for the
file store) so that reading the tail, checking it and writing are one step.
"""

from __future__ import annotations

import array
import contextlib
import fcntl
import os
import threading
import weakref
from collections.abc import Generator, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO, Protocol

from .codec import MAX_LINE_BYTES
from .errors import LogFormatError, TornTailError

__all__ = ["FileStore", "MemoryStore", "Store", "check_sizes"]


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

    def iter_lines(self, start: int = 0) -> Generator[bytes, None, None]:
        """:meth:`read_lines`, one line at a time (a large log is never all in memory at once)."""
        ...

    def append_lines(self, lines: Sequence[bytes]) -> None:
        """Write whole lines (each ending in a newline) durably; call inside :meth:`locked`."""
        ...

    def line(self, index: int) -> bytes:
        """The line at ``index`` (0-based, newline removed), among those read so far."""
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

    def iter_lines(self, start: int = 0) -> Generator[bytes, None, None]:
        yield from self._lines[start:]

    def line(self, index: int) -> bytes:
        return self._lines[index]

    def append_lines(self, lines: Sequence[bytes]) -> None:
        check_sizes(lines, self.location)
        self._lines.extend(line.rstrip(b"\n") for line in lines)


class FileStore:
    """Records as JSON Lines in one file; ``fcntl`` locks serialise writers across processes.

    Each append is a single ``write`` of whole lines followed by ``fsync``, so a crash
    leaves either the old log or the old log plus a torn last line, never an altered record.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.location = str(self.path)
        # Where the lines read so far end: (lines, byte offset, bytes of the line ending
        # there), so reading new records after an append starts there, not at byte 0.
        self._read_to: tuple[int, int, bytes] = (0, 0, b"")
        # Where each line read so far starts, so one record can be read again by itself
        # (the log keeps no copy of the bytes: see Log.get).
        self._starts = array.array("q")
        self._end = 0  # where the last line read ends
        self._fd: int | None = None

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
        return list(self.iter_lines(start))

    def iter_lines(self, start: int = 0) -> Generator[bytes, None, None]:
        # Read line by line with a bounded readline, so a hostile multi-megabyte line
        # costs at most MAX_LINE_BYTES of memory before it is refused.
        try:
            handle = self.path.open("rb")
        except FileNotFoundError:
            return
        except OSError as error:
            raise LogFormatError(f"{self.path}: cannot read: {error.strerror}") from None
        with handle:
            number = position = 0
            known, offset, last = self._read_to
            starts = self._starts
            if 0 < known <= start and self._still_there(handle, offset, last):
                handle.seek(offset)
                number, position = known, offset
                del starts[known:]
            else:
                del starts[:]
                self._read_to = (0, 0, b"")  # until this read completes, nothing is known
            while raw := handle.readline(MAX_LINE_BYTES + 1):
                number += 1
                if number == 1 and raw.startswith(_BOM):
                    raw = raw[len(_BOM):]  # an editor's byte order mark is not part of the record
                    position += len(_BOM)
                    if not raw:
                        break
                if not raw.endswith(b"\n"):
                    if len(raw) > MAX_LINE_BYTES:
                        raise LogFormatError(
                            f"{self.path}:{number}: record longer than the limit of {MAX_LINE_BYTES} bytes"
                        )
                    raise TornTailError(
                        f"{self.path}:{number}: the last record is incomplete ({len(raw)} bytes, no final "
                        f"newline), as a crash mid-write leaves it; run 'eurasia-events repair {self.path}' "
                        "to remove it"
                    )
                starts.append(position)
                position += len(raw)
                self._end = position
                last = raw
                if number > start:
                    yield raw[:-1]
            if number:
                self._read_to = (number, handle.tell(), last)

    def line(self, index: int) -> bytes:
        starts = self._starts
        start = starts[index]
        end = starts[index + 1] if index + 1 < len(starts) else self._end
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDONLY)
            weakref.finalize(self, os.close, self._fd)
        return os.pread(self._fd, end - start - 1, start)

    @staticmethod
    def _still_there(handle: BinaryIO, offset: int, last: bytes) -> bool:
        """Whether the line that ended at ``offset`` is still there (no repair or rewrite since)."""
        if offset < len(last):
            return False
        handle.seek(offset - len(last))
        return handle.read(len(last)) == last

    def append_lines(self, lines: Sequence[bytes]) -> None:
        check_sizes(lines, self.location)
        payload = b"".join(lines)
        if not payload:
            return
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            size = os.fstat(fd).st_size
            try:
                written = 0
                while written < len(payload):
                    written += os.write(fd, payload[written:])
                os.fsync(fd)
            except OSError as error:
                # Disk full or an I/O error mid-write: take the partial bytes back, so
                # the append is all or nothing even when the process survives.
                os.ftruncate(fd, size)
                os.fsync(fd)
                raise LogFormatError(f"{self.path}: append failed, nothing written: {error.strerror}") from None
        finally:
            os.close(fd)
        if size == 0:
            _fsync_dir(self.path.parent)  # a new file's directory entry must be durable too

    def torn_tail(self) -> bytes:
        """The bytes after the last newline (empty when the log is whole); for repair."""
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


def check_sizes(lines: Sequence[bytes], location: str) -> None:
    """Refuse, before writing anything, a record the loader would refuse as too long."""
    for line in lines:
        size = len(line.removesuffix(b"\n"))
        if size > MAX_LINE_BYTES:
            seq = line[7 : line.find(b",")].decode("ascii", "replace") if line.startswith(b'{"seq":') else "?"
            raise LogFormatError(
                f"{location}: record {seq} would be {size} bytes, over the limit of {MAX_LINE_BYTES}; "
                "nothing was written (shorten its text fields)"
            )


_BOM = b"\xef\xbb\xbf"


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
