"""Sanctions extensions at the edges mutation testing found untested (docs/reliability.md, "Mutation testing")."""

from __future__ import annotations

from typing import Any
from unittest import mock

import eurasia_events as ee
from eurasia_events import projections
from eurasia_events.projections import span_of
from logkit import QUOTE, log_of

Q = QUOTE


def sanction(**changes: Any) -> ee.SanctionsImposed:
    data: dict[str, Any] = {"id": "m", "date": "2022-06-03", "title": "package", "sources": Q, "measure": "m",
                            "imposer": "eu", "targets": ["RU", "sberbank"], "description": "d",
                            "until": "2023-01-31"}
    data.update(changes)
    return ee.SanctionsImposed(**data)


def extension(**changes: Any) -> ee.SanctionsExtended:
    data: dict[str, Any] = {"id": "x", "date": "2023-01-20", "title": "more", "sources": Q, "measure": "m"}
    data.update(changes)
    return ee.SanctionsExtended(**data)


def test_an_extension_with_an_until_moves_the_expiry_there() -> None:
    """A renewal until a new day keeps the measure in force to that day, and no longer."""
    log = log_of(sanction(), extension(until="2023-07-31"))
    row = log.as_of("2023-03-01").sanctions().get(measure="m")
    assert row.until == "2023-07-31"
    assert row.events == ("m", "x")
    assert len(log.as_of("2023-08-01").sanctions()) == 0


def test_an_extension_adding_sectors_adds_each_new_one_once_and_keeps_the_expiry() -> None:
    """Sectors already covered are not repeated; a widening by sectors alone keeps the old expiry."""
    log = log_of(sanction(sectors=["energy"]), extension(sectors=["energy", "finance"]))
    row = log.as_of("2023-01-25").sanctions().get(measure="m")
    assert row.sectors == ("energy", "finance")
    assert row.until == "2023-01-31"
    assert len(log.as_of("2023-03-01").sanctions()) == 0


def test_an_extension_adding_targets_alone_keeps_the_expiry_and_designates_from_its_date() -> None:
    """Targets added with no 'effective' are designated from the extension's date; the expiry stays."""
    log = log_of(sanction(), extension(date="2022-10-06", targets=["vtb"]))
    assert sorted(r.target for r in log.as_of("2022-10-05").designations("m")) == ["RU", "sberbank"]
    assert sorted(r.target for r in log.as_of("2022-10-06").designations("m")) == ["RU", "sberbank", "vtb"]
    assert log.as_of("2022-11-01").sanctions().get(measure="m").until == "2023-01-31"


def test_an_announcement_adds_a_stage_and_keeps_the_projects_figures() -> None:
    """An announcement about a project shows it as announced, keeping the capacity and length milestones gave."""
    announced = ee.Announcement(id="a", date="2015-01-10", title="plan", sources=Q, subject="power-of-siberia",
                                expected="first gas")
    alone = log_of(announced).as_of("2015-02-01").projects().get(project="power-of-siberia")
    assert (alone.stage, alone.since, alone.events) == ("announced", "2015-01-10", ("a",))
    log = log_of(ee.ProjectMilestone(id="b", date="2014-09-01", title="built", sources=Q, project="power-of-siberia",
                                     stage="construction_started", capacity="38 bcm/yr", length="3000 km"),
                 announced)
    row = log.as_of("2015-02-01").projects().get(project="power-of-siberia")
    assert (str(row.capacity), str(row.length)) == ("38 bcm/yr", "3000 km")
    assert row.events == ("b", "a")


def test_a_member_row_names_the_joining_event() -> None:
    """A member's row lists the event by which it joined."""
    log = log_of(ee.MembershipJoined(id="j", date="2015-01-02", title="in", sources=Q, organisation="eaeu",
                                     member="AM"))
    row = log.as_of("2016-01-01").members("eaeu").get(member="AM")
    assert (row.since, row.events) == ("2015-01-02", ("j",))


def test_equal_spans_in_the_fold_are_one_tuple_and_answer_the_same_once_forgotten() -> None:
    """Two measures adopted the same month keep one span object between them (the fold holds
    hundreds of thousands); once the spans kept are forgotten (past their bound), new ones are
    made and every answer stays the same."""
    first, second = sanction(date="2022-06"), sanction(id="n", measure="n", date="2022-06")
    assert span_of(first) == span_of(second)
    assert span_of(first) is span_of(second)
    fold = log_of(first, second).as_of("2022-12-01").fold
    assert fold.measures["m"].adopted is fold.measures["n"].adopted
    before = log_of(first, second).as_of("2022-12-01").sanctions().to_records()
    with mock.patch("eurasia_events.projections._SPANS_KEPT", 1):
        assert log_of(first, second).as_of("2022-12-01").sanctions().to_records() == before
        assert len(projections._SPANS) <= 1  # forgotten as they pass the bound
