"""The SQLite store under faults and hostile files.

A failed write at any step (opening, locking, inserting, committing; a real full disk
via ``RLIMIT_FSIZE``; SIGKILL inside the transaction) raises a library error, leaves the
in-memory log equal to the file, and the next append works. Reading opens the file
read-only and changes nothing; a file that is not a plain eurasia_events log is refused,
never read for ever nor written.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import eurasia_events as ee
from eurasia_events import sqlite_store
from eurasia_events.cli import main
from logkit import RECORDED, copy_registries, meeting, new_log

FAULT_STEPS = {  # a write step of the store -> what the failing statement starts with ("" = connecting)
    "connect": "",
    "journal mode": "PRAGMA journal_mode",
    "begin": "BEGIN IMMEDIATE",
    "read tail": "SELECT coalesce(max(seq)",
    "insert": "INSERT INTO records",
    "commit": "COMMIT",
}


def sqlite_log(folder: Path, count: int) -> tuple[ee.Log, Path]:
    """A log of ``count`` meetings in ``folder/log.sqlite`` (registries beside it), and its path."""
    copy_registries(folder)
    path = folder / "log.sqlite"
    log = new_log(ee.SQLiteStore(path))
    for n in range(count):
        log.append([meeting(n)], recorded=RECORDED)
    return log, path


def on_disk(path: Path) -> tuple[int, str | None]:
    """Records and last hash of a fresh load of the file."""
    fresh = ee.load(path)
    return len(fresh), fresh[-1].hash if len(fresh) else None


def in_memory(log: ee.Log) -> tuple[int, str | None]:
    """Records and last hash the log object holds."""
    return len(log), log[-1].hash if len(log) else None


def settle(path: Path) -> None:
    """Fold the write-ahead file into the database and remove it and its index, as the last
    writer closing does (a read-only reader leaves them behind)."""
    conn = sqlite3.connect(path)
    conn.execute("SELECT count(*) FROM records").fetchall()
    conn.close()
    assert not path.with_name(path.name + "-wal").exists()


# -- faults injected at each write step --------------------------------------------------


class Faults:
    """Makes the next matching sqlite3 call of the store fail, once, as a full disk would."""

    def __init__(self) -> None:
        self.step: str | None = None
        self.injected = 0

    def fire(self, sql: str | None) -> None:
        prefix = FAULT_STEPS[self.step] if self.step is not None else None
        if prefix is None or (sql is None) != (prefix == "") or (sql is not None and not sql.startswith(prefix)):
            return
        self.step = None
        self.injected += 1
        raise sqlite3.OperationalError("database or disk is full")


@pytest.fixture
def faults(monkeypatch: pytest.MonkeyPatch) -> Faults:
    """Fault injection wrapped around the store's connection calls."""
    injector = Faults()
    real_connect = sqlite3.connect
    real_execute, real_executemany = sqlite_store._Connection.execute, sqlite_store._Connection.executemany

    def connect(*args: Any, **kwargs: Any) -> Any:
        injector.fire(None)
        return real_connect(*args, **kwargs)

    def execute(self: sqlite_store._Connection, sql: str, parameters: Any = ()) -> sqlite3.Cursor:
        injector.fire(sql)
        return real_execute(self, sql, parameters)

    def executemany(self: sqlite_store._Connection, sql: str, parameters: Any) -> sqlite3.Cursor:
        injector.fire(sql)
        return real_executemany(self, sql, parameters)

    monkeypatch.setattr(sqlite_store.sqlite3, "connect", connect)
    monkeypatch.setattr(sqlite_store._Connection, "execute", execute)
    monkeypatch.setattr(sqlite_store._Connection, "executemany", executemany)
    return injector


