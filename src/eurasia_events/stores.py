"""Where records live: a storage interface and its in-memory and JSON Lines backends.

A store keeps raw record lines (bytes, one record each) in order and knows nothing of
events; :mod:`eurasia_events.log` encodes, verifies and decodes them. Appends happen
inside :meth:`Store.locked`, which excludes other writers (other processes, for the
file store) so that reading the tail, checking it and writing are one step.
"""

from __future__ import annotations

import array
import contextlib
import errno
import fcntl
import os
import stat
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

    An append is a *batch*: before writing, the writer records the log's size in a small
    journal file next to the log (``log.jsonl.journal``, written, fsynced and renamed into
    place); then it writes the lines, fsyncs them and removes the journal. The batch is
    committed when the journal is gone. So a crash, a full disk or an I/O error at any
    step leaves either the old log or the old log plus an uncommitted batch that the
    journal marks: readers stop at the journal's size, and the next writer (in
    :meth:`locked`) or ``eurasia-events repair`` cuts the batch off, keeping a copy of
    the bytes removed.

    Readers take no lock. They decide first where the committed log ends and read no
    further, so they never yield a line of an unfinished batch. A reader that meets a
    journal stops at its size at once, whether the writer is at work or dead (``flock``
    would tell them apart, but both are the same uncommitted batch, and waiting would tie
    every reader to the slowest writer). A reader that finds an incomplete last line and
    no journal waits on ``LOCK_SH`` (no writer at work) and looks again: only then is it a
    real tear.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.location = str(self.path)
        self.journal = self.path.with_name(self.path.name + ".journal")
        """The journal of the batch being written (present only while one is uncommitted)."""
        self.rescued: list[Path] = []
        """Copies of the uncommitted batches this store rolled back, oldest first."""
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
        """Exclude other writers; first roll back a batch a dead writer left uncommitted."""
        with self.exclusive():
            self.roll_back()
            yield

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        """The writers' lock alone, changing nothing (``repair`` checks the log under it first)."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        except OSError as error:
            raise LogFormatError(f"{self.path}: cannot open the log for writing: {error.strerror}") from None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
            except OSError as error:
                raise LogFormatError(f"{self.path}: cannot lock the log: {error.strerror}") from None
            key = _key(os.fstat(fd))
            _HELD[key] = _HELD.get(key, 0) + 1  # this process's readers must not wait on its own lock
            try:
                yield
            finally:
                _HELD[key] -= 1
                if not _HELD[key]:
                    del _HELD[key]
        finally:
            os.close(fd)  # closing releases the lock

    # -- reading ------------------------------------------------------------------------

    def read_lines(self, start: int = 0) -> list[bytes]:
        return list(self.iter_lines(start))

    def iter_lines(self, start: int = 0) -> Generator[bytes, None, None]:
        # Read line by line with a bounded readline, so a hostile multi-megabyte line
        # costs at most MAX_LINE_BYTES of memory before it is refused.
        try:
            # A FIFO put where the log was would hang open() until a writer came: refuse
            # anything but a regular file first (open_store checks too, but earlier).
            if not stat.S_ISREG(os.stat(self.path).st_mode):
                raise LogFormatError(f"{self.path}: not a regular file, so not a log")
            handle = self.path.open("rb")
        except FileNotFoundError:
            return
        except OSError as error:
            raise LogFormatError(f"{self.path}: cannot read: {error.strerror}") from None
        with handle:
            # Where the committed log ends, decided before a line is yielded: the log
            # ingests lines as they come, and must never take in part of a batch.
            committed = self._committed(handle)
            number = position = 0
            known, offset, last = self._read_to
            starts = self._starts
            if 0 < known <= start and offset <= committed and self._still_there(handle, offset, last):
                handle.seek(offset)
                number, position = known, offset
                del starts[known:]
            else:
                handle.seek(0)
                del starts[:]
                self._read_to = (0, 0, b"")  # until this read completes, nothing is known
            while position < committed and (raw := handle.readline(min(MAX_LINE_BYTES + 1, committed - position))):
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
                        "to remove it (a copy is kept)"
                    )
                starts.append(position)
                position += len(raw)
                self._end = position
                last = raw
                if number > start:
                    yield raw[:-1]
            if number:
                self._read_to = (number, position, last)

    def _committed(self, handle: BinaryIO) -> int:
        """Where the committed log ends: the end of the last batch whose writer finished."""
        fd = handle.fileno()
        if _key(os.fstat(fd)) in _HELD:
            return self._settled(fd)  # this process holds the writers' lock: nothing moves
        for _attempt in range(3):
            # Any journal names a committed end. With none before and after the size is
            # read, and the size unchanged, no batch was in flight at that size (a batch's
            # journal exists from before its first byte until after its last).
            size = self.pending()
            if size is not None:
                return size
            end = os.fstat(fd).st_size
            size = self.pending()
            if size is not None:
                return size
            if os.fstat(fd).st_size == end:
                if end == 0 or os.pread(fd, 1, end - 1) == b"\n":
                    return end
                break  # an incomplete last line: a tear, or a writer that keeps no journal
        # Wait until no writer is at work, then look again: what is still incomplete is torn.
        fcntl.flock(fd, fcntl.LOCK_SH)
        try:
            return self._settled(fd)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)

    def _settled(self, fd: int) -> int:
        """The committed end while no writer is at work: the journal's size, else the file's."""
        size = self.pending()
        return os.fstat(fd).st_size if size is None else size

    def pending(self) -> int | None:
        """The size of the log before its uncommitted batch (from the journal); ``None`` if there is none."""
        try:
            with self.journal.open("rb") as handle:
                text = handle.read(200)
        except FileNotFoundError:
            return None
        except OSError as error:
            raise LogFormatError(f"{self.journal}: cannot read the batch journal: {error.strerror}") from None
        head, _, size = text.partition(b"\n")
        if head != _JOURNAL_HEAD or not size.endswith(b"\n") or not size[:-1].isdigit():
            raise LogFormatError(
                f"{self.journal}: not a batch journal (expected {_JOURNAL_HEAD.decode()!r} and a size in bytes, "
                f"got {text[:80]!r}); move it away if it is not this library's"
            )
        return int(size)

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

    # -- writing ------------------------------------------------------------------------

    def append_lines(self, lines: Sequence[bytes]) -> None:
        """Write whole lines as one batch, all or nothing, even across a crash (see the class)."""
        check_sizes(lines, self.location)
        payload = b"".join(lines)
        if not payload:
            return
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        except OSError as error:
            raise LogFormatError(f"{self.path}: append failed, nothing written: cannot open: {error.strerror}") \
                from None
        try:
            size = os.fstat(fd).st_size
            step = "write the batch journal"
            try:
                self._write_journal(size)
                step = "write the records"
                written = 0
                while written < len(payload):
                    written += os.write(fd, payload[written:])
                step = "sync the records"
                os.fsync(fd)
                step = "commit (remove the batch journal)"
                os.unlink(self.journal)
                _fsync_dir(self.path.parent)  # the commit must be durable before the append returns
            except OSError as error:
                # Disk full or an I/O error at any step: take the batch back, so the append
                # is all or nothing even when the process survives. If that fails too, the
                # journal stays: readers ignore the batch and the next writer rolls it back.
                self._undo(fd, size)
                raise LogFormatError(
                    f"{self.path}: append failed, nothing written: could not {step}: {error.strerror}"
                ) from None
        finally:
            os.close(fd)

    def _write_journal(self, size: int) -> None:
        """Name the log's size before the batch, durably, before the batch's first byte."""
        temporary = self.journal.with_name(self.journal.name + ".tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            data = _JOURNAL_HEAD + b"\n" + str(size).encode() + b"\n"
            written = 0
            while written < len(data):
                written += os.write(fd, data[written:])
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, self.journal)  # readers see a whole journal or none
        _fsync_dir(self.path.parent)  # also makes a new log file's own entry durable

    def _undo(self, fd: int, size: int) -> None:
        """Best effort after a failed step: truncate to ``size`` and drop the journal."""
        with contextlib.suppress(OSError):
            os.ftruncate(fd, size)
            os.fsync(fd)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.journal)
            _fsync_dir(self.path.parent)

    def roll_back(self) -> Path | None:
        """Remove an uncommitted batch (call under :meth:`exclusive`), keeping a copy of its bytes.

        Returns the copy's path (also added to :attr:`rescued`), or ``None`` if there was no
        batch to roll back.
        """
        try:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.journal.with_name(self.journal.name + ".tmp"))  # a journal never put in place
        except OSError as error:
            raise LogFormatError(f"{self.journal}.tmp: cannot remove a journal left half-written: "
                                 f"{error.strerror}") from None
        size = self.pending()
        if size is None:
            return None
        try:
            fd = os.open(self.path, os.O_RDWR)
            try:
                end = os.fstat(fd).st_size
                copy = self._keep(fd, size, end) if end > size else None
                if end > size:
                    os.ftruncate(fd, size)
                    os.fsync(fd)
            finally:
                os.close(fd)
            os.unlink(self.journal)
            _fsync_dir(self.path.parent)
        except OSError as error:
            raise LogFormatError(
                f"{self.path}: cannot roll back the unfinished batch after byte {size} "
                f"(journal {self.journal}): {error.strerror}; readers ignore it until it is rolled back"
            ) from None
        if copy is not None:
            self.rescued.append(copy)
        return copy

    def _keep(self, fd: int, start: int, end: int) -> Path:
        """Copy bytes ``start:end`` of the log to a new file beside it, durably, before they are cut."""
        data = os.pread(fd, end - start, start)
        for n in range(1, 10_000):
            copy = self.path.with_name(f"{self.path.name}.removed-{start}" + (f"-{n}" if n > 1 else ""))
            try:
                out = os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                continue
            try:
                written = 0
                while written < len(data):
                    written += os.write(out, data[written:])
                os.fsync(out)
            finally:
                os.close(out)
            _fsync_dir(self.path.parent)  # the copy must survive whatever follows the cut
            return copy
        raise FileExistsError(errno.EEXIST, f"no free name for a copy beside {self.path}")

    # -- repair ---------------------------------------------------------------------------

    def tail(self) -> tuple[int, bytes]:
        """Where the bytes after the last newline start, and those bytes (empty when the log
        ends in a newline); a byte order mark at the start of the file is not part of them."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return 0, b""
        start = data.rfind(b"\n") + 1
        if start == 0 and data.startswith(_BOM):
            start = len(_BOM)
        return start, data[start:]

    def cut_tail(self, start: int) -> Path:
        """Remove the bytes from ``start`` on (call under :meth:`exclusive`), keeping a copy; returns its path."""
        try:
            fd = os.open(self.path, os.O_RDWR)
            try:
                copy = self._keep(fd, start, os.fstat(fd).st_size)
                os.ftruncate(fd, start)
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as error:
            raise LogFormatError(f"{self.path}: cannot remove the incomplete last record: {error.strerror}") from None
        return copy

    def complete_tail(self) -> None:
        """Add the final newline a complete last record lacks (call under :meth:`exclusive`)."""
        self._resize(b"\n")

    def uncomplete_tail(self) -> None:
        """Take back the newline :meth:`complete_tail` added."""
        self._resize(b"")

    def _resize(self, newline: bytes) -> None:
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
            try:
                if newline:
                    os.write(fd, newline)
                else:
                    os.ftruncate(fd, os.fstat(fd).st_size - 1)
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as error:
            raise LogFormatError(f"{self.path}: cannot change the last line's newline: {error.strerror}") from None


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
_JOURNAL_HEAD = b"eurasia-events batch journal: the log's size in bytes before the batch"
# (device, inode) of the logs whose writers' lock this process holds, with a count.
_HELD: dict[tuple[int, int], int] = {}


def _key(status: os.stat_result) -> tuple[int, int]:
    return status.st_dev, status.st_ino


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
