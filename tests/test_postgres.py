"""The PostgreSQL store on a real server: schema guards, explicit init, conversion, a client
killed inside its transaction, and a server restarted between appends.

The store contract, the stateful model test and the concurrency tests run on PostgreSQL
too (the ``postgres`` kind of ``logkit.STORE_KINDS``). Without ``EURASIA_EVENTS_PG_DSN``
these tests skip, saying so; in CI (``CI=true``) they fail instead.
"""

from __future__ import annotations

import os
import random
import select
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

import eurasia_events as ee
from eurasia_events.cli import main
from logkit import make_store, meeting, new_log, pg_dsn, pg_url, write_log_dir

ROOT = Path(__file__).resolve().parents[1]
THOROUGH = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"
KILLS = 40 if THOROUGH else 10


def _sql(url: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)  # type: ignore[arg-type]


def _tables(url: str) -> list[str]:
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() "
                            "ORDER BY 1").fetchall()
    return [row[0] for row in rows]


def test_a_read_never_creates_the_log(tmp_path: Path) -> None:
    """load() of a schema without a log is LogNotFoundError naming init, and creates nothing; init does."""
    url = pg_url(tmp_path)
    with pytest.raises(ee.LogNotFoundError, match=r"no eurasia_events log in schema t_.*eurasia-events init"):
        ee.load(url)
    assert main(["--log", url, "validate"]) == 1
    assert _tables(url) == []
    assert main(["init", url]) == 0
    assert _tables(url) == ["eurasia_events_meta", "eurasia_events_records"]
    assert main(["init", url]) == 0  # again: nothing changes
    assert len(ee.load(url)) == 0


@pytest.mark.parametrize(("damage", "message"), [
    ("UPDATE eurasia_events_meta SET application = 'other app'", "another application's tables"),
    ("UPDATE eurasia_events_meta SET schema_version = 2", "schema version 2; this library reads version 1"),
    ("DROP TABLE eurasia_events_meta", "a table eurasia_events_records but no eurasia_events_meta"),
    ("ALTER TABLE eurasia_events_records ADD COLUMN note text", "has the columns"),
    ("CREATE FUNCTION nothing() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END'; "
     "CREATE TRIGGER spy BEFORE INSERT ON eurasia_events_records FOR EACH ROW EXECUTE FUNCTION nothing()",
     "has triggers or rules \\(spy\\)"),
    ("DROP TABLE eurasia_events_records; CREATE VIEW eurasia_events_records AS SELECT 1::bigint AS seq, "
     "''::bytea AS line", "is not a plain table"),
])
def test_foreign_or_damaged_schemas_are_refused(tmp_path: Path, damage: str, message: str) -> None:
    """The marker, the version, the columns and the absence of triggers guard reads, appends and init alike."""
    store = make_store("postgres", tmp_path)
    new_log(store).append([meeting(0)])
    _sql(store.url, damage)
    for action in (lambda: ee.load(store.url), lambda: new_log(ee.PostgresStore(store.url)),
                   lambda: ee.PostgresStore(store.url).init()):
        with pytest.raises(ee.LogFormatError, match=message):
            action()
    assert main(["--log", store.url, "validate"]) == 1


