"""The engine's edges mutation testing found untested (docs/reliability.md, "Mutation testing"):
``known_at`` at the exact instant of a record and between two corrections, the
order amendments must be recorded in, retroactive changes patched into checkpoints, States
kept across later changes, and the errors of a stored correction that breaks its target; then
(run 2) what loading refuses in records written behind append's back and names, upcast records,
the collector opt-in, generated functions' source, disputes read off rows, and the fast
decoder taking valid records itself (a decline answers the same, slower)."""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import inspect
import json
import traceback
from pathlib import Path
from typing import Any, Final
from unittest import mock

import attrs
import pytest

import eurasia_events as ee
from eurasia_events._engine.index import _COUNTS_HOLDERS
from eurasia_events.codec import GENESIS, encode_record
from logkit import QUOTE, copy_registries, forge_line, log_of, meeting, meeting_data, new_log

Q = QUOTE
T1, T2, T3 = "2026-01-01T00:00:00.000001Z", "2026-01-02T00:00:00.000002Z", "2026-01-03T00:00:00.000003Z"


def just_before(instant: str) -> str:
    """The microsecond before an instant written as above."""
    return instant[:-2] + str(int(instant[-2]) - 1) + "Z"


def answers(state: Any) -> dict[str, Any]:
    """What the keyed views say on a day (records, and totals as text)."""
    views = {"agreements": state.agreements(), "supply": state.supply(), "projects": state.projects(),
             "sanctions": state.sanctions(in_force_only=False), "members": state.members("eaeu")}
    return {name: (view.to_records(), {k: str(v) for k, v in view.totals.items()}) for name, view in views.items()}


def fillers(count: int, year: int) -> list[ee.Event]:
    """Meetings (no keyed view reads them) to fill checkpoints."""
    return [meeting(100 + n, id=f"f-{year}-{n}", date=f"{year}-0{1 + n % 9}-0{1 + n % 9}") for n in range(count)]


def ratification(party: str, day: str, *, id: str | None = None, body: str = "parliament") -> ee.Ratified:
    """Treaty ``t``'s ratification by ``party`` on ``day``."""
    return ee.Ratified(id=id or f"r-{party.lower()}", date=day, title="r", sources=Q, agreement="t", party=party,
                       body=body)


def ratified_treaty(*parties: tuple[str, int]) -> list[ee.Event]:
    """Treaty ``t`` signed in 2010 and ratified by each ``(party, year)`` on 1 February, with
    three meetings the year before each ratification and three the year after the last."""
    items: list[ee.Event] = [ee.TreatySigned(id="t", date="2010-01-01", title="t", sources=Q, agreement="t")]
    for party, year in parties:
        items += [*fillers(3, year - 1), ratification(party, f"{year}-02-01")]
    return [*items, *fillers(3, parties[-1][1] + 1)]


def checkpointed(*items: ee.Event | ee.Amendment, snapshot_every: int = 32) -> ee.Log:
    """A log of ``items`` whose index (checkpoints every 2 events, a full copy of the state every
    ``snapshot_every`` checkpoints whatever was written, runs of 2 deltas merged) is built to its end."""
    log = new_log(ee.MemoryStore())
    log.append(items)
    with mock.patch("eurasia_events._engine.index.CHECKPOINT_EVERY", 2), \
            mock.patch("eurasia_events._engine.index.SNAPSHOT_EVERY", snapshot_every), \
            mock.patch("eurasia_events._engine.index.SNAPSHOT_SHARE", 0.0), \
            mock.patch("eurasia_events._engine.index.MERGE_EVERY", 2):
        log.as_of("2040-01-01").agreements()
        log.as_of("2041-01-01").agreements()  # a second query builds to the end
    return log


def titles(log: ee.Log, known_at: str | None) -> dict[str, str]:
    return {e.id: e.title for e in log.events(known_at)}


def test_known_at_an_instant_includes_what_was_recorded_at_that_very_microsecond() -> None:
    """A record is known from the microsecond it was recorded: at it, not just after, and not before."""
    log = new_log(ee.MemoryStore())
    log.append([meeting(1)], recorded=T1)
    log.append([ee.Correction(id="fix", target="m-1", reason="r", changes={"title": "Fixed"})], recorded=T2)
    log.append([ee.Retraction(id="gone", target="m-1", reason="r")], recorded=T3)
    assert titles(log, just_before(T1)) == {}
    assert titles(log, T1) == {"m-1": "Meeting 1"}
    assert titles(log, just_before(T2)) == {"m-1": "Meeting 1"}
    assert titles(log, T2) == {"m-1": "Fixed"}
    assert log.get("m-1", known_at=T2).title == "Fixed"
    assert titles(log, just_before(T3)) == {"m-1": "Fixed"}
    assert titles(log, T3) == {}
    assert [r.seq for r in log.records_until(T2)] == [1, 2]
    assert [r.seq for r in log.records_until(just_before(T2))] == [1]


def test_an_amendment_cannot_be_recorded_before_the_last_correction_of_its_target() -> None:
    """The log's own last correction counts, not only the event's record."""
    log = new_log(ee.MemoryStore())
    log.append([meeting(1)], recorded=T1)
    log.append([ee.Correction(id="fix", target="m-1", reason="r", changes={"title": "Fixed"})], recorded=T3)
    log.append([meeting(2)], recorded=T1)  # records need not be in recorded order
    retraction = ee.Retraction(id="gone", target="m-1", reason="r")
    with pytest.raises(ee.InvalidEventError, match=r"before 'm-1' \(or its last correction\) was recorded"):
        log.append([retraction], recorded=T2)
    log.append([retraction], recorded=T3)
    assert titles(log, None) == {"m-2": "Meeting 2"}


def test_a_state_keeps_its_answer_after_later_retractions_and_corrections() -> None:
    """A State made before a retraction and a correction (each takes a row out of the index)
    still lists the events as they stood when it was made; a new State sees the changes."""
    log = new_log(ee.MemoryStore())
    log.append([meeting(n, date=f"2010-05-0{n}") for n in (1, 2, 3)])
    before = log.as_of("2011-01-01")
    log.append([ee.Retraction(id="gone", target="m-2", reason="r")])
    between = log.as_of("2011-01-01")
    log.append([ee.Correction(id="fix", target="m-3", reason="r", changes={"date": "2010-04-01", "title": "Moved"})])
    assert [r.event for r in before.meetings()] == ["m-1", "m-2", "m-3"]
    assert [s.id for s in before.sketches] == ["m-1", "m-2", "m-3"]
    assert [(r.event, r.title) for r in between.meetings()] == [("m-1", "Meeting 1"), ("m-3", "Meeting 3")]
    after = log.as_of("2011-01-01")
    assert [(r.event, r.title) for r in after.meetings()] == [("m-3", "Moved"), ("m-1", "Meeting 1")]


def level(id_: str, date: str, stage: str, value: str) -> ee.SupplyLevel:
    return ee.SupplyLevel(id=id_, date=date, title=id_, sources=Q, commodity="pipeline_gas", route="power-of-siberia",
                          stage=stage, level=value)


def test_a_retroactive_event_refolds_the_keys_its_later_events_also_touch_with_all_their_events() -> None:
    """A milestone before checkpoints, on a project whose later opening also writes the route's
    supply: the supply is refolded with the levels touching only it, and answers as a fresh log's."""
    opened = ee.SupplyStarted(id="first", date="2019-12-02", title="first gas", sources=Q, commodity="pipeline_gas",
                              route="power-of-siberia", capacity="38 bcm/yr")
    later = [opened, level("ramp", "2021-01-01", "ramp_up", "10 bcm/yr"), *fillers(6, 2022),
             level("plateau", "2023-01-01", "plateau", "38 bcm/yr"), *fillers(6, 2024)]
    assert_answers_as_fresh(later, BUILT, "2021-06-01", "2023-06-01", "2030-01-01")


BUILT: Final = ee.ProjectMilestone(id="built", date="2014-09-01", title="built", sources=Q, project="power-of-siberia",
                                   stage="construction_started")


def assert_answers_as_fresh(items: list[ee.Event], change: ee.Event, *days: str) -> None:
    """``change`` appended to a log of ``items`` whose checkpoints are built: each day answers as
    a fresh log of both."""
    log = checkpointed(*items)
    log.append([change])
    for day in days:
        assert answers(log.as_of(day)) == answers(log_of(change, *items).as_of(day))


@pytest.mark.parametrize("later", [
    ee.ProjectMilestone(id="later", date="2020-05-05", title="done", sources=Q, project="power-of-siberia",
                        stage="completed"),
    ee.Announcement(id="later", date="2020-05-05", title="plan", sources=Q, subject="power-of-siberia",
                    expected="a second line"),
    ee.SupplyStarted(id="later", date="2020-05-05", title="first gas", sources=Q, route="power-of-siberia",
                     commodity="pipeline_gas"),
], ids=lambda event: event.TYPE)
def test_a_retroactive_milestone_is_refolded_with_every_kind_of_later_event_on_its_project(later: ee.Event) -> None:
    """Each event type whose handler writes a project's state is found among the later events a
    retroactive milestone of the project refolds (the index picks them by type first), and every
    day answers as a fresh log."""
    assert_answers_as_fresh([*fillers(6, 2010), later, *fillers(6, 2021)], BUILT, "2015-01-01", "2020-06-01",
                            "2030-01-01")


def test_many_corrections_after_checkpoints_merge_their_patch_layers_per_checkpoint() -> None:
    """More corrections than a checkpoint keeps patch layers (16), of an extension between
    checkpoints: each checkpoint's layers are merged into its own, and every day answers as a fresh log."""
    imposed = ee.SanctionsImposed(id="m", date="2020-01-01", title="package", sources=Q, measure="m", imposer="eu",
                                  targets=["RU"], description="d", until="2021-01-01")
    first = ee.SanctionsExtended(id="x1", date="2022-01-01", title="more", sources=Q, measure="m", until="2023-06-01")
    second = ee.SanctionsExtended(id="x2", date="2024-01-01", title="more", sources=Q, measure="m", until="2025-06-01")
    items = [imposed, *fillers(4, 2021), first, *fillers(4, 2022), second, *fillers(4, 2025)]
    log = checkpointed(*items)
    fresh = log_of(*items)
    for n in range(1, 19):
        fix = ee.Correction(id=f"fix-{n}", target="x1", reason="r", changes={"until": f"2023-06-{n:02d}"})
        log.append([fix])
        fresh.append([fix])
        if n >= 17:  # the 17th merges the layers; the 18th is one layer over the merge
            for day in ("2021-06-01", "2022-06-01", "2023-01-01", "2024-06-01", "2030-01-01"):
                assert answers(log.as_of(day)) == answers(fresh.as_of(day))
    assert log.as_of("2023-01-01").sanctions().get(measure="m").until == "2023-06-18"
    assert log.as_of("2024-06-01").sanctions().get(measure="m").until == "2025-06-01"