@pytest.mark.parametrize("batch", [1, 3])
@pytest.mark.parametrize("step", list(FAULT_STEPS))
def test_a_failed_write_step_leaves_log_and_file_equal(step: str, batch: int, tmp_path: Path,
                                                      faults: Faults) -> None:
    """A fault at any write step raises a library error; memory equals the file; the next append works."""
    log, path = sqlite_log(tmp_path, 2)
    faults.step = step
    with pytest.raises(ee.EurasiaEventsError, match=r"log\.sqlite.*full"):
        log.append([meeting(10 + i) for i in range(batch)], recorded=RECORDED)
    assert faults.injected == 1, f"the fault at {step!r} was never reached"
    assert in_memory(log) == on_disk(path) == (2, log[1].hash)  # none of the batch, in memory or on disk
    log.append([meeting(20)], recorded=RECORDED)
    assert in_memory(log) == on_disk(path)
    assert [r.event.id for r in ee.load(path)] == ["m-0", "m-1", "m-20"]


def test_a_commit_that_loses_the_rows_unreported_is_caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """If the store returns from an append whose rows are not in the file, append raises, not returns them."""
    log, path = sqlite_log(tmp_path, 1)
    real_execute = sqlite_store._Connection.execute

    def execute(self: sqlite_store._Connection, sql: str, parameters: Any = ()) -> sqlite3.Cursor:
        return real_execute(self, "ROLLBACK" if sql == "COMMIT" else sql, parameters)

    monkeypatch.setattr(sqlite_store._Connection, "execute", execute)
    with pytest.raises(ee.IntegrityError, match=r"log\.sqlite:2: .*not there"):
        log.append([meeting(1)], recorded=RECORDED)
    monkeypatch.undo()
    assert in_memory(log) == on_disk(path) == (1, log[0].hash)


def _append_past_the_size_limit(path: Path, report: int) -> None:
    """In a forked child: append a record larger than the file size limit allows, then a small one."""
    log = ee.load(path)
    limit = path.stat().st_size + 64 * 1024  # room for SQLite's 32 KiB index file, not for the record
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) instead of killing
    _soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    result: dict[str, Any] = {}
    try:
        log.append([meeting(2, notes="x" * 300_000)], recorded=RECORDED)
        result["error"] = None
    except ee.EurasiaEventsError as error:
        result["error"] = str(error)
    except Exception as error:
        result["error"] = f"not a library error: {error!r}"
    result["memory"], result["disk"] = in_memory(log), on_disk(path)
    resource.setrlimit(resource.RLIMIT_FSIZE, (hard, hard))
    log.append([meeting(3)], recorded=RECORDED)
    result["memory_after"], result["disk_after"] = in_memory(log), on_disk(path)
    os.write(report, json.dumps(result).encode())


def test_a_real_full_disk_at_commit_leaves_log_and_file_equal(tmp_path: Path) -> None:
    """RLIMIT_FSIZE makes the commit fail with EFBIG: a library error, memory equals file, next append works."""
    _log, path = sqlite_log(tmp_path, 2)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            os.close(read_end)
            _append_past_the_size_limit(path, write_end)
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    result = json.loads(data)
    assert result["error"] is not None
    assert result["error"].startswith(str(path)), result["error"]
    assert "not a library error" not in result["error"]
    assert result["memory"] == result["disk"] == [2, _log[1].hash]
    assert result["memory_after"] == result["disk_after"]
    assert [r.event.id for r in ee.load(path)] == ["m-0", "m-1", "m-3"]


def _die_inside_the_transaction(path: Path) -> None:
    """In a forked child: insert a batch inside the write transaction, then SIGKILL itself."""
    log = ee.load(path)
    store = log.store
    assert isinstance(store, ee.SQLiteStore)
    real_append = store.append_lines

    def append_then_die(lines: Any) -> None:
        real_append(lines)
        os.kill(os.getpid(), signal.SIGKILL)

    store.append_lines = append_then_die  # type: ignore[method-assign]
    # Large enough that SQLite writes uncommitted pages to the WAL before the commit.
    log.append([meeting(10 + i, notes="x" * 900_000) for i in range(4)], recorded=RECORDED)


