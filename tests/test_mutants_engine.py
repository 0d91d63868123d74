"""The engine's edges mutation testing found untested (docs/reliability.md, "Mutation testing"):
``known_at`` at the exact instant of a record, the cache of past ``known_at`` states, the
order amendments must be recorded in, and retroactive changes patched into checkpoints."""

from __future__ import annotations

from typing import Any
from unittest import mock

import eurasia_events as ee
from logkit import QUOTE, log_of, meeting, new_log

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


def checkpointed(*items: ee.Event | ee.Amendment) -> ee.Log:
    """A log of ``items`` whose index (checkpoints every 2 events) is built to its end."""
    log = new_log(ee.MemoryStore())
    log.append(items)
    with mock.patch("eurasia_events._engine.index.CHECKPOINT_EVERY", 2):
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


def test_many_past_instants_each_keep_their_own_answer() -> None:
    """More past instants than the engine keeps (eight), asked in turn and again: each answers as the log stood then."""
    log = new_log(ee.MemoryStore())
    instants = []
    for n in range(1, 12):
        instant = f"2026-01-{n:02d}T00:00:00Z"
        log.append([meeting(n, date="2010-05-01")], recorded=instant)
        instants.append(instant)
    for _ in range(2):
        for n, instant in enumerate(instants, start=1):
            assert len(log.as_of("2011-01-01", known_at=instant).meetings()) == n
            assert len(log.events(instant)) == n
        for n, instant in reversed(list(enumerate(instants, start=1))):
            assert len(log.as_of("2011-01-01", known_at=instant).meetings()) == n


def test_an_amendment_cannot_be_recorded_before_the_last_correction_of_its_target() -> None:
    """The log's own last correction counts, not only the event's record."""
    log = new_log(ee.MemoryStore())
    log.append([meeting(1)], recorded=T1)
    log.append([ee.Correction(id="fix", target="m-1", reason="r", changes={"title": "Fixed"})], recorded=T3)
    retraction = ee.Retraction(id="gone", target="m-1", reason="r")
    try:
        log.append([retraction], recorded=T2)
    except ee.InvalidEventError as error:
        assert "before 'm-1' (or its last correction) was recorded" in str(error)
    else:
        raise AssertionError("a retraction recorded before the correction was accepted")
    log.append([retraction], recorded=T3)
    assert titles(log, None) == {}


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