def test_a_retroactive_event_on_a_key_nothing_later_touches_is_folded_over_the_last_checkpoint() -> None:
    """An extension dated after the last full checkpoint's bound but before the newest events,
    its measure imposed after that bound: the patch is folded over the state holding the imposition."""
    imposed = ee.SanctionsImposed(id="m", date="2014-01-01", title="package", sources=Q, measure="m", imposer="eu",
                                  targets=["RU"], description="d", until="2014-12-31")
    items = [*fillers(6, 2010), imposed, *fillers(1, 2016)]
    log = checkpointed(*items)
    extension = ee.SanctionsExtended(id="x", date="2015-01-01", title="more", sources=Q, measure="m",
                                     until="2020-01-01")
    log.append([extension])
    for day in ("2015-06-01", "2017-01-01"):
        assert answers(log.as_of(day)) == answers(log_of(*items, extension).as_of(day))
    assert log.as_of("2017-01-01").sanctions().get(measure="m").until == "2020-01-01"


def test_checkpoints_given_the_same_patch_share_one_tuple_of_patches_and_one_merge() -> None:
    """A retroactive memorandum no later event touches patches every later checkpoint with one
    layer: they keep one tuple of patches between them, made once, and past 16 patches one merge."""
    log = checkpointed(*fillers(4, 2010), *fillers(30, 2015))
    index = log.engine.index()
    first = 4  # the checkpoints after the 2012 memoranda: from the fourth, built after the 2010 fillers

    def shared(count: int) -> None:
        later = index.patches[first:]
        assert len(later) >= 10
        assert all(len(patches) == count for patches in later)
        assert len({id(patches) for patches in later}) == 1

    for n, memorandum in enumerate(memoranda(18, 2012), start=1):
        log.append([memorandum])
        shared(n if n <= 16 else n - 16)  # the 17th merges the 16 before it with it: one layer
    assert answers(log.as_of("2020-01-01")) == answers(log_of(*fillers(4, 2010), *fillers(30, 2015),
                                                              *memoranda(18, 2012)).as_of("2020-01-01"))


def test_a_patch_leaves_the_running_state_to_the_next_build_to_replace() -> None:
    """The state the index keeps running at its last checkpoint no longer serves once a patch
    changes that checkpoint: it is freed when the next build makes its replacement, not by the
    retroactive append (freeing it is a few ms at a million events), and that build starts over."""
    import weakref

    items = [*fillers(4, 2010), *fillers(6, 2015)]
    log = checkpointed(*items)
    index = log.engine.index()
    assert index._running is not None
    running = weakref.ref(index._running[1])
    early = ee.Memorandum(id="early", date="2012-01-01", title="early", sources=Q, agreement="early")
    log.append([early])
    gc.collect()
    assert running() is not None  # kept past the append
    late = fillers(4, 2020)
    log.append(late)
    for day in ("2040-01-01", "2041-01-01"):  # the second query builds to the end
        assert answers(log.as_of(day)) == answers(log_of(*items, early, *late).as_of(day))
    gc.collect()
    assert running() is None  # replaced by the build


@pytest.mark.skipif(not _COUNTS_HOLDERS, reason="no fold is reused where reference counts may leave holders out")
def test_a_query_after_a_retroactive_change_brings_the_last_fold_up_to_date_in_place() -> None:
    """When nothing but the index holds the last fold, the next query changes its dicts in place
    (the keys the change may have changed) rather than copying the checkpoint's state again:
    the answers are a fresh log's, with a key added and then, retracted, removed."""
    import eurasia_events._engine.index as index_module

    items = [*memoranda(60, 2011), *fillers(6, 2015)]  # a state of more keys than a change touches
    log, day = checkpointed(*items), "2041-01-01"  # the day checkpointed() asked last
    early = ee.Memorandum(id="early", date="2012-01-01", title="early", sources=Q, agreement="early")
    gone = ee.Retraction(id="gone", target="early", reason="never signed")
    for change, after in [(early, [*items, early]), (gone, items)]:
        log.append([change])
        fresh = answers(log_of(*after).as_of(day))
        with mock.patch.object(index_module, "flatten", wraps=index_module.flatten) as copied:
            assert answers(log.as_of(day)) == fresh
        assert not copied.called
    assert "early" not in log.engine.index()._top.state.agreements


@pytest.mark.parametrize("held", ["state", "fold", "fold state", "fold dict"])
def test_a_fold_still_held_is_copied_not_changed_by_the_next_query(held: str) -> None:
    """A state kept from before a retroactive change keeps its answers: the next query copies the
    checkpoint's state for its own fold rather than changing the one the kept state reads (and
    so for anything else holding that fold, its state or one of its dicts)."""
    import eurasia_events._engine.index as index_module

    items = [*memoranda(60, 2011), *fillers(6, 2015)]
    log, day = checkpointed(*items), "2041-01-01"
    kept = log.as_of(day)
    kept.supply()  # its fold made; the agreements read from it after the change
    made = log.engine.index()._top
    assert made is not None
    kept_by = {"state": kept, "fold": made, "fold state": made.state, "fold dict": made.state.agreements}[held]
    del kept, made
    gc.collect()  # only `kept_by` holds it now (a state is freed by the collector)
    log.append([ee.Memorandum(id="early", date="2012-01-01", title="early", sources=Q, agreement="early")])
    with mock.patch.object(index_module, "flatten", wraps=index_module.flatten) as copied:
        assert "early" in {row.agreement for row in log.as_of(day).agreements()}
    assert copied.called
    if held == "state":
        assert answers(kept_by) == answers(log_of(*items).as_of(day))
    elif held == "fold":
        assert "early" not in kept_by.state.agreements
    elif held == "fold state":
        assert "early" not in kept_by.agreements
    else:
        assert "early" not in kept_by


@pytest.mark.skipif(not _COUNTS_HOLDERS, reason="no fold is reused where reference counts may leave holders out")
def test_a_series_leaves_the_last_fold_to_the_query_that_follows_on_its_day() -> None:
    """A series asks many days once each: the fold made before it stays the index's last, so a
    query on that day after a retroactive change starts from it rather than copying its checkpoint."""
    import eurasia_events._engine.index as index_module

    items = [*memoranda(60, 2011), *fillers(6, 2015)]
    log, day = checkpointed(*items), "2041-01-01"  # the day checkpointed() asked last
    series = log.series("agreements", "2010-06-01", "2011-06-01")  # days whose folds are far from that day's
    assert [row.value for row in series] == [0, len([n for n in range(60) if 1 + n % 9 <= 5])]  # January-May
    early = ee.Memorandum(id="early", date="2012-01-01", title="early", sources=Q, agreement="early")
    log.append([early])
    fresh = answers(log_of(*items, early).as_of(day))
    with mock.patch.object(index_module, "flatten", wraps=index_module.flatten) as copied:
        assert answers(log.as_of(day)) == fresh
    assert not copied.called


def test_the_first_events_inserted_into_the_index_find_room_in_its_list() -> None:
    """The index's list of events is made with room to grow: a retroactive event inserted into
    it does not grow it (at a million events, a copy of 8 MB into fresh pages)."""
    import sys

    log = checkpointed(*[meeting(n, date="2011-01-01") for n in range(80)])
    events = log.engine.index().events
    size = sys.getsizeof(events)
    log.append([meeting(n, date="2010-01-01") for n in range(100, 110)])
    assert log.engine.index().events is events
    assert len(events) == 90
    assert sys.getsizeof(events) == size


def test_a_query_on_a_day_far_from_the_last_fold_copies_its_checkpoint() -> None:
    """Bringing the last fold to a day whose fold differs from it in many keys would read each
    key through the checkpoint's layers: more than copying them, which the query does instead."""
    import eurasia_events._engine.index as index_module

    log = checkpointed(*memoranda(9, 2011), *memoranda(9, 2013), *fillers(6, 2015))
    log.as_of("2041-01-01").agreements()
    with mock.patch.object(index_module, "flatten", wraps=index_module.flatten) as copied:
        assert len(log.as_of("2011-12-31").agreements()) == 9
    assert copied.called


def test_states_keep_their_answers_across_more_changes_than_the_index_keeps_undo_for() -> None:
    """Past 4096 changes the index stops keeping what undoes the older ones: States made before
    take their rows then, and States made after still undo the changes made after them."""
    log = new_log(ee.MemoryStore())
    log.append([meeting(1, date="2010-05-01")])
    before = log.as_of("2011-01-01")
    log.append([meeting(n, date="2010-05-01") for n in range(2, 4100)])
    after = log.as_of("2011-01-01")
    log.append([meeting(5000, date="2009-05-01")])  # sorts first: the States must undo it
    assert [r.event for r in before.meetings()] == ["m-1"]
    assert [r.event for r in after.meetings()][:2] == ["m-1", "m-2"]
    assert len(after.meetings()) == 4099
    assert [r.event for r in log.as_of("2011-01-01").meetings()][:2] == ["m-5000", "m-1"]


def test_an_event_built_as_known_in_the_past_is_never_taken_for_the_current_one() -> None:
    """Building an event as it stood at a past instant keeps no copy the current reads would use, and back."""
    log = new_log(ee.MemoryStore())
    log.append([meeting(1)], recorded=T1)
    log.append([ee.Correction(id="fix", target="m-1", reason="r", changes={"title": "Fixed"})], recorded=T2)
    assert log.get("m-1", known_at=T1).title == "Meeting 1"
    assert log.get("m-1").title == "Fixed"
    assert log.get("m-1", known_at=T1).title == "Meeting 1"
    assert [e.title for e in log.as_of("2030-01-01", known_at=T1).events] == ["Meeting 1"]
    assert log.get("m-1").title == "Fixed"


