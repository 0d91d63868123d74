"""A store in one SQLite file, for large logs: the standard library's ``sqlite3`` in WAL mode.

Each record's line is kept as the exact bytes the JSON Lines store would hold, so the hash
chain is the same and a log converts file -> SQLite -> file byte for byte. A write
transaction (``BEGIN IMMEDIATE``) is the lock: it excludes other writers, in this and
other processes, from reading the tail to committing the new records, and readers keep
reading the last committed state meanwhile. Commits are durable (``synchronous=FULL``).

A file is trusted no more than a JSON Lines file: reading opens it read-only and changes
nothing in it; every connection checks the application id and that ``records`` is a plain
table of the expected columns before using it, runs with ``trusted_schema`` off, and stops
any statement that runs longer than a deadline (a hostile or damaged file must not hang a
reader).
"""

from __future__ import annotations

import contextlib
import math
import sqlite3
import threading
import time
import weakref
from collections.abc import Generator, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Final

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
_COLUMNS: Final = [("seq", "INTEGER", 1), ("line", "BLOB", 0)]  # (name, declared type, primary key) per column
_BUSY_TIMEOUT_S: Final = 60.0  # how long a writer waits for another one's transaction
_QUERY_LIMIT_S = 120.0  # how long one statement (or one batch of rows) may run; tests lower it
_PROGRESS_STEPS: Final = 1000  # virtual machine steps between two looks at the deadline