def test_convert_file_to_postgres_to_file_is_byte_identical(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """convert copies into an initialised PostgreSQL log and back, verified on both sides, byte for byte."""
    original = write_log_dir(tmp_path, 7)
    original.write_bytes(original.read_bytes().replace(b"\n", b"\r\n", 1))  # a CRLF record survives too
    url = pg_url(tmp_path / "db")
    assert main(["convert", str(original), url]) == 1
    assert "eurasia-events init" in capsys.readouterr().err  # never created implicitly
    assert main(["init", url]) == 0
    assert main(["convert", str(original), url]) == 0
    assert "7 records copied and verified" in capsys.readouterr().err
    assert main(["convert", str(original), url]) == 1
    assert "already holds 7 records" in capsys.readouterr().err
    assert main(["convert", url, str(tmp_path / "copy.jsonl")]) == 0
    assert (tmp_path / "copy.jsonl").read_bytes() == original.read_bytes()
    assert main(["--log", url, "validate"]) == 0
    assert f"head {ee.load(original).head}" in capsys.readouterr().err
    assert main(["repair", url]) == 0


def test_a_tampered_row_is_caught(tmp_path: Path) -> None:
    """An edited row fails its hash on load; rows added behind the head make the next append refuse."""
    store = make_store("postgres", tmp_path)
    new_log(store).append([meeting(0), meeting(1)])
    _sql(store.url, "UPDATE eurasia_events_records SET line = convert_to(replace(convert_from(line, 'UTF8'), "
                    "'Meeting 1', 'Meeting 7'), 'UTF8') "
                    "WHERE seq = 2")
    with pytest.raises(ee.IntegrityError, match=r":2: the record does not match its hash"):
        ee.load(store.url)
    _sql(store.url, "UPDATE eurasia_events_meta SET last_seq = 1")
    with pytest.raises(ee.IntegrityError, match="the head says the log ends at record 1, but its last row is 2"), \
            ee.PostgresStore(store.url).locked():
        pass


def test_without_psycopg_the_core_works_and_the_store_says_what_is_missing() -> None:
    """The package imports and loads files without psycopg; a PostgreSQL URL gives MissingExtraError."""
    code = ("import sys; sys.modules['psycopg'] = None\n"
            "import eurasia_events as ee\n"
            "assert len(ee.load()) > 0\n"
            "try:\n    ee.load('postgresql://nobody@127.0.0.1:1/none')\n"
            "except ee.MissingExtraError as error:\n    print(error)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert "pip install 'eurasia-events[postgres]'" in result.stdout


# -- a client killed inside its transaction -------------------------------------------------------


def _writer(url: str, ack: int, seed: int, die_inside_after: int | None) -> None:
    """Append batches for ever, acknowledging each returned append's last seq on ``ack``."""
    rng = random.Random(seed)
    log = new_log(ee.PostgresStore(url))
    n, appends = len(log), 0
    while True:
        if appends == die_inside_after:
            real_append = ee.PostgresStore.append_lines

            def append_then_die(self: ee.PostgresStore, lines: Sequence[bytes], real: Any = real_append) -> None:
                real(self, lines)  # the rows are in the transaction, not committed
                os.kill(os.getpid(), signal.SIGKILL)

            ee.PostgresStore.append_lines = append_then_die  # type: ignore[method-assign]
        batch = [meeting(n + i, notes="x" * rng.randrange(1, 20_000)) for i in range(rng.randrange(1, 4))]
        log.append(batch)
        appends += 1
        n += len(batch)
        os.write(ack, f"{log.last_seq}\n".encode())


def _acked(read_end: int) -> int:
    data = b""
    while select.select([read_end], [], [], 0)[0]:
        chunk = os.read(read_end, 65536)
        if not chunk:
            break
        data += chunk
    return max((int(x) for x in data.split()), default=0)


def test_a_client_killed_inside_its_transaction_leaves_nothing(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    """SIGKILL a writer at random moments, and inside its transaction after the INSERT: every acknowledged
    record stays byte for byte, none of the dying batch is kept, and the next writer is not blocked."""
    store = make_store("postgres", tmp_path)
    rng = random.Random(16)
    survived: list[bytes] = []
    inside = 0
    for round_ in range(KILLS):
        die_inside_after = rng.randrange(0, 5) if round_ % 2 else None
        inside += die_inside_after is not None
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child never returns into pytest
            try:
                os.close(read_end)
                _writer(store.url, write_end, round_, die_inside_after)
            finally:
                os._exit(0)
        os.close(write_end)
        if die_inside_after is None:
            time.sleep(rng.uniform(0.01, 0.15))
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status), f"round {round_}: the writer ended on its own: {status}"
        acked = max(_acked(read_end), len(survived))
        os.close(read_end)
        log = ee.load(store.url)  # verifies every hash and link
        lines = log.store.read_lines()
        assert lines[: len(survived)] == survived, f"round {round_}: an earlier record changed or vanished"
        assert len(lines) >= acked, f"round {round_}: record {acked} was acknowledged, the log has {len(lines)}"
        if die_inside_after is not None:
            assert len(lines) == acked, f"round {round_}: the transaction that died left records behind"
        survived = lines
    log.append([meeting(10**6)])  # the dead clients hold no lock
    assert len(ee.load(store.url)) == len(survived) + 1
    with capsys.disabled():
        print(f"\n[postgres] {KILLS} SIGKILLs ({inside} inside the transaction), {len(survived)} records intact")


# -- a server restarted between appends ---------------------------------------------------------


@pytest.fixture
def own_cluster() -> Iterator[tuple[Path, str]]:
    """A throw-away cluster of this test's own (started by .ci/pg), so restarting it disturbs no one."""
    pg_dsn()  # skips (or fails in CI) like every PostgreSQL test
    folder = Path(tempfile.mkdtemp(prefix="ee-pg-"))
    started = subprocess.run(["bash", str(ROOT / ".ci" / "pg"), "start", str(folder)], capture_output=True,
                             text=True, timeout=600)
    if started.returncode:
        pytest.fail(f".ci/pg start failed: {started.stderr[-2000:]}", pytrace=False)
    try:
        yield folder, started.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run(["bash", str(ROOT / ".ci" / "pg"), "stop", str(folder)], capture_output=True, timeout=120)


def test_a_server_restart_between_appends_loses_and_repeats_nothing(own_cluster: tuple[Path, str]) -> None:
    """Appends, a follower and a reader on the same objects go on after each restart: nothing lost, nothing twice."""
    folder, url = own_cluster
    log = ee.load(url, create=True)
    reader = ee.load(url)
    follower = ee.load(url)
    followed = follower.follow(after_seq=0, poll=0.2, timeout=30)
    seen: list[str] = []
    for round_ in range(3):
        log.append([meeting(2 * round_), meeting(2 * round_ + 1)])
        subprocess.run(["bash", str(ROOT / ".ci" / "pg"), "restart", str(folder)], check=True,
                       capture_output=True, timeout=120)
        seen += [next(followed).event.id for _ in range(2)]
        assert reader.refresh() == 2
    log.append([meeting(99)])
    seen.append(next(followed).event.id)
    followed.close()
    expected = [f"m-{n}" for n in range(6)] + ["m-99"]
    assert seen == expected
    assert [r.event.id for r in ee.load(url)] == expected
    assert reader.refresh() == 1
    assert reader.head == log.head


def _append_later(url: str) -> None:
    time.sleep(0.3)
    new_log(ee.PostgresStore(url)).append([meeting(1)])


def test_a_follower_is_woken_by_notify(tmp_path: Path) -> None:
    """An append's commit wakes a PostgreSQL follower's wait (NOTIFY), which otherwise sleeps its whole poll."""
    import multiprocessing

    store = make_store("postgres", tmp_path)
    follower = ee.PostgresStore(store.url)
    follower.read_lines()  # connected: the schema it listens for is known
    writer = multiprocessing.get_context("fork").Process(target=_append_later, args=(store.url,))
    with follower.watch() as wait:
        writer.start()
        try:
            woken = wait(30)  # False: 30 s passed with no notification
        finally:
            writer.join(60)
    assert woken
    assert [r.event.id for r in new_log(follower).follow(after_seq=0, timeout=0)] == ["m-1"]