def test_known_at_between_two_corrections_shows_only_the_first_in_views_and_sketches() -> None:
    """Views and sketches as known between two corrections hold the first correction's values, not the second's."""
    log = new_log(ee.MemoryStore())
    log.append([meeting(1)], recorded=T1)
    log.append([ee.Correction(id="fix", target="m-1", reason="r", changes={"title": "Fixed"})], recorded=T2)
    log.append([ee.Correction(id="refix", target="m-1", reason="r", changes={"title": "Fixed again"})], recorded=T3)
    assert [r.title for r in log.as_of("2030-01-01", known_at=T2).meetings()] == ["Fixed"]
    assert [s.title for s in log.sketches(T2)] == ["Fixed"]
    assert [s.title for s in log.sketches(T3)] == ["Fixed again"]


@pytest.mark.parametrize("amendment", [ee.Retraction(id="gone", target="m-1", reason="r"),
                                       ee.Correction(id="fix", target="m-1", reason="r", changes={"title": "T"})])
def test_a_stored_amendment_recorded_before_its_target_is_read_in_log_order(amendment: ee.Amendment) -> None:
    """A log written with an amendment recorded before its target (append refuses that now; a log
    written otherwise still loads): as known in between, neither is known, and nothing fails."""
    store = ee.MemoryStore()
    first, digest = encode_record(1, ee.Instant.parse(T3), meeting(1), GENESIS)
    second, _ = encode_record(2, ee.Instant.parse(T1), amendment, digest)
    store.append_lines([first, second])
    log = new_log(store)
    assert log.events(T2) == []
    assert log.as_of("2030-01-01", known_at=T2).meetings().rows == ()
    corrected = isinstance(amendment, ee.Correction)
    assert [e.title for e in log.events(T3)] == (["T"] if corrected else [])


@pytest.mark.parametrize(("changes", "problem"), [
    ({"date": "2001-13-45"}, "field 'date': invalid date '2001-13-45'"),
    ({"parties": ["RU", "atlantis"]}, "field 'parties': unknown entity 'atlantis'"),
])
def test_a_stored_correction_breaking_its_target_names_the_record_that_broke_it(
        tmp_path: Path, changes: dict[str, Any], problem: str) -> None:
    """Loading a log whose correction makes its target invalid names the correction's line twice:
    as the amendment refused, and as where the target was made invalid."""
    copy_registries(tmp_path)
    at = ee.Instant.parse(T1)
    first, digest = encode_record(1, at, meeting(1), GENESIS)
    second, digest = encode_record(2, at, meeting(2), digest)
    third, _ = encode_record(3, at, ee.Correction(id="fix", target="m-1", reason="r", changes=changes), digest)
    path = tmp_path / "log.jsonl"
    path.write_bytes(first + second + third)
    with pytest.raises(ee.InvalidEventError) as caught:
        ee.load(tmp_path)
    assert str(caught.value).startswith(
        f"{path}:3, event 'fix', field 'changes': the correction makes its target invalid: {path}:3, event 'm-1', "
        + problem)


@pytest.mark.parametrize("before", [4, 6])  # the change 3 or 4 checkpoints in
def test_a_retroactive_change_refolding_too_many_events_drops_the_later_checkpoints(before: int) -> None:
    """Past the refold limit (100,000 events; 2 here) a retroactive change drops the checkpoints
    (and full copies) after it instead of patching them; those built again answer as a fresh log."""
    imposed = ee.SanctionsImposed(id="m", date="2014-01-01", title="package", sources=Q, measure="m", imposer="eu",
                                  targets=["RU"], description="d", until="2014-12-31")
    later = [ee.SanctionsExtended(id=f"x{n}", date=f"{2015 + n}-01-01", title="more", sources=Q, measure="m",
                                  until=f"{2015 + n}-12-31") for n in range(4)]
    items = [*fillers(before, 2010), imposed, *fillers(2, 2014), *later, *fillers(4, 2020)]
    log = checkpointed(*items, snapshot_every=3)  # full copies of the state every 3 checkpoints
    built = len(log.engine.index().bounds)
    fix = ee.Correction(id="fix", target="m", reason="r", changes={"targets": ["RU", "sberbank"]})
    with mock.patch("eurasia_events._engine.index._REFOLD_LIMIT", 2):
        log.append([fix])
    assert len(log.engine.index().bounds) < built  # dropped, not patched
    fresh = log_of(*items)
    fresh.append([fix])
    for day in ("2014-06-01", "2016-06-01", "2030-01-01"):
        assert answers(log.as_of(day)) == answers(fresh.as_of(day))


def stored_log(folder: Path, *items: ee.Event | ee.Amendment) -> Path:
    """A log file in ``folder`` (with copies of the bundled registries) holding ``items``
    written as records, bypassing append's checks; its path."""
    copy_registries(folder)
    at, digest, lines = ee.Instant.parse(T1), GENESIS, []
    for seq, item in enumerate(items, start=1):
        line, digest = encode_record(seq, at, item, digest)
        lines.append(line)
    path = folder / "log.jsonl"
    path.write_bytes(b"".join(lines))
    return path


@pytest.mark.parametrize(("changes", "problem"), [
    ({"sources": [{"source": "seed-000", "record": "r-1"}]},
     "field 'sources': source 'seed-000' is a document: cite it with a verbatim 'quote', not a 'record'"),
    ({"disputes": [{"field": "date", "value": "2001", "source": "no-such-source"}]},
     "field 'disputes': unknown source 'no-such-source' in a dispute"),
])
def test_a_stored_record_breaking_a_source_rule_names_its_file_line_event_and_field(
        tmp_path: Path, changes: dict[str, Any], problem: str) -> None:
    """A citation that does not fit its source's kind, and a dispute citing an unknown source:
    loading names where, which event and which field."""
    path = stored_log(tmp_path, meeting(1), meeting(2, **changes))
    with pytest.raises(ee.InvalidEventError) as caught:
        ee.load(tmp_path)
    assert str(caught.value) == f"{path}:2, event 'm-2', {problem}"


def test_a_generated_function_shows_its_source_to_inspect_and_in_tracebacks() -> None:
    """The engine's generated functions (decoders, touchers) keep their source in linecache
    under a file name of their own: ``inspect.getsource`` finds it, a traceback shows the line."""
    from eurasia_events._engine.codegen import compile_function  # nothing public reaches it

    lines = ["def half(x):", "    return 1 // x"]
    first = compile_function("half", lines, {}, about="a test")
    second = compile_function("half", ["def half(x):", "    return 2 // x"], {}, about="a test")
    assert inspect.getsource(first) == "def half(x):\n    return 1 // x\n"
    assert inspect.getsource(second) == "def half(x):\n    return 2 // x\n"
    assert (first(1), second(1)) == (1, 2)
    with pytest.raises(ZeroDivisionError) as caught:
        first(0)
    shown = "".join(traceback.format_exception(caught.value))
    assert "generated half for a test" in shown
    assert "return 1 // x" in shown


GONE = ee.Retraction(id="gone", target="m-1", reason="r")
FIX = ee.Correction(id="fix", target="m-1", reason="r", changes={"title": "Fixed"})


DUPLICATE = "field 'id': duplicate event id: an earlier record has it"


@pytest.mark.parametrize(("items", "where"), [
    ((meeting(1), meeting(2), meeting(1)), f"3, event 'm-1', {DUPLICATE}"),
    ((meeting(1), GONE, meeting(1)), f"3, event 'm-1', {DUPLICATE}"),
    ((meeting(1), FIX, meeting(2, id="fix")), f"3, event 'fix', {DUPLICATE}"),
    ((meeting(1), FIX, ee.Retraction(id="fix", target="m-1", reason="r")), f"3, event 'fix', {DUPLICATE}"),
    ((meeting(1), ee.Retraction(id="gone", target="m-2", reason="r")),
     "2, event 'gone', field 'target': no event 'm-2' to amend before this record"),
    ((meeting(1), GONE, FIX), "3, event 'fix', field 'target': no event 'm-1' to amend before this record"),
], ids=["an event's id twice", "a retracted event's id", "an amendment's id", "an amendment's id twice",
        "an unknown target", "a retracted target"])
def test_a_stored_log_reusing_an_id_or_amending_no_live_event_names_the_record(
        tmp_path: Path, items: tuple[ee.Event | ee.Amendment, ...], where: str) -> None:
    """A log written behind append's back (chain intact) with an id used before, by a live,
    retracted or amending record, or an amendment of an event not (or no longer) live: loading
    names the file, the line, the record's id and the field."""
    path = stored_log(tmp_path, *items)
    with pytest.raises(ee.InvalidEventError) as caught:
        ee.load(tmp_path)
    assert str(caught.value) == f"{path}:{where}"


def measure(*disputes: dict[str, str]) -> ee.SanctionsImposed:
    """A measure imposed in 2014 until 2015, with ``disputes``."""
    return ee.SanctionsImposed(id="m", date="2014-01-01", title="package", sources=Q, measure="m", imposer="eu",
                               targets=["RU"], description="d", until="2015-01-01", disputes=list(disputes))


def test_a_disputed_date_field_is_widened_by_its_own_disputes_wherever_they_are_listed() -> None:
    """A measure's end disputed by a second source, listed after a dispute of another field, is
    uncertain between the two dates, as when listed alone; a dispute whose value is a field's
    name, followed by one whose field reads as a date, widens nothing."""
    later = {"field": "until", "value": "2016-01-01", "source": "seed-004"}
    other = {"field": "description", "value": "other", "source": "seed-004"}
    odd = [{"field": "description", "value": "until", "source": "seed-004"},
           {"field": "2016-01-01", "value": "x", "source": "seed-004"}]
    day = "2015-06-01"
    alone, plain = answers(log_of(measure(later)).as_of(day)), answers(log_of(measure()).as_of(day))
    assert alone != plain  # the dispute leaves the measure's end uncertain on that day
    assert answers(log_of(measure(other, later)).as_of(day)) == alone
    assert answers(log_of(measure(*odd)).as_of(day)) == plain


def test_an_event_whose_id_is_another_types_name_is_read_as_its_own_type() -> None:
    """A measure with the id ``meeting``, in a log whose meetings were read first: its row is
    read as a measure's, not as a meeting's."""
    log = log_of(meeting(1), ee.SanctionsImposed(id="meeting", date="2014-01-01", title="package", sources=Q,
                                                 measure="m", imposer="eu", targets=["RU"], description="d"))
    assert [r.event for r in log.as_of("2030-01-01").meetings()] == ["m-1"]
    found = log.as_of("2015-01-01").sanctions().get(measure="m")
    assert (found.imposer, found.targets, found.events) == ("eu", ("RU",), ("meeting",))