def test_sigkill_inside_the_transaction_leaves_none_of_the_batch(tmp_path: Path) -> None:
    """A writer killed after inserting its rows, before commit: none of the batch is visible; appends go on."""
    _log, path = sqlite_log(tmp_path, 2)
    before = on_disk(path)
    pid = os.fork()
    if pid == 0:
        try:
            _die_inside_the_transaction(path)
        finally:
            os._exit(0)  # reached only if the kill did not happen: the parent sees a normal exit
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status)
    assert os.WTERMSIG(status) == signal.SIGKILL
    assert path.with_name("log.sqlite-wal").stat().st_size > 1_000_000  # the batch's pages reached the WAL
    assert on_disk(path) == before
    log = ee.load(path)
    log.append([meeting(20)], recorded=RECORDED)
    assert [r.event.id for r in ee.load(path)] == ["m-0", "m-1", "m-20"]
    assert log.store.integrity_check() == "ok"  # type: ignore[attr-defined]


# -- reading changes nothing, and works on read-only files and folders ------------------

_READER = '''
import ctypes, json, os, sys
if os.geteuid() == 0 and sys.argv[-1] != "dropped":
    # Root ignores file permissions: give up that power (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH)
    # for the program run next, which reads as an ordinary user would.
    libc = ctypes.CDLL(None, use_errno=True)
    if any(libc.prctl(24, cap, 0, 0, 0) != 0 for cap in (1, 2)):  # PR_CAPBSET_DROP
        sys.exit(3)
    os.execv(sys.executable, [sys.executable, *sys.argv, "dropped"])
import eurasia_events as ee
path = sys.argv[1]
try:
    open(os.path.join(os.path.dirname(path), "probe"), "x").close()
    writable = True
except OSError:
    writable = False
try:
    log = ee.load(path)
    result = {"records": len(log), "last": log[-1].hash if len(log) else None}
except ee.EurasiaEventsError as error:
    result = {"error": str(error)}
result["folder_writable"] = writable
print(json.dumps(result))
'''


def read_as_a_user(path: Path, script_dir: Path) -> dict[str, Any]:
    """Load ``path`` in a child process bound by file permissions (also when the tests run as root)."""
    script = script_dir / "reader.py"
    script.write_text(_READER)
    result = subprocess.run([sys.executable, str(script), str(path)], capture_output=True, text=True, timeout=120,
                            check=False)
    if result.returncode == 3:
        pytest.skip("running as root and cannot drop the capability to ignore file permissions")
    assert result.returncode == 0, result.stderr
    found: dict[str, Any] = json.loads(result.stdout)
    return found


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[list[Path]]:
    """Paths made read-only by the test, made writable again afterwards (so the folder can be removed)."""
    paths: list[Path] = []
    yield paths
    for path in paths:
        path.chmod(0o755)


