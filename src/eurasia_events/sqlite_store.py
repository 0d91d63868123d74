"""A store in one SQLite file, for large logs: the standard library's ``sqlite3`` in WAL mode.

Each record's line is kept as the exact bytes the JSON Lines store would hold, so the hash
chain is the same and a log converts file -> SQLite -> file byte for byte. A write
transaction (``BEGIN IMMEDIATE``) is the lock: it excludes other writers, in this and
other processes, from reading the tail to committing the new records, and readers keep
reading the last committed state meanwhile. Commits are durable (``synchronous=FULL``).
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
import weakref
from collections.abc import Generator, Iterator, Sequence
from pathlib import Path
from typing import Final

from .errors import IntegrityError, LogFormatError
from .stores import check_sizes

__all__ = ["SQLITE_SUFFIXES", "SQLiteStore"]

SQLITE_SUFFIXES: Final = (".sqlite", ".sqlite3", ".db")
"""File name endings :func:`eurasia_events.load` reads as an SQLite log."""

_MAGIC: Final = b"SQLite format 3\x00"
_APPLICATION_ID: Final = 0x45455631  # "EEV1": marks the file as an eurasia_events log
_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS records (
    seq  INTEGER PRIMARY KEY CHECK (seq >= 1),
    line BLOB NOT NULL
);
"""
_BUSY_TIMEOUT_S: Final = 60.0  # how long a writer waits for another one's transaction


def _when_free(conn: sqlite3.Connection, sql: str) -> None:
    """Run a statement that SQLite refuses at once, without its busy wait, while another
    connection is creating the file (switching a new file to WAL): retry for a while."""
    deadline = time.monotonic() + _BUSY_TIMEOUT_S
    while True:
        try:
            conn.execute(sql)
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def is_sqlite_file(path: Path) -> bool:
    """Whether the file starts with SQLite's header (whatever its name)."""
    try:
        with path.open("rb") as handle:
            return handle.read(len(_MAGIC)) == _MAGIC
    except OSError:
        return False


