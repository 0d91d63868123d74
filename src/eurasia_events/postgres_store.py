"""A store in a PostgreSQL database, shared by writers on any number of machines (psycopg 3).

Each record's line is kept as the exact bytes the JSON Lines store would hold, so the hash
chain is the same and a log converts file -> PostgreSQL -> file byte for byte.

A log is two tables in one schema (the first of the connection's ``search_path``):
``eurasia_events_meta``, one row holding an application marker, the schema version and the
log's *head* (its last sequence number), and ``eurasia_events_records (seq bigint primary
key, line bytea)``. An append is one transaction that first locks the head row (``SELECT
... FOR UPDATE``): writers on every machine queue on that row, so reading the tail, checking
it and inserting the batch is one step, and the batch is committed whole or not at all. The
transaction also moves the head and sends ``NOTIFY eurasia_events_appended``, delivered to
followers only when it commits.

The tables are created only by :meth:`PostgresStore.init` (``eurasia-events init URL``),
never by a read. Every connection checks the marker, the version and that both are plain
tables of the expected columns without triggers or rules before using them, and runs with
a statement timeout, so a database that is not a log is refused rather than read or written.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
import time
import weakref
from collections.abc import Callable, Generator, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Final

from .errors import IntegrityError, LogFormatError, LogNotFoundError, MissingExtraError
from .stores import check_sizes

if TYPE_CHECKING:
    import psycopg
    from psycopg import sql

__all__ = ["APPLICATION", "CHANNEL", "SCHEMA_VERSION", "PostgresStore", "is_postgres_url"]

POSTGRES_SCHEMES: Final = ("postgresql://", "postgres://")
APPLICATION: Final = "eurasia_events log"
"""The marker in the meta table: this schema holds an eurasia_events log."""
SCHEMA_VERSION: Final = 1
"""The layout of the tables this library reads and writes."""
CHANNEL: Final = "eurasia_events_appended"
"""The channel an append notifies (payload ``SCHEMA:LAST_SEQ``), on commit."""

_META: Final = "eurasia_events_meta"
_RECORDS: Final = "eurasia_events_records"
_COLUMNS: Final = [("seq", "bigint"), ("line", "bytea")]
_CONNECT_TIMEOUT_S: Final = 10
_LOCK_TIMEOUT: Final = "60s"  # how long a writer waits for another one's transaction
_STATEMENT_TIMEOUT: Final = "120s"  # how long one statement may run
_BATCH: Final = 10_000  # rows per read
# Lines a read in progress keeps at hand: the log asks for an earlier record's line when it
# reads a correction, and a query per correction costs a round trip (about 0.3 ms).
_RECENT: Final = 65_536
# Connections inherited across a fork belong to the parent: never closed (closing would end
# the parent's session), only forgotten.
_INHERITED: list[Any] = []


def is_postgres_url(text: object) -> bool:
    """Whether ``text`` is a PostgreSQL connection URL (``postgresql://...``)."""
    return isinstance(text, str) and text.startswith(POSTGRES_SCHEMES)


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise MissingExtraError(
            "a PostgreSQL log needs psycopg 3, which is not installed: pip install 'eurasia-events[postgres]'"
        ) from None
    return psycopg


def _close(conn: Any, pid: int) -> None:
    """Close a connection of a store that is gone, unless this is a forked child (the parent's then)."""
    if os.getpid() == pid:
        conn.close()


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    url = re.sub(r"^(postgres(?:ql)?://[^:/@?]*):[^@/?]*@", r"\1:***@", url)
    return re.sub(r"(?i)([?&]password=)[^&]*", r"\1***", url)


class PostgresStore:
    """Records as rows ``(seq, line)`` of a PostgreSQL table; a lock on the head row serialises writers.

    Args:
        url: a libpq connection URL, ``postgresql://user@host:port/dbname``; choose another
            schema than ``public`` with ``?options=-csearch_path%3Dmy_schema``.
    """

    def __init__(self, url: str) -> None:
        pg = _psycopg()
        self.url = url
        self.location = redact(url)
        try:
            pg.conninfo.conninfo_to_dict(url)
        except pg.Error as error:
            raise LogFormatError(f"{self.location}: not a PostgreSQL connection URL: {error}") from None
        self.schema: str | None = None
        """The schema holding the log (known once connected)."""
        self._lock = threading.Lock()  # threads of this process, before the server's own lock
        self._reader: psycopg.Connection[Any] | None = None
        self._writer: psycopg.Connection[Any] | None = None
        self._pid = os.getpid()
        self._txn: Any = None
        self._owner: int | None = None
        self._head = 0  # the last seq, inside a write transaction
        self._statements: dict[str, sql.Composed] = {}
        self._confirmed: Any = None  # the reader's connection once it found a log
        self._recent: dict[int, bytes] = {}  # seq -> line, while a read is in progress

    # -- connections --------------------------------------------------------------------

    def _error(self, doing: str, error: Exception) -> LogFormatError:
        text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return LogFormatError(f"{self.location}: {doing}: {text}")

    def _connect(self) -> psycopg.Connection[Any]:
        pg = _psycopg()
        try:
            conn: psycopg.Connection[Any] = pg.connect(self.url, autocommit=True, connect_timeout=_CONNECT_TIMEOUT_S,
                                   application_name="eurasia_events")
        except pg.Error as error:
            raise self._error("cannot connect", error) from None
        try:
            conn.execute(f"SET statement_timeout = '{_STATEMENT_TIMEOUT}'")
            (schema,) = conn.execute("SELECT current_schema()").fetchone() or (None,)
        except pg.Error as error:
            conn.close()
            raise self._error("cannot prepare the connection", error) from None
        if schema is None:
            conn.close()
            raise LogFormatError(f"{self.location}: the connection's search_path names no existing schema; "
                                 "create the schema first (CREATE SCHEMA ...)")
        if self.schema not in (None, schema):
            self._statements.clear()
        self.schema = schema
        return conn

    def _connection(self, role: str) -> psycopg.Connection[Any]:
        """The reader's or the writer's connection, opened again when lost (a server restart) or inherited."""
        if self._pid != os.getpid():  # a forked child: the parent's connections are not ours
            _INHERITED.extend(c for c in (self._reader, self._writer) if c is not None)
            self._reader = self._writer = None
            self._pid = os.getpid()
        conn: psycopg.Connection[Any] | None = self._reader if role == "reader" else self._writer
        if conn is None or conn.closed or conn.broken:
            if conn is not None:
                conn.close()
            conn = self._connect()
            weakref.finalize(self, _close, conn, os.getpid())
            self._inspect(conn)
            if role == "reader":
                self._reader = conn
            else:
                self._writer = conn
        return conn

    def _forget(self, role: str) -> None:
        conn = self._reader if role == "reader" else self._writer
        if conn is not None:
            conn.close()
        if role == "reader":
            self._reader = None
        else:
            self._writer = None

    def close(self) -> None:
        """Close this store's connections (they are also opened again when needed)."""
        self._forget("reader")
        self._forget("writer")

    def _q(self, template: str) -> sql.Composed:
        """A statement naming the log's tables in its schema (``{meta}``, ``{records}``)."""
        found = self._statements.get(template)
        if found is None:
            from psycopg import sql

            assert self.schema is not None
            found = self._statements[template] = sql.SQL(template).format(
                meta=sql.Identifier(self.schema, _META), records=sql.Identifier(self.schema, _RECORDS))
        return found

    def _inspect(self, conn: psycopg.Connection[Any]) -> int | None:
        """Refuse a schema holding something that is not a plain log; the head, or ``None`` with no log.

        The marker and the version tell a log from another program's tables; both tables
        must be plain tables of the expected columns, with no trigger or rule (which would
        run on every append).
        """
        kinds = dict(conn.execute(
            "SELECT c.relname, c.relkind::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relname IN (%s, %s)", (_META, _RECORDS)).fetchall())
        where = f"{self.location} (schema {self.schema})"
        if not kinds:
            return None
        if _META not in kinds or _RECORDS not in kinds:
            present, absent = (_META, _RECORDS) if _META in kinds else (_RECORDS, _META)
            raise LogFormatError(f"{where}: a table {present} but no {absent}: not an eurasia_events log, or a "
                                 "damaged one; it is neither read nor written")
        expected = f"plain tables {_META} and {_RECORDS} (seq bigint, line bytea) made by 'eurasia-events init'"
        if kinds[_META] != "r" or kinds[_RECORDS] != "r":
            raise LogFormatError(f"{where}: {_META} or {_RECORDS} is not a plain table; expected {expected}")
        meta = conn.execute(self._q("SELECT application, schema_version, last_seq FROM {meta}")).fetchall()
        if len(meta) != 1 or meta[0][0] != APPLICATION:
            raise LogFormatError(f"{where}: {_META} does not hold the marker {APPLICATION!r} in one row "
                                 f"(found {meta[:2]!r:.200}): another application's tables; neither read nor written")
        _application, version, head = meta[0]
        if version != SCHEMA_VERSION:
            raise LogFormatError(f"{where}: an eurasia_events log of schema version {version}; this library reads "
                                 f"version {SCHEMA_VERSION} (upgrade eurasia-events)")
        columns = conn.execute(
            "SELECT attname::text, format_type(atttypid, atttypmod) FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
            (f'"{self.schema}".{_RECORDS}',)).fetchall()
        if [tuple(c) for c in columns] != _COLUMNS:
            raise LogFormatError(f"{where}: {_RECORDS} has the columns {columns}, expected {expected}")
        extras = conn.execute(
            "SELECT tgname::text FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal "
            "UNION ALL SELECT rulename::text FROM pg_rules WHERE schemaname = current_schema() AND tablename = %s",
            (f'"{self.schema}".{_RECORDS}', _RECORDS)).fetchall()
        if extras:
            raise LogFormatError(f"{where}: {_RECORDS} has triggers or rules ({', '.join(r[0] for r in extras)}); "
                                 f"expected {expected} and none")
        return int(head)

    def _missing(self) -> LogNotFoundError:
        return LogNotFoundError(f"{self.location}: no eurasia_events log in schema {self.schema}; create one with "
                                f"'eurasia-events init {self.location}' (a read never creates one)")

    # -- creating -----------------------------------------------------------------------

    def init(self) -> bool:
        """Create the log's tables in the schema, empty; whether they were created (``False``: a log
        was there already, and is left as it was). Refuses a schema with other tables of these names."""
        pg = _psycopg()
        with self._lock:
            conn = self._connection("writer")
            try:
                with conn.transaction():
                    # Two concurrent inits queue here; the second finds the log the first made.
                    conn.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema() || %s))", (_META,))
                    if self._inspect(conn) is not None:
                        return False
                    conn.execute(self._q(
                        "CREATE TABLE {meta} (one boolean PRIMARY KEY DEFAULT true CHECK (one), "
                        "application text NOT NULL, schema_version integer NOT NULL, "
                        "last_seq bigint NOT NULL CHECK (last_seq >= 0))"))
                    conn.execute(self._q("CREATE TABLE {records} (seq bigint PRIMARY KEY CHECK (seq >= 1), "
                                         "line bytea NOT NULL)"))
                    conn.execute(self._q("INSERT INTO {meta} (application, schema_version, last_seq) "
                                         "VALUES (%s, %s, 0)"), (APPLICATION, SCHEMA_VERSION))
                    conn.execute(self._q("COMMENT ON TABLE {records} IS 'eurasia_events log: append-only records'"))
            except pg.Error as error:
                raise self._error("cannot create the log's tables", error) from None
        return True

    # -- writing ------------------------------------------------------------------------

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """A transaction holding the lock on the log's head: committed on exit, rolled back on error."""
        pg = _psycopg()
        with self._lock:
            conn = self._begin()
            try:
                self._txn, self._owner = conn, threading.get_ident()
                yield
            except BaseException:
                with contextlib.suppress(pg.Error):  # a failed rollback must not hide why
                    conn.execute("ROLLBACK")
                raise
            finally:
                self._txn = self._owner = None
            try:
                conn.execute("COMMIT")
            except pg.Error as error:
                lost = conn.broken
                self._forget("writer")
                if lost:  # the server may have committed before the connection went
                    raise LogFormatError(
                        f"{self.location}: the connection was lost while committing ({error}); the append may or "
                        "may not have been kept: load the log again to see") from None
                raise self._error("commit failed, nothing written", error) from None

    def _begin(self) -> psycopg.Connection[Any]:
        """Start a write transaction on the writer's connection and lock the head row.

        A connection lost since its last use (a server restart) is opened again once:
        nothing was written on it yet.
        """
        pg = _psycopg()
        for attempt in range(2):
            conn = self._connection("writer")
            try:
                conn.execute("BEGIN")
                conn.execute(f"SET LOCAL lock_timeout = '{_LOCK_TIMEOUT}'")
                conn.execute("SET LOCAL synchronous_commit = on")  # a returned append survives a server crash
                if self._inspect(conn) is None:
                    raise self._missing()
                row = conn.execute(self._q("SELECT last_seq FROM {meta} FOR UPDATE")).fetchone()
                (end,) = conn.execute(self._q("SELECT coalesce(max(seq), 0) FROM {records}")).fetchone() or (0,)
                head = int(row[0]) if row else -1
                if head != end:
                    raise IntegrityError(f"{self.location}: the head says the log ends at record {head}, but its "
                                         f"last row is {end}: rows were added or deleted behind the library's back")
                self._head = head
                return conn
            except pg.OperationalError as error:
                broken = conn.broken
                with contextlib.suppress(pg.Error):
                    conn.execute("ROLLBACK")
                if broken and attempt == 0:
                    self._forget("writer")
                    continue
                if isinstance(error, pg.errors.LockNotAvailable):
                    raise LogFormatError(f"{self.location}: cannot lock the log for writing: another writer held "
                                         f"it for over {_LOCK_TIMEOUT}") from None
                raise self._error("cannot lock the log for writing", error) from None
            except BaseException as error:
                with contextlib.suppress(pg.Error):
                    conn.execute("ROLLBACK")
                if isinstance(error, pg.Error):
                    raise self._error("cannot lock the log for writing", error) from None
                raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _current(self) -> psycopg.Connection[Any] | None:
        return self._txn if self._owner == threading.get_ident() else None

    def append_lines(self, lines: Sequence[bytes]) -> None:
        """Insert whole lines after the head, move the head and notify followers (on commit)."""
        conn = self._current()
        if conn is None:  # called outside locked(): one transaction of its own
            with self.locked():
                self.append_lines(lines)
            return
        check_sizes(lines, self.location)
        if not lines:
            return
        pg = _psycopg()
        head = self._head + len(lines)
        try:
            with conn.cursor() as cursor, cursor.copy(
                    self._q("COPY {records} (seq, line) FROM STDIN (FORMAT BINARY)")) as copy:
                copy.set_types(["int8", "bytea"])
                for seq, line in enumerate(lines, self._head + 1):
                    copy.write_row((seq, line.removesuffix(b"\n")))
            conn.execute(self._q("UPDATE {meta} SET last_seq = %s"), (head,))
            conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, f"{self.schema}:{head}"))
        except pg.Error as error:
            raise self._error("append failed, nothing written", error) from None
        self._head = head

    # -- reading ------------------------------------------------------------------------

    def read_lines(self, start: int = 0) -> list[bytes]:
        return list(self.iter_lines(start))

    def _reading(self, doing: str, action: Callable[[psycopg.Connection[Any]], Any]) -> Any:
        """Run a read on the current transaction, or on the reader's connection (opened again once if lost)."""
        pg = _psycopg()
        conn = self._current()
        for attempt in range(2):
            use = conn if conn is not None else self._connection("reader")
            try:
                return action(use)
            except pg.OperationalError as error:
                if conn is None and use.broken and attempt == 0:
                    self._forget("reader")
                    continue
                raise self._error(doing, error) from None
            except pg.Error as error:
                raise self._error(doing, error) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _known(self, conn: psycopg.Connection[Any]) -> None:
        """Raise unless the connection's schema holds a log (checked once per connection)."""
        if conn is self._txn or conn is self._confirmed:
            return
        if self._inspect(conn) is None:
            raise self._missing()
        self._confirmed = conn

    def iter_lines(self, start: int = 0) -> Generator[bytes, None, None]:
        # Batches by key, each a statement of its own: the log grows only at its end, and
        # commits in sequence order, so every statement sees a prefix of the log.
        expected = start + 1
        checked = False
        while True:
            def batch(conn: psycopg.Connection[Any], after: int = expected - 1, check: bool = not checked) -> Any:
                if check:
                    self._known(conn)
                with conn.cursor(binary=True) as cursor:
                    cursor.execute(self._q("SELECT seq, line FROM {records} WHERE seq > %s ORDER BY seq LIMIT %s"),
                                   (after, _BATCH))
                    return cursor.fetchall()

            rows = self._reading("cannot read the log", batch)
            checked = True
            recent = self._recent
            try:
                for seq, line in rows:
                    if seq != expected:
                        raise IntegrityError(f"{self.location}:{expected}: row {seq} where {expected} was expected: "
                                             "records were deleted, inserted or altered")
                    data = recent[seq] = bytes(line)
                    if len(recent) > _RECENT:
                        del recent[next(iter(recent))]
                    yield data
                    expected += 1
            except BaseException:
                recent.clear()
                raise
            if len(rows) < _BATCH:
                recent.clear()  # kept only while reading: afterwards line() reads the row as it is now
                return

    def line(self, index: int) -> bytes:
        found = self._recent.get(index + 1)
        if found is not None:
            return found
        def one(conn: psycopg.Connection[Any]) -> Any:
            return conn.execute(self._q("SELECT line FROM {records} WHERE seq = %s"), (index + 1,)).fetchall()

        def one_known(conn: psycopg.Connection[Any]) -> Any:
            self._known(conn)
            return one(conn)

        rows = self._reading(f"cannot read record {index + 1}", one_known)
        if not rows:
            raise IntegrityError(f"{self.location}:{index + 1}: the record is gone since it was read; "
                                 "load the log again")
        return bytes(rows[0][0])

    # -- following ------------------------------------------------------------------------

    @contextlib.contextmanager
    def watch(self) -> Iterator[Callable[[float], bool]]:
        """``LISTEN`` for this log's appends; yields ``wait(seconds)``, true when an append was announced
        (or the connection was lost and opened again, when one may have been missed)."""
        pg = _psycopg()
        state: dict[str, Any] = {"conn": None}

        def listen() -> psycopg.Connection[Any]:
            conn = self._connect()
            try:
                conn.execute(f"LISTEN {CHANNEL}")
            except pg.Error as error:
                conn.close()
                raise self._error("cannot listen for appends", error) from None
            state["conn"] = conn
            return conn

        def wait(seconds: float) -> bool:
            conn = state["conn"]
            deadline = time.monotonic() + seconds
            try:
                while (left := deadline - time.monotonic()) > 0:
                    for note in conn.notifies(timeout=left, stop_after=1):
                        if note.payload.rpartition(":")[0] == self.schema:
                            return True
                return False
            except pg.OperationalError:
                conn.close()
                with contextlib.suppress(LogFormatError):
                    listen()  # if the server is still away, the next wait tries again
                time.sleep(min(seconds, 0.5))
                return True

        listen()
        try:
            yield wait
        finally:
            state["conn"].close()
