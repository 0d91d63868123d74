"""The engine's edges mutation testing found untested (docs/reliability.md, "Mutation testing"):
``known_at`` at the exact instant of a record and between two corrections, the
order amendments must be recorded in, retroactive changes patched into checkpoints, States
kept across later changes, and the errors of a stored correction that breaks its target."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from unittest import mock

import pytest

import eurasia_events as ee
from eurasia_events.codec import GENESIS, encode_record
from logkit import QUOTE, copy_registries, log_of, meeting, new_log

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


def checkpointed(*items: ee.Event | ee.Amendment, snapshot_every: int = 32) -> ee.Log:
    """A log of ``items`` whose index (checkpoints every 2 events) is built to its end."""
    log = new_log(ee.MemoryStore())
    log.append(items)
    with mock.patch("eurasia_events._engine.index.CHECKPOINT_EVERY", 2), \
            mock.patch("eurasia_events._engine.index.SNAPSHOT_EVERY", snapshot_every):
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
    log = checkpointed(*later)
    milestone = ee.ProjectMilestone(id="built", date="2014-09-01", title="built", sources=Q, project="power-of-siberia",
                                    stage="construction_started")
    log.append([milestone])
    for day in ("2021-06-01", "2023-06-01", "2030-01-01"):
        assert answers(log.as_of(day)) == answers(log_of(milestone, *later).as_of(day))


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


def test_a_stored_amendment_recorded_before_its_target_is_read_in_log_order() -> None:
    """A log written with a retraction recorded before its target (append refuses that now; a log
    written otherwise still loads): as known in between, neither is known, and nothing fails."""
    store = ee.MemoryStore()
    first, digest = encode_record(1, ee.Instant.parse(T3), meeting(1), GENESIS)
    second, _ = encode_record(2, ee.Instant.parse(T1), ee.Retraction(id="gone", target="m-1", reason="r"), digest)
    store.append_lines([first, second])
    log = new_log(store)
    assert log.events(T2) == []
    assert log.as_of("2030-01-01", known_at=T2).meetings().rows == ()
    assert log.events(T3) == []


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