class SQLiteStore:
    """Records as rows ``(seq, line)`` of one SQLite table; transactions serialise writers.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> store = SQLiteStore(folder / "log.sqlite")
    >>> with store.locked():
    ...     store.append_lines([b'{"seq":1}\\n'])
    >>> store.read_lines()
    [b'{"seq":1}']
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.location = str(self.path)
        self._lock = threading.Lock()  # threads of this process, before SQLite's own lock
        self._txn: sqlite3.Connection | None = None
        self._owner: int | None = None
        self._reader: sqlite3.Connection | None = None  # for reading single records again

    # -- connections --------------------------------------------------------------------

    def _connect(self, *, create: bool) -> sqlite3.Connection:
        if create:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as error:
            raise LogFormatError(f"{self.location}: cannot open as an SQLite log: {error}") from None
        try:
            # WAL lets readers go on while a writer commits; FULL syncs the WAL on every
            # commit, so a returned append survives a power cut, not only a crash.
            _when_free(conn, "PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            if create:
                # fetchall() ends the read at once: a statement left open would hold a read
                # transaction, and upgrading it while another writer holds the lock fails
                # with "database is locked" without waiting.
                app_id = conn.execute("PRAGMA application_id").fetchall()[0][0]
                if app_id not in (0, _APPLICATION_ID):
                    raise LogFormatError(f"{self.location}: an SQLite file of another application (id {app_id})")
                if app_id == 0:  # a new file: create the table, once, under the write lock
                    conn.execute("BEGIN IMMEDIATE")
                    conn.execute(_SCHEMA)
                    conn.execute(f"PRAGMA application_id={_APPLICATION_ID}")
                    conn.execute("COMMIT")
        except sqlite3.Error as error:
            conn.close()
            raise LogFormatError(f"{self.location}: not a usable SQLite log: {error}") from None
        except BaseException:
            conn.close()
            raise
        return conn

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """A write transaction (``BEGIN IMMEDIATE``): committed on exit, rolled back on error."""
        with self._lock:
            conn = self._connect(create=True)
            try:
                try:
                    conn.execute("BEGIN IMMEDIATE")
                except sqlite3.Error as error:
                    raise LogFormatError(f"{self.location}: cannot lock the log for writing: {error}") from None
                self._txn, self._owner = conn, threading.get_ident()
                try:
                    yield
                except BaseException:
                    conn.rollback()
                    raise
                try:
                    conn.commit()
                except sqlite3.Error as error:
                    raise LogFormatError(f"{self.location}: commit failed, nothing written: {error}") from None
            finally:
                self._txn = self._owner = None
                conn.close()

    def _current(self) -> sqlite3.Connection | None:
        return self._txn if self._owner == threading.get_ident() else None

    # -- the Store protocol -------------------------------------------------------------

    def read_lines(self, start: int = 0) -> list[bytes]:
        return list(self.iter_lines(start))

    def iter_lines(self, start: int = 0) -> Generator[bytes, None, None]:
        conn = self._current()
        if conn is not None:
            yield from self._select(conn, start)
            return
        if not self.path.exists() or self.path.stat().st_size == 0:
            return  # like a missing file for the file store: an empty log
        conn = self._connect(create=False)
        try:
            yield from self._select(conn, start)
        finally:
            conn.close()

    def line(self, index: int) -> bytes:
        conn = self._current()
        if conn is None:
            if self._reader is None:
                self._reader = self._connect(create=False)
                weakref.finalize(self, self._reader.close)
            conn = self._reader
        rows = conn.execute("SELECT line FROM records WHERE seq = ?", (index + 1,)).fetchall()  # ends the read
        row = rows[0] if rows else None
        if row is None or not isinstance(row[0], bytes):
            raise IntegrityError(f"{self.location}:{index + 1}: the record is gone or altered since it was read; "
                                 "load the log again")
        line: bytes = row[0]
        return line

    def _select(self, conn: sqlite3.Connection, start: int) -> Generator[bytes, None, None]:
        try:
            cursor = conn.execute("SELECT seq, line FROM records WHERE seq > ? ORDER BY seq", (start,))
            expected = start + 1
            while rows := cursor.fetchmany(10_000):
                for seq, line in rows:
                    if seq != expected or not isinstance(line, bytes):
                        what = (f"row {seq} where {expected} was expected" if seq != expected
                                else f"row {seq} is not bytes")
                        raise IntegrityError(
                            f"{self.location}:{expected}: {what}: records were deleted, inserted or altered"
                        )
                    yield line
                    expected += 1
        except sqlite3.Error as error:
            raise LogFormatError(f"{self.location}: not an eurasia_events SQLite log: {error}") from None

    def append_lines(self, lines: Sequence[bytes]) -> None:
        conn = self._current()
        if conn is None:  # called outside locked(): one transaction of its own
            with self.locked():
                self.append_lines(lines)
            return
        check_sizes(lines, self.location)
        try:
            (last,) = conn.execute("SELECT coalesce(max(seq), 0) FROM records").fetchone()
            conn.executemany(
                "INSERT INTO records (seq, line) VALUES (?, ?)",
                ((last + offset + 1, line.removesuffix(b"\n")) for offset, line in enumerate(lines)),
            )
        except sqlite3.Error as error:
            raise LogFormatError(f"{self.location}: append failed: {error}") from None

    def integrity_check(self) -> str:
        """SQLite's own check of the file's structure: ``"ok"`` or what is wrong."""
        if not self.path.exists():
            return "ok"
        conn = self._connect(create=False)
        try:
            rows = conn.execute("PRAGMA integrity_check").fetchall()
        except sqlite3.Error as error:
            return str(error)
        finally:
            conn.close()
        return "; ".join(str(row[0]) for row in rows)