def to_rollback_journal(path: Path) -> None:
    """Turn a log file into one an older writer would leave: rollback journal, not WAL."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    assert path.read_bytes()[18:20] == b"\x01\x01"  # the header's "legacy" file format bytes


@pytest.mark.parametrize("journal", ["wal", "rollback"])
def test_loading_changes_no_byte_of_the_file(journal: str, tmp_path: Path) -> None:
    """load() opens the file read-only: neither the header (journal mode) nor any other byte changes."""
    _log, path = sqlite_log(tmp_path, 3)
    if journal == "rollback":
        to_rollback_journal(path)
    settle(path)
    before = path.read_bytes()
    assert on_disk(path)[0] == 3
    ee.SQLiteStore(path).integrity_check()
    assert path.read_bytes() == before


@pytest.mark.parametrize("case", ["file", "file, rollback journal", "folder", "folder, rollback journal"])
def test_a_read_only_log_loads(case: str, tmp_path: Path, read_only: list[Path]) -> None:
    """A log in a read-only file or folder (WAL or rollback journal, no -wal/-shm files) loads in full."""
    log, path = sqlite_log(tmp_path / "log", 3)
    if "rollback" in case:
        to_rollback_journal(path)
    settle(path)
    before = path.read_bytes()
    path.chmod(0o444)
    read_only.append(path)
    if case.startswith("folder"):
        path.parent.chmod(0o555)
        read_only.append(path.parent)
    found = read_as_a_user(path, tmp_path)
    assert found["folder_writable"] is case.startswith("file")  # the permissions bind the reader
    assert found == {"records": 3, "last": log[2].hash, "folder_writable": found["folder_writable"]}
    assert path.read_bytes() == before


def test_read_only_folder_with_unindexed_wal_is_refused(tmp_path: Path, read_only: list[Path]) -> None:
    """Committed records only in the -wal, whose -shm is missing, in a read-only folder: refused, not hidden."""
    log, path = sqlite_log(tmp_path / "log", 2)
    holder = sqlite3.connect(path)  # an open connection keeps the last commit in the -wal
    holder.execute("SELECT count(*) FROM records").fetchall()
    log.append([meeting(2)], recorded=RECORDED)
    copy = tmp_path / "copy"
    copy_registries(copy)
    for suffix in ("", "-wal"):
        (copy / f"log.sqlite{suffix}").write_bytes(path.with_name(f"log.sqlite{suffix}").read_bytes())
    holder.close()
    copy.chmod(0o555)
    read_only.append(copy)
    found = read_as_a_user(copy / "log.sqlite", tmp_path)
    assert not found["folder_writable"]
    assert "log.sqlite-wal holds records" in found["error"]
    assert "log.sqlite-shm" in found["error"]
    copy.chmod(0o755)
    assert on_disk(copy / "log.sqlite")[0] == 3  # with the folder writable, every record is there


# -- files that are not plain eurasia_events logs ----------------------------------------

ENDLESS = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT i, x'00' FROM n WHERE i < 0"


def hostile_log(path: Path, records_sql: str) -> None:
    """A file marked as an eurasia_events log whose ``records`` is whatever ``records_sql`` makes."""
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA application_id={sqlite_store._APPLICATION_ID}")
    conn.execute(records_sql)
    conn.commit()
    conn.close()


def validate(path: Path) -> subprocess.CompletedProcess[str]:
    """``eurasia-events --log PATH validate`` in a child process: a hang fails the test, not the run."""
    return subprocess.run([sys.executable, "-m", "eurasia_events.cli", "--log", str(path), "validate"],
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize(("records_sql", "expected"), [
    (f"CREATE VIEW records(seq, line) AS {ENDLESS}", "'records' is a view"),
    ("CREATE VIEW records(seq, line) AS SELECT 1, x'00'", "'records' is a view"),
    ("CREATE TABLE records (seq INTEGER PRIMARY KEY, line TEXT)", "'records' has the columns"),
    ("CREATE TABLE records (id INTEGER PRIMARY KEY, seq INTEGER, line BLOB)", "'records' has the columns"),
    ("CREATE TABLE other (x)", "without its 'records' table"),
])
def test_a_log_file_whose_records_is_not_the_plain_table_is_refused(records_sql: str, expected: str,
                                                                    tmp_path: Path) -> None:
    """A view (even an endless recursive one) or a table of other columns: validate exits 1 naming the file."""
    copy_registries(tmp_path)
    path = tmp_path / "log.sqlite"
    hostile_log(path, records_sql)
    before = path.read_bytes()
    result = validate(path)
    assert result.returncode == 1, result.stderr
    assert str(path) in result.stderr
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert path.read_bytes() == before


def test_a_trigger_on_records_is_refused(tmp_path: Path) -> None:
    """A trigger on ``records`` (which every append would run) makes the file refused, for reading and writing."""
    log, path = sqlite_log(tmp_path, 1)
    conn = sqlite3.connect(path)
    conn.execute("CREATE TRIGGER spy AFTER INSERT ON records BEGIN DELETE FROM records; END")
    conn.commit()
    conn.close()
    with pytest.raises(ee.LogFormatError, match=r"log\.sqlite: 'records' has triggers \(spy\)"):
        ee.load(path)
    with pytest.raises(ee.LogFormatError, match="has triggers"):
        log.append([meeting(1)], recorded=RECORDED)


_PAST_THE_CHECKS = '''
import sys
import eurasia_events as ee
from eurasia_events import sqlite_store
sqlite_store._QUERY_LIMIT_S = 0.5
sqlite_store.SQLiteStore._inspect = lambda self, conn: False  # as if the schema checks missed the view
try:
    ee.load(sys.argv[1])
except ee.EurasiaEventsError as error:
    print(error)
'''


def test_a_query_running_past_the_deadline_is_stopped(tmp_path: Path) -> None:
    """Past the schema checks, an endless query is stopped at the deadline with a library error naming the file."""
    copy_registries(tmp_path)
    path = tmp_path / "log.sqlite"
    hostile_log(path, f"CREATE VIEW records(seq, line) AS {ENDLESS}")
    result = subprocess.run([sys.executable, "-c", _PAST_THE_CHECKS, str(path)], capture_output=True, text=True,
                            timeout=60, check=False)  # a hang guard only: the limit under test is 0.5 s
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{path}: ")
    assert "ran longer than the limit of 0.5 s" in result.stdout


@pytest.mark.parametrize("foreign", ["another application id", "no application id, other tables"])
def test_convert_into_another_applications_database_is_refused(foreign: str, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """convert (and load) refuse an SQLite database of another application and leave it byte for byte."""
    _log, source = sqlite_log(tmp_path / "src", 2)
    dest = tmp_path / "their.db"
    conn = sqlite3.connect(dest)
    if foreign == "another application id":
        conn.execute("PRAGMA application_id=1234")
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.execute("INSERT INTO notes VALUES ('theirs')")
    conn.commit()
    conn.close()
    before = dest.read_bytes()
    assert main(["convert", str(source), str(dest)]) == 1
    err = capsys.readouterr().err
    assert f"{dest}: an SQLite database of another application" in err
    assert "tables notes" in err
    with pytest.raises(ee.LogFormatError, match="another application"):
        ee.load(dest)
    assert dest.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["src", "their.db"]  # no -wal or -shm either


def test_a_log_created_between_the_two_schema_reads_is_not_taken_for_another_application(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two processes opening a new SQLite log at once: the other's table and application id,
    committed between this connection's two schema reads, must not look like a foreign database
    (seen once in CI: 'an SQLite database of another application (application id 0x0, tables records)')."""
    path = tmp_path / "log.sqlite"
    real_execute = sqlite_store._Connection.execute
    raced = []

    def execute(self: sqlite_store._Connection, sql: str, parameters: Any = ()) -> sqlite3.Cursor:
        if sql.startswith("SELECT type, name, tbl_name") and not raced:
            raced.append(True)
            # Another writer creates the log now: after the id was read, before the tables are.
            other = sqlite3.connect(path, timeout=0.2, isolation_level=None)
            try:
                other.execute("BEGIN IMMEDIATE")
                other.execute("CREATE TABLE records (seq INTEGER PRIMARY KEY, line BLOB NOT NULL)")
                other.execute(f"PRAGMA application_id={0x45455631}")
                other.execute("COMMIT")
            except sqlite3.OperationalError:
                pass  # locked out by this connection's read transaction: it could not commit in between
            finally:
                other.close()
        return real_execute(self, sql, parameters)

    monkeypatch.setattr(sqlite_store._Connection, "execute", execute)
    store = ee.SQLiteStore(path)
    with store.locked():
        store.append_lines([b'{"seq":1}\n'])
    assert raced
    assert store.read_lines() == [b'{"seq":1}']