def schema0_log(folder: Path, *items: ee.Event | ee.Amendment) -> None:
    """A log in ``folder`` of ``items`` written as schema-0 records (the chain and hashes intact)."""
    copy_registries(folder)
    prev, lines = GENESIS, []
    for seq, item in enumerate(items, start=1):
        record = json.loads(encode_record(seq, ee.Instant.parse(T1), item, prev)[0])
        body = json.dumps({**record, "schema": 0, "prev": prev}, separators=(",", ":"))
        body = body[:body.index(',"hash":')]
        prev = hashlib.sha256((body + "}").encode()).hexdigest()
        lines.append(f'{body},"hash":"{prev}"}}\n'.encode())
    (folder / "log.jsonl").write_bytes(b"".join(lines))


def test_upcast_records_the_fast_decoder_declines_are_read_with_every_check(tmp_path: Path) -> None:
    """An upcaster may hand back its data as a dict of its own class: such records (events and
    amendments) are decoded the full way and answer as the same records written today."""
    items = (meeting(1), meeting(2), FIX, ee.Retraction(id="gone", target="m-2", reason="r"), meeting(3))
    schema0_log(tmp_path, *items)

    class Data(dict):  # type: ignore[type-arg]
        pass

    def upcast(type_: str, data: dict[str, Any]) -> tuple[str, Any]:
        return type_, Data(data)

    log = ee.load(tmp_path, upcasters={0: upcast})
    assert titles(log, None) == {"m-1": "Fixed", "m-3": "Meeting 3"}
    assert answers(log.as_of("2030-01-01")) == answers(log_of(*items).as_of("2030-01-01"))
    assert [r.event for r in log.as_of("2030-01-01").meetings()] == ["m-1", "m-3"]


CITED = [{"source": "seed-000", "quote": "q"}]
BAD_AMENDMENTS = {
    "an id not a slug": ("retraction", {"id": "Gone!", "target": "m-1", "reason": "r"}, "field 'id'"),
    "an id starting with a dot": ("retraction", {"id": ".gone", "target": "m-1", "reason": "r"}, "field 'id'"),
    "a target not a slug": ("retraction", {"id": "gone", "target": "M 1", "reason": "r"}, "field 'target'"),
    "a blank reason": ("retraction", {"id": "gone", "target": "m-1", "reason": "  "}, "field 'reason'"),
    "a record cited from a document": ("retraction", {"id": "gone", "target": "m-1", "reason": "r",
                                                       "sources": [{"source": "seed-000", "record": "r-1"}]},
                                       "field 'sources'"),
    "a blank quote": ("retraction", {"id": "gone", "target": "m-1", "reason": "r",
                                     "sources": [*CITED, {"source": "seed-000", "quote": " "}]}, "field 'sources'"),
    "a correction of the id": ("correction", {"id": "fix", "target": "m-1", "reason": "r", "changes": {"id": "m-9"}},
                               "field 'changes': cannot change 'id'"),
    "a correction of the type": ("correction", {"id": "fix", "target": "m-1", "reason": "r", "sources": CITED,
                                                "changes": {"type": "summit"}},
                                 "field 'changes': cannot change 'type'"),
}


@pytest.mark.parametrize("name", BAD_AMENDMENTS)
def test_a_stored_amendment_breaking_a_rule_is_refused_at_load(tmp_path: Path, name: str) -> None:
    """Amendments written behind append's back (chain intact) that break a rule of their own:
    loading refuses each, naming its line."""
    tag, data, problem = BAD_AMENDMENTS[name]
    first, digest = encode_record(1, ee.Instant.parse(T1), meeting(1), GENESIS)
    second, _ = forge_line(2, data, type_=tag, prev=digest)
    copy_registries(tmp_path)
    (tmp_path / "log.jsonl").write_bytes(first + second + b"\n")
    with pytest.raises(ee.InvalidEventError) as caught:
        ee.load(tmp_path)
    assert str(caught.value).startswith(f"{tmp_path / 'log.jsonl'}:2, ")
    assert problem in str(caught.value)


@pytest.mark.parametrize(("tag", "data"), [
    ("retraction", {"id": "gone", "target": "m-1", "reason": "r"}),
    ("retraction", {"id": "gone", "target": "m-1", "reason": "r", "sources": CITED}),
    ("correction", {"id": "fix", "target": "m-1", "reason": "r", "changes": {"title": "Fixed"}}),
    ("correction", {"id": "fix", "target": "m-1", "reason": "r", "sources": CITED, "changes": {"date": "2001"}}),
])
def test_the_fast_decoder_takes_valid_amendments_itself(tag: str, data: dict[str, Any]) -> None:
    """Valid corrections and retractions are decoded by the fast path, not declined to the full
    checks (a decline answers the same, slower: only the decoder shows it)."""
    from eurasia_events._engine.decode import RecordDecoder  # nothing public shows a decline

    log = ee.load()
    decoder = RecordDecoder(log.entities, log.sources)
    assert decoder.data(tag, data, 7) == (tag, data["id"], data["target"], 7)


def test_a_loaded_event_keeps_the_disputes_listed_after_a_refuted_one(tmp_path: Path) -> None:
    """A refuted (deprecated) dispute is left out of the answers, not the disputes listed after
    it: a loaded event's sketch is widened by a later disputed date, as the full event is."""
    disputes = [{"field": "title", "value": "x", "source": "seed-004", "rank": "deprecated"},
                {"field": "date", "value": "2012", "source": "seed-004"}]
    stored_log(tmp_path, meeting(1, date="2010-05-01", disputes=disputes))
    log = ee.load(tmp_path)
    [sketch] = log.sketches()
    assert sketch.span == log.get("m-1").span
    assert sketch.disputed_values("date") == ("2012",)
    assert sketch.disputed_values("title") == ()


def test_records_stamped_before_1970_are_kept_and_answer_known_at() -> None:
    """A recorded instant may precede the Unix epoch (an archive's own stamps): such records are
    taken in, and ``known_at`` on either side of the epoch sees the right ones."""
    log = new_log(ee.MemoryStore())
    log.append([meeting(1)], recorded="1969-12-31T00:00:00Z")
    log.append([meeting(2)], recorded="1970-01-02T00:00:00Z")
    assert titles(log, "1969-12-31T12:00:00Z") == {"m-1": "Meeting 1"}
    assert titles(log, "1970-01-03T00:00:00Z") == {"m-1": "Meeting 1", "m-2": "Meeting 2"}


def test_an_upcast_record_is_read_to_the_same_row_as_todays_without_the_full_decode(tmp_path: Path) -> None:
    """A schema-0 record, once upcast, is decoded by the fast decoder to the row a current
    record gives (a decline would answer the same, slower: only the engine's reader, ``log.engine.read``,
    shows it)."""
    items = (meeting(1), FIX, ee.Retraction(id="gone", target="m-1", reason="r"))
    schema0_log(tmp_path, *items)
    old = ee.load(tmp_path, upcasters={0: lambda type_, data: (type_, data)})
    current = stored_log(tmp_path / "current", *items)
    new = ee.load(current.parent)
    old_lines = (tmp_path / "log.jsonl").read_bytes().splitlines()
    for seq, (before, now) in enumerate(zip(old_lines, current.read_bytes().splitlines(), strict=True), start=1):
        upcast = old.engine.read(before, file="old", line=seq)
        assert upcast.row is not None
        assert upcast.row == new.engine.read(now, file="new", line=seq).row


@pytest.mark.parametrize("opt_in", [False, True])
def test_loading_freezes_the_collector_only_on_the_users_opt_in(tmp_path: Path, opt_in: bool) -> None:
    """In this process (the opt-in test in test_log.py runs a fresh interpreter on the installed
    package): a load with ``freeze_gc=True`` freezes what it made, one without does not."""
    stored_log(tmp_path, meeting(1), meeting(2), FIX)
    gc.unfreeze()
    try:
        log = ee.load(tmp_path, freeze_gc=opt_in)
        assert (gc.get_freeze_count() > 0) is opt_in
        assert gc.isenabled()
        assert titles(log, None) == {"m-1": "Fixed", "m-2": "Meeting 2"}
    finally:
        gc.unfreeze()


@pytest.mark.parametrize("opt_in", [False, True])
def test_a_later_checkpoint_build_freezes_only_on_the_users_opt_in(opt_in: bool) -> None:
    """The first query builds checkpoints up to its day; the next, further on, builds the rest
    (Index.state_at): with ``freeze_gc=True`` that long build is frozen too, without it not.
    Kills ``Index.__init___21`` (the index not told of the opt-in)."""
    from eurasia_events._engine import index

    with mock.patch.object(index, "CHECKPOINT_EVERY", 2), mock.patch.object(index, "_FREEZE_AFTER", 1):
        log = ee.load(freeze_gc=opt_in)
        log.as_of("1995-01-01").agreements()  # the index and the checkpoints up to 1995
        gc.unfreeze()
        try:
            log.as_of("2026-01-01").agreements()  # the checkpoints to the end
            assert (gc.get_freeze_count() > 0) is opt_in
            assert gc.isenabled()
        finally:
            gc.unfreeze()


def built_in_a_bulk_block(count: int, **options: Any) -> tuple[list[list[int]], set[int]]:
    """``count`` tracked objects made alive inside :func:`paused`, with the ids of the objects in
    the oldest generation just after it. A full collection first: the next one is then a young
    one, which moves nothing there (and the ids are read with the collector off)."""
    from eurasia_events._engine.gc import paused

    gc.collect()
    with paused(**options):
        made = [[n] for n in range(count)]
    collecting = gc.isenabled()
    gc.disable()
    try:
        oldest = {id(thing) for thing in gc.get_objects(generation=2)}
    finally:
        if collecting:
            gc.enable()
    return made, oldest


def test_a_bulk_block_that_leaves_many_objects_hands_them_to_the_oldest_generation() -> None:
    """Two young collections would scan them only to move them there (they are alive); a block
    that leaves few, or reads rows (``promote=False``: a young pass untracks exact tuples),
    leaves them to the collector. Nothing is left frozen, and the collector is enabled again."""
    from eurasia_events._engine.gc import PROMOTE_AFTER

    gc.unfreeze()  # nothing frozen, whatever ran before (the next test covers frozen objects)
    assert gc.isenabled()
    many, oldest = built_in_a_bulk_block(PROMOTE_AFTER + 1000)
    assert all(id(thing) in oldest for thing in many)
    assert not gc.get_freeze_count()
    assert gc.isenabled()
    for made, oldest in (built_in_a_bulk_block(100), built_in_a_bulk_block(PROMOTE_AFTER + 1000, promote=False)):
        assert not any(id(thing) in oldest for thing in made)