class _Connection(sqlite3.Connection):
    """A connection that stops any statement still running past its deadline.

    ``execute`` and ``executemany`` set the deadline; a reader fetching rows in batches
    calls :meth:`arm` before each batch, so time spent by the consumer between batches
    does not count.
    """

    deadline = math.inf
    expired = False
    empty = False  # set on opening: the file holds no log yet (a new file)

    def arm(self) -> None:
        self.deadline = time.monotonic() + _QUERY_LIMIT_S
        self.expired = False

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        self.arm()
        return super().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> sqlite3.Cursor:
        self.arm()
        return super().executemany(sql, parameters)

    def past_deadline(self) -> bool:
        """The progress handler: a true result makes SQLite stop with "interrupted"."""
        self.expired = time.monotonic() > self.deadline
        return self.expired


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
        self._txn: _Connection | None = None
        self._owner: int | None = None
        self._reader: _Connection | None = None  # for reading single records again

    # -- connections --------------------------------------------------------------------

    def _error(self, doing: str, error: sqlite3.Error, conn: _Connection | None = None) -> LogFormatError:
        """The library error for an sqlite3 error, naming the file (and a stopped query as such)."""
        if conn is not None and conn.expired:
            return LogFormatError(
                f"{self.location}: {doing}: a query ran longer than the limit of {_QUERY_LIMIT_S:g} s and was "
                "stopped; the file is damaged or is not a plain eurasia_events log"
            )
        return LogFormatError(f"{self.location}: {doing}: {error}")

    def _open(self, target: str, *, uri: bool, writing: bool) -> _Connection:
        """A connection with the guards on, to a file checked to be this library's (or new);
        raises sqlite3's errors for the caller to name."""
        conn = sqlite3.connect(target, timeout=_BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False,
                               uri=uri, factory=_Connection)
        try:
            conn.set_progress_handler(conn.past_deadline, _PROGRESS_STEPS)
            # The schema's views, triggers and defaults may call only harmless functions.
            conn.execute("PRAGMA trusted_schema=OFF")
            if not writing:
                conn.execute("PRAGMA query_only=ON")
            conn.empty = self._inspect(conn)  # before anything below may write to the file
            if writing:
                # WAL lets readers go on while a writer commits; FULL syncs the WAL on every
                # commit, so a returned append survives a power cut, not only a crash.
                _when_free(conn, "PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=FULL")
        except BaseException:
            conn.close()
            raise
        return conn

    def _inspect(self, conn: _Connection) -> bool:
        """Refuse a file that is not a plain eurasia_events log; whether it is new (holds nothing).

        The application id tells a log from another program's database; ``records`` must
        be a table, not a view (which could run any query) nor a virtual table, and carry
        no trigger (which would run on every append).
        """
        # Both reads in one read transaction: between two autocommit reads, another writer
        # could commit a new log's table and application id, and the id read before it with
        # the table read after would look like another application's database. The
        # transaction ends at once (a read left open could not be upgraded while another
        # writer holds the lock). Under the write lock the caller's transaction serves.
        own = not conn.in_transaction
        if own:
            conn.execute("BEGIN")
        try:
            app_id = conn.execute("PRAGMA application_id").fetchall()[0][0]
            objects = conn.execute("SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master").fetchall()
        finally:
            if own:
                conn.execute("COMMIT")
        if app_id == 0 and not objects:
            return True
        if app_id != _APPLICATION_ID:
            names = ", ".join(sorted({str(name) for kind, name, _table, _sql in objects if kind == "table"}))
            raise LogFormatError(
                f"{self.location}: an SQLite database of another application (application id {app_id:#x}"
                + (f", tables {names}" if names else "")
                + f"), not an eurasia_events log (application id {_APPLICATION_ID:#x}); it is neither read "
                "nor written"
            )
        found = [(kind, sql) for kind, name, _table, sql in objects if str(name).lower() == "records"]
        triggers = [name for kind, name, table, _sql in objects
                    if kind == "trigger" and str(table).lower() == "records"]
        expected = "a plain table (seq INTEGER PRIMARY KEY, line BLOB)"
        if not found:
            raise LogFormatError(f"{self.location}: an eurasia_events log without its 'records' table; "
                                 f"expected {expected}")
        kind, sql = found[0]
        if kind != "table" or str(sql).lstrip().upper().startswith("CREATE VIRTUAL"):
            what = "a virtual table" if kind == "table" else f"a {kind}"
            raise LogFormatError(f"{self.location}: 'records' is {what}, expected {expected}")
        columns = [(str(name).lower(), str(type_).upper(), pk)
                   for _cid, name, type_, _notnull, _default, pk in conn.execute("PRAGMA table_info(records)")]
        if columns != _COLUMNS:
            raise LogFormatError(f"{self.location}: 'records' has the columns {columns}, expected {expected}")
        if triggers:
            raise LogFormatError(f"{self.location}: 'records' has triggers ({', '.join(map(str, triggers))}), "
                                 f"expected {expected} and no triggers")
        return False

    def _connect_writer(self) -> _Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            return self._open(str(self.path), uri=False, writing=True)
        except sqlite3.Error as error:
            raise self._error("cannot open as an SQLite log for writing", error) from None

    def _connect_reader(self) -> _Connection:
        """A read-only connection: reading never changes the file (nor its journal mode)."""
        base = self.path.absolute().as_uri()
        try:
            return self._open(f"{base}?mode=ro", uri=True, writing=False)
        except sqlite3.Error as error:
            shm, wal = (self.path.with_name(self.path.name + suffix) for suffix in ("-shm", "-wal"))
            # A read-only connection to a WAL file needs its shared-memory index (-shm) and
            # creates it when missing, which fails in a read-only folder. There, with no
            # write-ahead file either, the file itself holds every committed record and no
            # writer can be at work (a writer needs both files in this folder): read it as
            # immutable. With a non-empty -wal but no -shm, the committed records in the
            # -wal cannot be read safely: refuse rather than show an older log.
            if getattr(error, "sqlite_errorname", "") not in ("SQLITE_READONLY_DIRECTORY", "SQLITE_CANTOPEN") \
                    or shm.exists() or not self.path.is_file():
                raise self._error("cannot read as an SQLite log", error) from None
            if wal.exists() and wal.stat().st_size > 0:
                raise LogFormatError(
                    f"{self.location}: cannot read: the folder is read-only and {wal.name} holds records not yet "
                    f"copied into the file, but its index {shm.name} is missing; open the log once where the "
                    "folder is writable (or copy the file with its -wal to such a folder)"
                ) from None
        try:
            return self._open(f"{base}?mode=ro&immutable=1", uri=True, writing=False)
        except sqlite3.Error as error:
            raise self._error("cannot read as an SQLite log", error) from None

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """A write transaction (``BEGIN IMMEDIATE``): committed on exit, rolled back on error."""
        with self._lock:
            conn = self._connect_writer()
            try:
                try:
                    conn.execute("BEGIN IMMEDIATE")
                except sqlite3.Error as error:
                    raise self._error("cannot lock the log for writing", error, conn) from None
                try:
                    # Checked again under the lock: another writer may have created the table.
                    if self._inspect(conn):  # a new file: create the table in this transaction
                        conn.execute(_SCHEMA)
                        conn.execute(f"PRAGMA application_id={_APPLICATION_ID}")
                    self._txn, self._owner = conn, threading.get_ident()
                    yield
                except BaseException as error:
                    with contextlib.suppress(sqlite3.Error):  # a failed rollback must not hide why
                        conn.execute("ROLLBACK")
                    if isinstance(error, sqlite3.Error):
                        raise self._error("cannot prepare the log for writing", error, conn) from None
                    raise
                finally:
                    self._txn = self._owner = None
                try:
                    conn.execute("COMMIT")
                except sqlite3.Error as error:
                    with contextlib.suppress(sqlite3.Error):  # SQLite may have rolled back already
                        conn.execute("ROLLBACK")
                    raise self._error("commit failed, nothing written", error, conn) from None
            finally:
                conn.close()

    def _current(self) -> _Connection | None:
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
        conn = self._connect_reader()
        try:
            if not conn.empty:  # else a new file, its table not yet committed by its creator
                yield from self._select(conn, start)
        finally:
            conn.close()

    def line(self, index: int) -> bytes:
        conn = self._current()
        if conn is None:
            if self._reader is None:
                self._reader = self._connect_reader()
                weakref.finalize(self, self._reader.close)
            conn = self._reader
        try:
            if conn.empty:  # opened on a new file: look again, it may hold the table by now
                conn.empty = self._inspect(conn)
            rows = [] if conn.empty else conn.execute(  # fetchall() ends the read
                "SELECT line FROM records WHERE seq = ?", (index + 1,)).fetchall()
        except sqlite3.Error as error:
            raise self._error(f"cannot read record {index + 1}", error, conn) from None
        row = rows[0] if rows else None
        if row is None or not isinstance(row[0], bytes):
            raise IntegrityError(f"{self.location}:{index + 1}: the record is gone or altered since it was read; "
                                 "load the log again")
        line: bytes = row[0]
        return line

    def _select(self, conn: _Connection, start: int) -> Generator[bytes, None, None]:
        try:
            cursor = conn.execute("SELECT seq, line FROM records WHERE seq > ? ORDER BY seq", (start,))
            expected = start + 1
            while True:
                conn.arm()  # each batch has its own deadline: the consumer's time between them is not SQLite's
                rows = cursor.fetchmany(10_000)
                if not rows:
                    break
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
            raise self._error("not an eurasia_events SQLite log", error, conn) from None

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
            raise self._error("append failed", error, conn) from None

    def integrity_check(self) -> str:
        """SQLite's own check of the file's structure: ``"ok"`` or what is wrong."""
        if not self.path.exists():
            return "ok"
        conn = self._connect_reader()
        try:
            rows = conn.execute("PRAGMA integrity_check").fetchall()
        except sqlite3.Error as error:
            if conn.expired:
                raise self._error("integrity check", error, conn) from None
            return str(error)
        finally:
            conn.close()
        return "; ".join(str(row[0]) for row in rows)