def test_a_bulk_block_that_made_containers_holding_many_entries_hands_them_to_the_oldest_generation() -> None:
    """One dict of many entries is one object for the collector's count, but a young collection
    reads every entry: counted with :func:`held` (here from a block inside the outer one, as
    the index's fold is made inside a view's), it is promoted as many objects would be; a
    block that counts none leaves it to the collector, and the next block starts from zero."""
    from eurasia_events._engine.gc import PROMOTE_AFTER, held, paused

    def made(count: int) -> tuple[dict[int, list[int]], set[int]]:
        gc.collect()
        with paused(), paused():  # counted inside an inner block, promoted by the outer one
            shared: list[int] = []  # tracked: so is the dict, two objects in all
            found = dict.fromkeys(range(PROMOTE_AFTER + 1000), shared)
            held(count)
        gc.disable()
        try:
            return found, {id(thing) for thing in gc.get_objects(generation=2)}
        finally:
            gc.enable()

    gc.unfreeze()
    big, oldest = made(len(range(PROMOTE_AFTER + 1000)))
    assert id(big) in oldest
    for left, oldest in (made(0), made(100)):
        assert id(left) not in oldest


def test_the_index_counts_the_entries_of_each_fold_it_makes() -> None:
    """The fold a query makes is a few dicts of every key: their entries are counted for the
    collector (see the test above), once per fold made."""
    from eurasia_events._engine import index

    log = log_of(*[ee.TreatySigned(id=f"s-{n}", date=f"{2000 + n}-01-01", title="t", sources=Q, agreement=f"s-{n}")
                   for n in range(8)])
    with mock.patch.object(index, "held", wraps=index.held) as counted:
        log.as_of("2030-01-01").agreements()
        log.as_of("2030-01-01").agreements()
    assert [call.args for call in counted.call_args_list] == [(8,)]


def test_a_bulk_block_leaves_what_the_user_froze_frozen_and_a_disabled_collector_alone() -> None:
    """Moving objects by freezing and unfreezing would release the user's frozen ones: with any
    frozen the block moves nothing; with the collector disabled by the user it stays so."""
    from eurasia_events._engine.gc import PROMOTE_AFTER

    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        made, oldest = built_in_a_bulk_block(PROMOTE_AFTER + 1000)
        assert gc.get_freeze_count() == frozen
        assert not any(id(thing) in oldest for thing in made)
    finally:
        gc.unfreeze()
    gc.disable()
    try:
        made, oldest = built_in_a_bulk_block(PROMOTE_AFTER + 1000)
        assert not gc.isenabled()
        assert not any(id(thing) in oldest for thing in made)
    finally:
        gc.enable()


def test_loading_leaves_its_rows_to_a_young_pass_rather_than_the_oldest_generation(tmp_path: Path) -> None:
    """Rows are exact tuples of text and numbers: the first young collection untracks them, so
    the load does not move them to the oldest generation, where they would stay tracked until a
    full collection (``promote=False``; 12,000 rows, over the threshold)."""
    copy_registries(tmp_path)
    new_log(ee.FileStore(tmp_path / "log.jsonl")).append([meeting(n) for n in range(12_000)])
    gc.unfreeze()
    gc.collect()
    rows = ee.load(tmp_path).engine.rows()
    gc.disable()
    try:
        oldest = {id(thing) for thing in gc.get_objects(generation=2)}
    finally:
        gc.enable()
    assert len(rows) == 12_000
    assert not any(id(row) in oldest for row in rows)


def supply_data(capacity: str) -> dict[str, Any]:
    """The JSON data of a route's first gas with ``capacity`` (written as is, unchecked)."""
    event = ee.SupplyStarted(id="first", date="2019-12-02", title="first gas", sources=Q, commodity="pipeline_gas",
                             route="power-of-siberia", capacity="38 bcm/yr")
    data: dict[str, Any] = json.loads(encode_record(1, ee.Instant.parse(T1), event, GENESIS)[0])["data"]
    return {**data, "capacity": capacity}


@pytest.mark.parametrize("capacity", ["38 km", "0 bcm/yr", "-5 bcm/yr", "lots"])
def test_a_stored_figure_of_the_wrong_kind_or_not_positive_is_refused_at_load(tmp_path: Path, capacity: str) -> None:
    """A capacity in another dimension, zero, negative or not a figure, written behind append's
    back: loading refuses it, naming the line and the field."""
    line, _ = forge_line(1, supply_data(capacity), type_="supply_started")
    copy_registries(tmp_path)
    (tmp_path / "log.jsonl").write_bytes(line + b"\n")
    with pytest.raises(ee.InvalidEventError) as caught:
        ee.load(tmp_path)
    assert str(caught.value).startswith(f"{tmp_path / 'log.jsonl'}:1, event 'first', field 'capacity': ")


@pytest.mark.parametrize("capacity", ["38 bcm/yr", "1 bcm/yr", "0.5 bcm/yr"])
def test_the_fast_decoder_takes_valid_figures_itself(capacity: str) -> None:
    """Positive figures of the right dimension (small ones too, and one seen before: 38) are decoded
    by the fast path, not declined to the full checks (only the decoder shows a decline)."""
    from eurasia_events._engine.decode import RecordDecoder  # nothing public shows a decline

    log = ee.load()
    decoder = RecordDecoder(log.entities, log.sources)
    decoder.data("supply_started", supply_data("38 bcm/yr"), 1)
    row = decoder.data("supply_started", supply_data(capacity), 2)
    assert row is not None
    assert capacity in row


DROP = object()


@pytest.mark.parametrize(("changes", "field"), [
    ({"title": ""}, "title"), ({"title": "  "}, "title"), ({"sources": []}, "sources"),
    ({"date": None}, "date"), ({"kind": "chat"}, "kind"), ({"parties": ["RU", "RU"]}, "parties"),
    ({"kind": DROP}, "kind"), ({"title": DROP}, "title"),
])
def test_a_stored_event_missing_what_is_required_is_refused_at_load(
        tmp_path: Path, changes: dict[str, Any], field: str) -> None:
    """An event written behind append's back with an empty or blank required text, an empty
    required list, a missing date, a kind outside the choices or an entity listed twice:
    loading refuses it, naming the line, the event and the field (``DROP``: the field left out)."""
    data = {key: value for key, value in {**meeting_data(1), **changes}.items() if value is not DROP}
    del data["type"]
    line, _ = forge_line(1, data)
    copy_registries(tmp_path)
    (tmp_path / "log.jsonl").write_bytes(line + b"\n")
    with pytest.raises(ee.InvalidEventError) as caught:
        ee.load(tmp_path)
    assert str(caught.value).startswith(f"{tmp_path / 'log.jsonl'}:1, event 'm-1', field '{field}': ")


def test_the_fast_decoder_takes_every_record_of_the_bundled_log_itself() -> None:
    """Every record of the bundled log (events of many types, with optional fields left out,
    disputes, amendments) is decoded by the fast path, none declined to the full checks
    (a decline answers the same, slower: only the decoder shows it)."""
    from eurasia_events._engine.decode import RecordDecoder  # nothing public shows a decline

    log = ee.load()
    decoder = RecordDecoder(log.entities, log.sources)
    lines = (ee.bundled_path() / "log.jsonl").read_bytes().splitlines()
    assert [n for n, raw in enumerate(lines, start=1) if decoder.line(raw) is None] == []
    assert len(lines) == len(log)


@pytest.mark.parametrize(("changes", "field"), [({"imposer": "atlantis"}, "imposer"), ({"targets": []}, "targets")])
def test_a_stored_measure_with_an_unknown_imposer_or_no_target_is_refused_at_load(
        tmp_path: Path, changes: dict[str, Any], field: str) -> None:
    """A single entity not in the registry, and an empty required entity list, written behind
    append's back: loading refuses them, naming the line, the event and the field."""
    data = json.loads(encode_record(1, ee.Instant.parse(T1), measure(), GENESIS)[0])["data"]
    line, _ = forge_line(1, {**data, **changes}, type_="sanctions_imposed")
    copy_registries(tmp_path)
    (tmp_path / "log.jsonl").write_bytes(line + b"\n")
    with pytest.raises(ee.InvalidEventError) as caught:
        ee.load(tmp_path)
    assert str(caught.value).startswith(f"{tmp_path / 'log.jsonl'}:1, event 'm', field '{field}': ")


@pytest.mark.parametrize("snapshot_every", [32, 1])
@pytest.mark.parametrize("retro_year", [2011, 2013, 2015, 2017])
def test_a_retroactive_ratification_is_patched_from_the_checkpoint_before_it(retro_year: int,
                                                                              snapshot_every: int) -> None:
    """Ratifications of one treaty in several stretches of checkpoints (one every 2 events),
    then one more dated between them: the patch refolds from the checkpoint just before it,
    so the ratifications before it are neither lost nor listed twice, on every day, as in a fresh log.
    Also with every checkpoint a full copy of the state (the later ratifications found in the
    stretches of snapshots)."""
    items = ratified_treaty(("RU", 2012), ("CN", 2014), ("KZ", 2016))
    log = checkpointed(*items, snapshot_every=snapshot_every)
    late = ratification("KG", f"{retro_year}-06-01", id="r-late")
    log.append([late])
    fresh = log_of(*items, late)
    for day in ("2012-06-01", "2014-06-01", "2016-06-01", "2018-01-01"):
        assert answers(log.as_of(day)) == answers(fresh.as_of(day))


def test_an_inserted_event_is_listed_as_it_comes_moves_and_goes() -> None:
    """A ratification inserted between checkpoints (in no stretch's delta), then corrected to a
    later day, then retracted; after each, one more dated before it: each refold finds it where
    it is (once), and after its retraction neither it nor the event that took its place in fold
    order (the 2014 ratification, then folded twice), as in a fresh log."""
    items = ratified_treaty(("RU", 2012), ("CN", 2014))
    log = checkpointed(*items)
    inserted = ratification("KZ", "2013-06-01", id="r-x")
    moved = attrs.evolve(inserted, date=ee.PartialDate.parse("2013-07-01"))
    steps = [([inserted, ratification("KG", "2011-06-01", id="r-y")], [inserted]),
             ([ee.Correction(id="fix", target="r-x", reason="r", changes={"date": "2013-07-01"}),
               ratification("AM", "2010-06-01", id="r-z")], [moved]),
             ([ee.Retraction(id="no-x", target="r-x", reason="r"), ratification("BY", "2012-06-01", id="r-v")], [])]
    appended: list[ee.Event] = []
    for step, alive in steps:
        for item in step:
            log.append([item])
        appended += [item for item in step if isinstance(item, ee.Ratified) and item is not inserted]
        fresh = log_of(*items, *alive, *appended)
        for day in ("2012-06-01", "2013-12-01", "2014-06-01", "2016-06-01"):
            assert answers(log.as_of(day)) == answers(fresh.as_of(day))


def test_a_correction_that_keeps_an_events_place_then_its_retraction_refold_each_event_once() -> None:
    """A ratification corrected without moving in fold order (its body, not its date) is found
    in the stretch its first version wrote, as the correction adds it: listed once, so its
    retraction leaves no trace of it, and the next ratification is not folded in its place
    (twice), as in a fresh log."""
    items = ratified_treaty(("CN", 2012), ("KZ", 2014))
    corrected = ratification("RU", "2012-01-02")  # just before the next ratification, in its stretch
    log = checkpointed(*items[:4], corrected, *items[4:])
    log.append([ee.Correction(id="fix", target="r-ru", reason="r", changes={"body": "duma"})])
    log.append([ee.Retraction(id="no-ru", target="r-ru", reason="r")])
    fresh = log_of(*items)
    for day in ("2012-06-01", "2014-06-01", "2016-06-01"):
        assert answers(log.as_of(day)) == answers(fresh.as_of(day))


def test_a_key_listed_before_later_checkpoints_were_built_is_listed_on_into_them() -> None:
    """A first query builds checkpoints only to its day; a retroactive ratification then lists
    the treaty's events up to there. Once later queries build the rest, a second one (dated
    after it) finds the ratifications in the stretches built since, as in a fresh log."""
    items = ratified_treaty(("RU", 2012), ("CN", 2014), ("KZ", 2016))
    log = new_log(ee.MemoryStore())
    log.append(items)
    with mock.patch("eurasia_events._engine.index.CHECKPOINT_EVERY", 2):
        log.as_of("2012-06-01").agreements()
    built = log.engine.index().bounds[:]
    first = ratification("KG", "2011-06-01", id="r-a")
    log.append([first])
    log.as_of("2040-01-01").agreements()
    log.as_of("2041-01-01").agreements()  # a second query builds to the end
    assert len(log.engine.index().bounds) > len(built)
    second = ratification("AM", "2012-06-01", id="r-b")
    log.append([second])
    fresh = log_of(*items, first, second)
    for day in ("2012-06-01", "2014-06-01", "2016-06-01", "2018-01-01"):
        assert answers(log.as_of(day)) == answers(fresh.as_of(day))


def test_an_earlier_retroactive_change_extends_the_touching_map_back_to_it() -> None:
    """The events touching each key are listed from the first retroactive change on; a later
    change dated earlier lists those in between too, in order before those listed already: the
    treaty's ratifications on both sides of the first change are refolded, as in a fresh log."""
    signed = ee.TreatySigned(id="t", date="2010-01-01", title="t", sources=Q, agreement="t")
    other = ee.TreatySigned(id="u", date="2010-01-02", title="u", sources=Q, agreement="u")
    ratified = [ee.Ratified(id=f"r-{party.lower()}", date=f"{year}-02-01", title="r", sources=Q, agreement="t",
                            party=party, body="parliament")
                for party, year in (("RU", 2012), ("CN", 2014), ("AM", 2017))]
    items = [signed, other, *fillers(3, 2011), ratified[0], *fillers(3, 2013), ratified[1], *fillers(3, 2015),
             ratified[2], *fillers(3, 2017)]
    log = checkpointed(*items)
    late = ee.Ratified(id="r-late", date="2016-06-01", title="r", sources=Q, agreement="u", party="KZ",
                       body="parliament")
    early = ee.Ratified(id="r-early", date="2011-06-01", title="r", sources=Q, agreement="t", party="KG",
                        body="parliament")
    middle = ee.Ratified(id="r-middle", date="2013-06-01", title="r", sources=Q, agreement="t", party="BY",
                         body="parliament")
    for event in (late, early, middle):  # the last refolds from a checkpoint inside what the second listed
        log.append([event])
    fresh = log_of(*items, late, early, middle)
    for day in ("2011-12-01", "2012-06-01", "2013-12-01", "2014-06-01", "2016-12-01", "2018-01-01"):
        assert answers(log.as_of(day)) == answers(fresh.as_of(day))


def test_a_retroactive_change_reads_only_the_stretches_that_wrote_its_keys() -> None:
    """Twenty agreements signed a year apart (a checkpoint every two). A new agreement dated in
    2017 reads no other event (no stretch wrote its key: a pass over the log cost 0.65-0.8 s at
    a million); an entry into force of the 2003 one, dated just after it, reads only the stretch
    that wrote that agreement (signed 2002 and 2003); a second one reads none again (the events
    touching the key are kept): only the events it refolds."""
    from eurasia_events._engine import index
    from eurasia_events.projections import touched

    items = [ee.TreatySigned(id=f"s-{n}", date=f"{2000 + n}-01-01", title="t", sources=Q, agreement=f"s-{n}")
             for n in range(20)]
    log = checkpointed(*items)
    late = [ee.TreatySigned(id="late", date="2017-06-01", title="t", sources=Q, agreement="late"),
            ee.EnteredIntoForce(id="f-3", date="2003-06-01", title="f", sources=Q, agreement="s-3"),
            ee.EnteredIntoForce(id="f-3b", date="2003-07-01", title="f", sources=Q, agreement="s-3")]
    expected = ({"late"}, {"f-3", "s-2", "s-3"}, {"f-3b", "f-3", "s-3"})
    for event, read in zip(late, expected, strict=True):
        with mock.patch.object(index, "touched", wraps=touched) as asked:
            log.append([event])
        assert {call.args[0][1] for call in asked.call_args_list} == read
    assert answers(log.as_of("2020-01-01")) == answers(log_of(*items, *late).as_of("2020-01-01"))


def test_an_event_on_a_retracted_agreement_is_patched_from_the_agreement_being_gone() -> None:
    """A treaty retracted after checkpoints were built (its key patched as gone from the later
    ones), then an entry into force naming it appended, dated after some of them: the patch
    starts from the treaty being gone, as in a fresh log without it (a stub agreement)."""
    signed = ee.TreatySigned(id="t", date="2010-01-01", title="t", sources=Q, agreement="t")
    others = [*fillers(3, 2011), *fillers(3, 2013), *fillers(3, 2015)]
    log = checkpointed(signed, *others)
    log.append([ee.Retraction(id="no-t", target="t", reason="r")])
    force = ee.EnteredIntoForce(id="f", date="2014-02-01", title="f", sources=Q, agreement="t")
    log.append([force])
    fresh = log_of(*others, force)
    for day in ("2012-06-01", "2014-06-01", "2016-06-01"):
        assert answers(log.as_of(day)) == answers(fresh.as_of(day))


def growing_state(count: int) -> list[ee.Event]:
    """``count`` sanctions measures imposed on successive days from 1990, every tenth event an
    extension of the first (one key written again and again, in many stretches)."""
    first = dt.date(1990, 1, 1).toordinal()
    items: list[ee.Event] = []
    for n in range(count):
        day = dt.date.fromordinal(first + n).isoformat()
        if n % 10 == 9:
            items.append(ee.SanctionsExtended(id=f"x{n}", date=day, title="more", sources=Q, measure="m0",
                                              until=dt.date.fromordinal(first + n + 400).isoformat()))
        else:
            items.append(ee.SanctionsImposed(id=f"m{n}", measure=f"m{n}", date=day, title="package", sources=Q,
                                             imposer="eu", targets=["RU"], description="d", until="2040-01-01"))
    return items


def keys_held(state: Any) -> int:
    return sum(map(len, attrs.astuple(state, recurse=False)))


def test_full_copies_of_the_state_grow_apart_as_the_state_grows() -> None:
    """A full copy waits until the stretches since the last one wrote half the state's keys (here
    at least one checkpoint apart): together the copies hold at most three times the final state
    (one copy per checkpoint would hold about 90,000 keys here: quadratic in the log), and the
    answers are a fresh log's."""
    items = growing_state(600)
    with mock.patch("eurasia_events._engine.index.CHECKPOINT_EVERY", 2), \
            mock.patch("eurasia_events._engine.index.SNAPSHOT_EVERY", 1):
        log = log_of(*items)
        log.as_of("2040-01-01").agreements()
        log.as_of("2041-01-01").agreements()  # a second query builds to the end
    index = log.engine.index()
    final = keys_held(log.as_of("2041-01-01").fold)
    assert final >= 540
    assert 8 <= len(index.snapshots) < 100
    assert sum(keys_held(s) for s in index.snapshots) <= 3 * final
    fresh = log_of(*items)
    for day in ("1990-03-01", "1990-09-09", "1991-04-01", "1991-08-20", "2030-01-01"):
        assert answers(log.as_of(day)) == answers(fresh.as_of(day))


def test_a_query_merges_runs_of_deltas_as_one_layer_each() -> None:
    """From a snapshot on, each run of MERGE_EVERY deltas is kept as one merged layer (later
    writes winning, as one after the other), made where the run ends: a query far from the last
    snapshot reads a few layers, not one per checkpoint, and answers as a fresh log."""
    items = growing_state(300)
    with mock.patch("eurasia_events._engine.index.CHECKPOINT_EVERY", 2), \
            mock.patch("eurasia_events._engine.index.SNAPSHOT_EVERY", 1000), \
            mock.patch("eurasia_events._engine.index.MERGE_EVERY", 4):
        log = log_of(*items)
        log.as_of("2040-01-01").agreements()
        log.as_of("2041-01-01").agreements()
    index = log.engine.index()
    assert index.snapshot_slots == [0]  # the empty state's only: every checkpoint is read through deltas
    last = len(index.bounds) - 1
    assert last >= 140
    layers = index.day(dt.date(2041, 1, 1).toordinal()).layers
    assert len(layers) <= 3 + last // 4 + 1  # single deltas of the last run, the runs, the snapshot
    # A merged layer only where a run ends (one at every checkpoint would hold 4 times the deltas).
    assert [slot for slot, layer in enumerate(index.merged) if layer is not None] == list(range(4, last + 1, 4))
    fresh = log_of(*items)
    for day in ("1990-02-11", "1990-05-02", "1990-08-30", "1991-01-01", "2030-01-01"):
        assert answers(log.as_of(day)) == answers(fresh.as_of(day))


def test_checkpoints_built_again_after_a_drop_take_full_copies_where_a_fresh_index_does() -> None:
    """A change past the refold limit drops the later checkpoints; built again, they take their
    full copies where a fresh index of the same events does (the keys written since the last
    copy counted from the checkpoints kept), and answer as a fresh log."""
    items = growing_state(200)
    fix = ee.Correction(id="fix", target="m0", reason="r", changes={"until": "1990-06-01"})  # m0: extended often
    spacing = (mock.patch("eurasia_events._engine.index.CHECKPOINT_EVERY", 2),
               mock.patch("eurasia_events._engine.index.SNAPSHOT_EVERY", 1))
    with spacing[0], spacing[1]:
        log, fresh = log_of(*items), log_of(*items)
        log.as_of("2040-01-01").agreements()
        log.as_of("2041-01-01").agreements()
        built = len(log.engine.index().bounds)
        with mock.patch("eurasia_events._engine.index._REFOLD_LIMIT", 2):
            log.append([fix])
        assert len(log.engine.index().bounds) < built  # dropped, not patched
        fresh.append([fix])
        for each in (log, fresh):
            each.as_of("2040-01-01").agreements()
            each.as_of("2041-01-01").agreements()
    assert len(log.engine.index().snapshot_slots) > 3
    assert log.engine.index().snapshot_slots == fresh.engine.index().snapshot_slots
    for day in ("1990-01-05", "1990-04-01", "2030-01-01"):
        assert answers(log.as_of(day)) == answers(fresh.as_of(day))


def test_the_engine_drops_its_sorted_rows_once_the_index_holds_them_and_copies_them_when_asked() -> None:
    """Building the query index drops the engine's own sorted list (the index keeps one: 8 bytes a
    record); asked again, the engine copies the index's, in the same fold order, and a list handed
    out stays as it was when a retroactive event comes."""
    items = [*fillers(6, 2010), *fillers(6, 2012)]
    log = log_of(*items)
    before = log.engine.rows()
    log.as_of("2030-01-01").agreements()
    again = log.engine.rows()
    assert again == before
    assert again is not before  # made again from the index's: the first was let go
    retro = meeting(200, id="retro", date="2011-06-01")
    log.append([retro])
    assert again == before  # a list handed out is never changed
    now = log.engine.rows()
    assert [row[1] for row in now] == [row[1] for row in log_of(*items, retro).engine.rows()]
    assert "retro" in {row[1] for row in now}


def memoranda(count: int, year: int, *, parties: tuple[str, ...] = ("RU", "CN")) -> list[ee.Event]:
    return [ee.Memorandum(id=f"mou-{year}-{n}", date=f"{year}-0{1 + n % 9}-1{n % 9}", title=f"mou {n}", sources=Q,
                          agreement=f"mou-{year}-{n}", parties=list(parties)) for n in range(count)]


@pytest.mark.parametrize("between", [(), ("2011-06-01", "2013-01-01", "2010-03-01")])
def test_a_day_asked_again_after_a_retroactive_change_brings_its_agreement_counts_up_to_date(
        between: tuple[str, ...]) -> None:
    """On a day asked before, the agreements shown, the status tally and the sanctions count are
    what the fold before them gave, with the keys the change touched taken out and put back
    (State._patched): no pass over every agreement, and the answers of a plain fold. Other days
    asked in between (their folds made after the day's) keep their own answers apart."""
    from eurasia_events.query import State

    items = [*memoranda(30, 2010), *memoranda(10, 2012, parties=("RU", "KZ")),
             ee.SanctionsImposed(id="swift", date="2014-03-02", title="SWIFT", sources=Q, measure="swift",
                                 imposer="eu", targets=["vtb"], description="SWIFT ban")]
    log = checkpointed(*items)
    day = "2030-01-01"
    before = log.as_of(day)
    for view in (before.agreements(), before.agreements(party="KZ"), before.agreements(status="signed"),
                 before.summary()):
        len(view)
    sizes: list[tuple[State, int]] = []
    chosen = State._chosen

    def counted(state: State, rows: Any, *options: Any) -> Any:
        rows = list(rows)
        sizes.append((state, len(rows)))
        return chosen(state, rows, *options)

    changes = [ee.Memorandum(id="late", date="2011-02-02", title="late", sources=Q, agreement="late",
                             parties=["RU", "KZ"]),
               ee.Correction(id="fix", target="mou-2010-3", reason="KZ signed too", changes={"parties": ["RU", "KZ"]}),
               ee.Retraction(id="gone", target="mou-2012-4", reason="never signed"),
               ee.SanctionsLifted(id="lift", date="2015-01-01", title="lifted", sources=Q, measure="swift")]
    with mock.patch.object(State, "_chosen", counted):
        for change in changes:
            log.append([change])
            for other in between:
                asked(log, other)
            sizes.clear()
            after, plain = log.as_of(day), State(log, day, naive=True)
            for options in ({}, {"party": "KZ"}, {"status": "signed"}):
                assert after.agreements(**options).to_records() == plain.agreements(**options).to_records()
                assert after.agreements(**options).count == plain.agreements(**options).count
            assert after.summary().to_records() == plain.summary().to_records()
            read = [size for state, size in sizes if state is after]
            assert read, "agreements() read no rows"
            assert max(read) <= 1, read  # the changed agreement's rows only, in the fold before and now


def asked(log: ee.Log, day: str) -> None:
    """Ask ``day``'s agreements, checked against a plain fold."""
    from eurasia_events.query import State

    assert log.as_of(day).agreements().to_records() == State(log, day, naive=True).agreements().to_records()


def worked_out_again(log: ee.Log, day: str, change: ee.Event | ee.Amendment, *between: str) -> int:
    """How many agreements ``agreements()`` on ``day`` reads after it was asked, then ``change``
    appended, then the days ``between`` asked (checked against a plain fold, as ``day`` is)."""
    from eurasia_events.query import State

    len(log.as_of(day).agreements())
    log.append([change])
    for other in between:
        asked(log, other)
    read: list[int] = []
    chosen = State._chosen

    def counted(state: State, rows: Any, *options: Any) -> Any:
        rows = list(rows)
        read.append(len(rows))
        return chosen(state, rows, *options)

    with mock.patch.object(State, "_chosen", counted):
        after = log.as_of(day).agreements()
    assert after.to_records() == State(log, day, naive=True).agreements().to_records()
    return max(read, default=0)


def test_the_memo_keeps_the_days_asked_last_and_works_a_day_out_again_once_it_is_dropped() -> None:
    """Of the days asked, the memo keeps the last few (3 here): a day asked again after two others
    is patched; after three others it is worked out again from every agreement. Asking a day
    keeps it longer: the day least recently asked goes first. Fewer days are kept when they hold
    more than so many entries together (15 here: each day holds a list of 21 agreements shown)
    but the last asked."""
    log = checkpointed(*memoranda(20, 2010), *fillers(6, 2012))
    day, late = "2030-01-01", ee.Memorandum(id="late", date="2011-02-02", title="late", sources=Q, agreement="late")

    def fix(n: int) -> ee.Correction:
        return ee.Correction(id=f"fix-{n}", target=f"mou-2010-{n}", reason="r", changes={"title": "fixed"})

    with mock.patch("eurasia_events.query._DAYS_KEPT", 3):
        assert worked_out_again(log, day, late, "2011-06-01", "2013-01-01") == 1
        assert worked_out_again(log, day, fix(1), "2011-06-01", "2013-01-01", "2010-03-01") == 21
        len(log.as_of("2015-01-01").agreements())  # the day is now asked second to last
        assert worked_out_again(log, day, fix(2), "2016-01-01", "2017-01-01") == 1
    with mock.patch("eurasia_events.query._ENTRIES_KEPT", 15):
        assert worked_out_again(log, day, fix(3)) == 1  # no other day asked: the last is always kept
        assert worked_out_again(log, day, fix(4), "2018-01-01", "2019-01-01") == 21


def test_a_day_whose_checkpoint_was_dropped_since_it_was_asked_is_worked_out_again() -> None:
    """A change refolding too many events drops the later checkpoints (see above): the layers the
    fold a day was asked on was made of are gone but the first full copy of the state, which the
    new fold shares; nothing is patched from it."""
    imposed = ee.SanctionsImposed(id="m", date="2014-01-01", title="package", sources=Q, measure="m", imposer="eu",
                                  targets=["RU"], description="d", until="2014-12-31")
    later = [ee.SanctionsExtended(id=f"x{n}", date=f"{2015 + n}-01-01", title="more", sources=Q, measure="m",
                                  until=f"{2015 + n}-12-31") for n in range(4)]
    log = checkpointed(*memoranda(8, 2010), imposed, *fillers(2, 2014), *later, *fillers(4, 2020))
    fix = ee.Correction(id="fix", target="m", reason="r", changes={"targets": ["RU", "sberbank"]})
    with mock.patch("eurasia_events._engine.index._REFOLD_LIMIT", 2):
        assert worked_out_again(log, "2030-01-01", fix, "2011-06-01") == 8


def deliveries(id_: str, date: str, commodity: str) -> ee.SupplyStarted:
    return ee.SupplyStarted(id=id_, date=date, title=id_, sources=Q, route="power-of-siberia", commodity=commodity)


def test_what_changed_since_a_fold_gives_each_key_its_value_in_that_fold() -> None:
    """DayView.changes names the keys a later fold may hold differently, each with its value in
    the earlier fold, worked out from what that fold was made of once it is gone: here the
    route's project, whose stages there came from deliveries folded after the checkpoint, which
    read the pipeline gas already delivered (a second start on a route is a level, not an opening)."""
    log = checkpointed(deliveries("gas", "2012-01-01", "pipeline_gas"), *fillers(5, 2013),
                       deliveries("more-gas", "2020-01-01", "pipeline_gas"), deliveries("lng", "2021-01-01", "lng"))
    day = dt.date(2030, 1, 1).toordinal()
    before = log.engine.day(day).made
    assert [row[1] for row in before.since] == ["more-gas", "lng"]  # folded on top of the last checkpoint
    earlier, basis = before.state, before.basis()
    log.append([ee.SupplyLevel(id="early-lng", date="2015-01-01", title="lng", sources=Q, commodity="lng",
                               route="power-of-siberia", stage="ramp_up", level="1 Mt/yr")])
    changed = log.engine.day(day).changes(basis)
    assert changed is not None
    assert "power-of-siberia" in changed["projects"]
    for name, values in changed.items():
        for key, value in values.items():
            assert value == getattr(earlier, name).get(key), (name, key)


def delivered_contract() -> list[ee.Event]:
    """Memoranda, a contract whose five-year term runs from the start of deliveries on its route,
    which began in June 2012 (expired in 2017), with milestones of the route's project, and one
    on a route with no deliveries recorded (its term not yet run)."""
    contract = ee.SupplyContract(id="c", date="2010-01-01", title="c", sources=Q, agreement="c", seller="gazprom",
                                 buyer="cnpc", commodity="pipeline_gas", annual_volume="5 bcm/yr", term="5 years",
                                 route="power-of-siberia", start="2012", term_from="start", in_force_on_signature=True)
    opened = ee.SupplyStarted(id="d", date="2012-06-01", title="d", sources=Q, route="power-of-siberia",
                              commodity="pipeline_gas")
    built = [ee.ProjectMilestone(id=f"m-{year}", date=f"{year}-05-05", title="m", sources=Q, project="power-of-siberia",
                                 stage="construction_started") for year in (2011, 2013, 2014)]
    shipped = ee.SupplyContract(id="c2", date="2010-01-01", title="c2", sources=Q, agreement="c2", seller="novatek",
                                buyer="cnpc", commodity="lng", annual_volume="3 Mt/yr", term="3 years",
                                route="yamal-lng", start="2012", term_from="start", in_force_on_signature=True)
    return [*memoranda(5, 2009), contract, shipped, *fillers(4, 2011), opened, *built, *fillers(4, 2013)]


@pytest.mark.parametrize(("change", "patched"), [
    (ee.ProjectMilestone(id="retro", date="2010-05-05", title="m", sources=Q, project="power-of-siberia",
                         stage="proposed"), True),
    (ee.SupplyLevel(id="retro", date="2013-01-01", title="level", sources=Q, route="power-of-siberia",
                    commodity="pipeline_gas", stage="ramp_up", level="10 bcm/yr"), True),
    (ee.SupplyStarted(id="retro", date="2016-01-01", title="later", sources=Q, route="power-of-siberia",
                      commodity="pipeline_gas"), True),
    (ee.SupplyStarted(id="retro", date="2015-01-01", title="earlier", sources=Q, route="power-of-siberia",
                      commodity="pipeline_gas"), True),
    (ee.SupplyStarted(id="retro", date="2011-01-01", title="earliest", sources=Q, route="power-of-siberia",
                      commodity="pipeline_gas"), False),
    (ee.SupplyLevel(id="retro", date="2013-01-01", title="level", sources=Q, route="yamal-lng", commodity="lng",
                    stage="plateau", level="5 Mt/yr"), False),
], ids=["milestone", "level", "second-opening", "opening-after", "opening-moved", "levels-only"])
def test_a_change_to_the_supply_state_that_leaves_each_routes_opening_keeps_the_agreements_patched(
        change: ee.Event, patched: bool) -> None:
    """A retroactive milestone of a route's project refolds the route's deliveries with it (the
    same event touches both): their state is made again, with the same opening. A level reached,
    or a later delivery event, changes the state but not its opening. None of them moves a term,
    so the agreements shown on a day asked before are patched (no agreement read again); an
    earlier opening moves the contract's term, and so do levels on a route that had no state (its
    term then runs from its planned start): every agreement is worked out again (the answers
    checked against a plain fold each time)."""
    log = checkpointed(*delivered_contract())
    assert worked_out_again(log, "2016-06-01", change) == (0 if patched else 7)


def founded_union() -> list[ee.Event]:
    """A union founded by a treaty in force from 2015, joined by Armenia, beside a delivered contract."""
    return [ee.TreatySigned(id="sign", date="2014-05-29", title="union", sources=Q, agreement="union", kind="treaty",
                            parties=["RU", "BY", "KZ"], founds="eaeu"),
            ee.EnteredIntoForce(id="force", date="2015-01-01", title="in force", sources=Q, agreement="union"),
            ee.MembershipJoined(id="am", date="2015-01-02", title="Armenia", sources=Q, organisation="eaeu",
                                member="AM"),
            *delivered_contract()]


@pytest.mark.parametrize(("change", "again"), [
    (ee.Memorandum(id="retro", date="2011-02-02", title="late", sources=Q, agreement="retro"), set()),
    (ee.SupplyLevel(id="retro", date="2013-01-01", title="level", sources=Q, route="power-of-siberia",
                    commodity="pipeline_gas", stage="ramp_up", level="10 bcm/yr"), {"supply"}),
    (ee.Correction(id="retro", target="sign", reason="Kyrgyzstan too", changes={"parties": ["RU", "BY", "KZ", "KG"]}),
     {"founding"}),
    (ee.TreatySigned(id="retro", date="2013-01-01", title="union 2", sources=Q, agreement="union-2", kind="treaty",
                     parties=["RU", "AM"], founds="eaeu", in_force_on_signature=True), {"founding"}),
], ids=["memorandum", "level", "founding-corrected", "founding-added"])
def test_a_day_asked_again_keeps_the_supply_lines_and_founding_treaties_no_change_touched(
        change: ee.Event | ee.Amendment, again: set[str]) -> None:
    """What the supply view reads off the supply state, and the founding treaties the members
    view reads, are kept for a day asked before when a retroactive change touches neither; worked
    out again when it touches them. Every view answers as a plain fold."""
    from eurasia_events.query import State

    log = checkpointed(*founded_union())
    day = "2016-06-01"
    before = log.as_of(day)
    len(before.summary()), len(before.supply()), len(before.members("eaeu"))
    log.append([change])
    made: list[str] = []
    lines, founding = State._supply_lines_now, State._founding_now

    def counted_lines(state: State) -> Any:
        made.append("supply")
        return lines(state)

    def counted_founding(state: State, organisation: str) -> Any:
        made.append("founding")
        return founding(state, organisation)

    with mock.patch.object(State, "_supply_lines_now", counted_lines), \
            mock.patch.object(State, "_founding_now", counted_founding):
        after = log.as_of(day)
        shown = answers(after), after.summary().to_records()
    plain = State(log, day, naive=True)
    assert shown == (answers(plain), plain.summary().to_records())
    assert set(made) == again


def volume_documents() -> list[ee.Event]:
    """Two gas contracts, a protocol implementing 4 bcm/yr of the first, an oil contract and memoranda."""
    def contract(name: str, year: int, commodity: str, volume: str) -> ee.SupplyContract:
        return ee.SupplyContract(id=name, date=f"{year}-01-01", title=name, sources=Q, agreement=name,
                                 seller="gazprom", buyer="cnpc", commodity=commodity, annual_volume=volume,
                                 in_force_on_signature=True)

    protocol = ee.Memorandum(id="p", date="2011-06-01", title="protocol", sources=Q, agreement="p")
    implements = ee.AgreementRelated(id="p-a", date="2011-06-01", title="implements", sources=Q, agreement="p",
                                     relation="implements", earlier="a", part="4 bcm/yr")
    return [*memoranda(5, 2009), contract("a", 2010, "pipeline_gas", "10 bcm/yr"),
            contract("b", 2012, "pipeline_gas", "5 bcm/yr"), protocol, implements,
            contract("o", 2010, "oil", "3 Mt/yr"), *fillers(6, 2013)]


@pytest.mark.parametrize(("change", "again"), [
    (ee.Memorandum(id="retro", date="2011-02-02", title="late", sources=Q, agreement="retro"), []),
    (ee.Correction(id="retro", target="o", reason="more", changes={"annual_volume": "4 Mt/yr"}), ["oil"]),
    (ee.Correction(id="retro", target="b", reason="more", changes={"annual_volume": "6 bcm/yr"}), ["pipeline_gas"]),
    (ee.Retraction(id="retro", target="p", reason="never signed"), ["pipeline_gas"]),
], ids=["memorandum", "oil", "gas", "implementing-retracted"])
def test_a_day_asked_again_keeps_each_commodity_total_no_change_touched(
        change: ee.Event | ee.Amendment, again: list[str]) -> None:
    """The contracted total of a commodity a day's summary worked out is kept when no changed
    agreement is of that commodity or named by a relation of one of its documents (an agreement
    implementing part of a contract takes that part over while it stands: retracted, the part is
    the contract's again); worked out again, for that commodity only, when one is. What keeps it
    is kept with it, for the change after. The summary answers as a plain fold."""
    from eurasia_events.query import State

    log = checkpointed(*volume_documents())
    day = "2016-06-01"
    len(log.as_of(day).summary())
    log.append([change])
    planned: list[str] = []
    plan = State._volume_plan

    def counted(state: State, commodity: str, binding: bool | None) -> Any:
        planned.append(commodity)
        return plan(state, commodity, binding)

    for step, expected in enumerate((again, [])):  # then a change touching no document: both kept
        if step:
            log.append([ee.Memorandum(id="later", date="2011-03-03", title="late", sources=Q, agreement="later")])
            planned.clear()
        with mock.patch.object(State, "_volume_plan", counted):
            shown = log.as_of(day).summary().to_records()
        assert shown == State(log, day, naive=True).summary().to_records()
        assert planned == expected, step


def test_a_day_asked_again_after_deliveries_begin_reads_every_contract_term_again() -> None:
    """A contract's term may run from the start of deliveries on its route: a delivery recorded
    later moves its status with no change to its own row, so the counts a change to the supply
    state leaves are worked out again, not patched."""
    contract = ee.SupplyContract(id="c", date="2010-01-01", title="c", sources=Q, agreement="c", seller="gazprom",
                                 buyer="cnpc", commodity="pipeline_gas", annual_volume="5 bcm/yr", term="5 years",
                                 route="power-of-siberia", start="2012", term_from="start", in_force_on_signature=True)
    log = checkpointed(contract, *fillers(6, 2011))
    day = "2020-01-01"
    before = log.as_of(day)
    assert before.agreements(status="in force").count == ee.Count(1, 1)  # deliveries not begun: the term not run
    len(before.summary())
    log.append([ee.SupplyStarted(id="d", date="2012-06-01", title="d", sources=Q, route="power-of-siberia",
                                 commodity="pipeline_gas")])
    after = log.as_of(day)
    assert after.agreements(status="in force").count == ee.Count(0, 0)  # from June 2012: expired in 2017
    assert after.summary().get(item="agreements in force").value == "0"
