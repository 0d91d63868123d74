"""Ramp-up and plateau as events of their own (issue 12, defect 7): a ``supply_level`` is read
as the route's level at its own date, never as an opening; ``supply_started`` opens the route
and states its design capacity.

The expected values of the bundled-log tests were worked out from the sources cited in the
comments (the passages are kept in curation/energy_quotes.json), not by running the code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import eurasia_events as ee
from eurasia_events.projections import FoldState, fold, trail_items
from eurasia_events.views import SupplyRow
from logkit import copy_registries, forge_line, new_log

LOG = ee.load()
Q = [{"source": "seed-004", "quote": "q"}]
N = ee.Quantity.parse


def opening(id_: str, date: str, **fields: Any) -> ee.SupplyStarted:
    fields.setdefault("capacity", "38 bcm/yr")
    return ee.SupplyStarted(id=id_, date=date, title=id_, sources=Q, commodity="pipeline_gas",
                            route="power-of-siberia", **fields)


def level(id_: str, date: str, stage: str, **fields: Any) -> ee.SupplyLevel:
    return ee.SupplyLevel(id=id_, date=date, title=id_, sources=Q, commodity="pipeline_gas",
                          route="power-of-siberia", stage=stage, **fields)


def row(log: ee.Log, day: str) -> SupplyRow:
    return log.as_of(day).supply().get(route="power-of-siberia")


# --- the rules, on small logs ----------------------------------------------------------


def test_a_ramp_up_then_a_plateau_are_levels_by_day_and_the_opening_keeps_its_date() -> None:
    """Levels show from their own dates; the opening date and the design capacity never move."""
    log = new_log(ee.MemoryStore())
    log.append([opening("first", "2019-12-02"),
                level("ramp", "2020-06-01", "ramp_up", level="10 bcm/yr"),
                level("plateau", "2024-12-01", "plateau", level="38 bcm/yr")])
    expected = {
        "2020-01-01": (None, None, None),  # open, but no level recorded yet: design capacity is not a level
        "2020-05-31": (None, None, None),
        "2020-06-01": (N("10 bcm/yr"), "ramp_up", "2020-06-01"),
        "2024-11-30": (N("10 bcm/yr"), "ramp_up", "2020-06-01"),
        "2024-12-01": (N("38 bcm/yr"), "plateau", "2024-12-01"),
    }
    for day, (rate, stage, since) in expected.items():
        found = row(log, day)
        assert (found.level, found.level_stage, found.level_since) == (rate, stage, since), day
        assert (found.since, found.event, found.design_capacity) == ("2019-12-02", "first", N("38 bcm/yr")), day
        project = log.as_of(day).projects().get(project="power-of-siberia")
        assert (project.stage, project.since, project.opened) == ("opened", "2019-12-02", "2019-12-02"), day
    assert row(log, "2025-01-01").level_event == "plateau"


def test_a_new_level_keeps_the_routes_earlier_levels_without_copying_them() -> None:
    """A route's levels grow by one item per level, sharing the earlier ones (a synthetic route
    holds thousands; a copy per level made the fold quadratic), and read back in fold order."""
    key = ("power-of-siberia", "pipeline_gas")
    state = fold(FoldState(), [opening("first", "2019-12-02"),
                               level("ramp", "2021-01-01", "ramp_up", level="10 bcm/yr")])
    earlier = state.supply[key].levels
    fold(state, [level("plateau", "2024-12-01", "plateau", level="38 bcm/yr"),
                 opening("again", "2025-01-01", capacity="40 bcm/yr")])
    levels = state.supply[key].levels
    assert levels[1][1] is earlier  # the newest item, then the trail of the earlier ones, shared
    assert [item.event for item in trail_items(levels)] == ["ramp", "plateau", "again"]


def test_a_level_never_opens_a_route() -> None:
    """A level dated before any opening leaves the opening unknown; the later supply_started opens the route."""
    log = new_log(ee.MemoryStore())
    log.append([level("ramp", "2019-06-01", "ramp_up", level="5 bcm/yr")])
    found = row(log, "2019-07-01")
    assert (found.since, found.event, found.certain, found.level) == (None, None, True, N("5 bcm/yr"))
    assert log.as_of("2019-07-01").projects().find(project="power-of-siberia") == []
    log.append([opening("first", "2019-12-02")])
    found = row(log, "2020-01-01")
    assert (found.since, found.event, found.level_event) == ("2019-12-02", "first", "ramp")
    assert log.as_of("2020-01-01").projects().get(project="power-of-siberia").opened == "2019-12-02"


def test_an_old_log_with_a_second_supply_started_still_reads_it_as_a_level() -> None:
    """Logs written before supply_level: a later supply_started on the route is a level of no stated stage."""
    log = new_log(ee.MemoryStore())
    log.append([opening("first", "2019-12-02"), opening("plateau", "2024-12-01")])
    found = row(log, "2025-01-01")
    assert (found.since, found.event) == ("2019-12-02", "first")
    assert (found.level, found.level_stage, found.level_since, found.level_event) == (
        N("38 bcm/yr"), None, "2024-12-01", "plateau")
    assert row(log, "2020-01-01").level is None
    assert log.as_of("2025-01-01").projects().get(project="power-of-siberia").since == "2019-12-02"


def test_an_expansion_raises_the_design_capacity_from_its_date() -> None:
    """A level that states a new design capacity (a second line) changes the design capacity from its date only."""
    log = new_log(ee.MemoryStore())
    log.append([ee.SupplyStarted(id="first", date="2011-01-01", title="t", sources=Q, commodity="oil",
                                 route="skovorodino-daqing", capacity="15 Mt/yr"),
                ee.SupplyLevel(id="second-line", date="2018-01-01", title="t", sources=Q, commodity="oil",
                               route="skovorodino-daqing", stage="plateau", level="30 Mt/yr", capacity="30 Mt/yr")])
    before = log.as_of("2017-12-31").supply().get(route="skovorodino-daqing")
    after = log.as_of("2018-01-01").supply().get(route="skovorodino-daqing")
    assert (before.design_capacity, before.level) == (N("15 Mt/yr"), None)
    assert (after.design_capacity, after.level, after.since) == (N("30 Mt/yr"), N("30 Mt/yr"), "2011-01-01")


def test_a_halted_route_has_no_rate_and_is_not_counted_as_delivering() -> None:
    """``halted`` takes no level; the route stays in the supply view, out of the summary's routes delivering."""
    with pytest.raises(ee.InvalidEventError, match="level"):
        level("stop", "2025-01-01", "halted", level="1 bcm/yr")
    log = new_log(ee.MemoryStore())
    log.append([opening("first", "2019-12-02"), level("stop", "2025-01-01", "halted")])
    found = row(log, "2025-01-02")
    assert (found.level, found.level_stage, found.level_certain) == (None, "halted", True)
    delivering = log.as_of("2025-01-02").summary().get(item="routes delivering")
    assert "power-of-siberia" not in delivering.value
    assert "power-of-siberia" in log.as_of("2024-12-31").summary().get(item="routes delivering").value


def test_a_level_of_uncertain_date_shows_as_possibly_reached() -> None:
    """A level dated to a month shows within that month as possibly reached, certainly after it."""
    log = new_log(ee.MemoryStore())
    log.append([opening("first", "2019-12-02"), level("plateau", "2024-12", "plateau", level="38 bcm/yr")])
    assert (row(log, "2024-12-15").level_certain, row(log, "2025-01-01").level_certain) == (False, True)
    assert row(log, "2024-11-30").level is None


def test_a_halted_level_with_a_rate_is_refused_when_a_log_is_loaded(tmp_path: Path) -> None:
    """The loader's fast path checks the rule too: a stored halted level with a rate fails, naming the field."""
    copy_registries(tmp_path)
    data = {"id": "stop", "date": "2025-01-01", "title": "t", "sources": [{"source": "seed-000", "quote": "q"}],
            "route": "power-of-siberia", "commodity": "pipeline_gas", "stage": "halted", "level": "1 bcm/yr"}
    line, _ = forge_line(1, data, type_="supply_level")
    (tmp_path / "log.jsonl").write_bytes(line + b"\n")
    with pytest.raises(ee.InvalidEventError, match="level"):
        ee.load(tmp_path)
    assert json.loads(line)["type"] == "supply_level"


# --- the bundled log --------------------------------------------------------------------


def test_power_of_siberia_ramps_up_from_first_gas_to_its_plateau_in_december_2024() -> None:
    """Opened 2019-12-02 at 38 bcm/yr design capacity, ramping up; plateau at 38 bcm/yr from 2024-12-01."""
    # Opening and design capacity: The Moscow Times, "Russia launches Power of Siberia gas exports to China",
    #   https://www.themoscowtimes.com/2019/12/02/russia-launches-power-siberia-gas-exports-china-a68423
    #   ("Russia on Monday started piping gas to China"; "will not become fully operational until 2025, when
    #   it will be able to carry 38 billion cubic meters of gas a year").
    # Plateau: MENAFN, "Gazprom reports new record for daily gas exports to China",
    #   https://menafn.com/1108969910/Gazprom-reports-new-record-for-daily-gas-exports-to-China ("Since
    #   December 1 ... daily deliveries through the Power of Siberia pipeline have reached the maximum agreed
    #   levels"; "its design maximum of 38 billion cubic meters annually").
    early = LOG.as_of("2020-06-30").supply().get(route="power-of-siberia")
    assert (early.since, early.design_capacity) == ("2019-12-02", N("38 bcm/yr"))
    assert (early.level, early.level_stage, early.level_since) == (None, "ramp_up", "2019-12-02")
    assert LOG.as_of("2024-11-30").supply().get(route="power-of-siberia").level_stage == "ramp_up"
    late = LOG.as_of("2024-12-01").supply().get(route="power-of-siberia")
    assert (late.since, late.design_capacity) == ("2019-12-02", N("38 bcm/yr"))
    assert (late.level, late.level_stage, late.level_since, late.level_certain) == (
        N("38 bcm/yr"), "plateau", "2024-12-01", True)
    assert LOG.as_of("2025-12-31").projects().get(project="power-of-siberia").opened == "2019-12-02"


def test_the_power_of_siberia_plateau_is_a_supply_level_not_a_second_start() -> None:
    """The plateau recorded as supply_started is retracted; a supply_level with the same quotes replaces it."""
    # Same source as above (MENAFN, "Gazprom reports new record for daily gas exports to China").
    events = {e.id: e for e in LOG.events() if isinstance(e, (ee.SupplyStarted, ee.SupplyLevel))}
    assert "2024-12-01-power-of-siberia-maximum-contract-level" not in events
    plateau = events["2024-12-01-power-of-siberia-plateau"]
    assert isinstance(plateau, ee.SupplyLevel)
    assert {c.source for c in plateau.sources} == {"menafn-2024-12-09-pos-record"}
    starts = [e for e in events.values() if isinstance(e, ee.SupplyStarted) and e.route == "power-of-siberia"]
    assert [e.id for e in starts] == ["2019-12-02-power-of-siberia-first-gas"]


def test_before_the_retraction_the_old_record_still_reads_as_a_level() -> None:
    """As known before the supply_level events were recorded, the second supply_started was the plateau level."""
    # Same source as above (MENAFN); the record of 2024-12-01 was stored as supply_started on 2026-11-26.
    old = LOG.as_of("2025-12-31", known_at="2026-11-30T00:00:00Z").supply().get(route="power-of-siberia")
    assert (old.since, old.level, old.level_stage, old.level_since) == (
        "2019-12-02", N("38 bcm/yr"), None, "2024-12-01")


def test_skovorodino_daqing_runs_at_15_then_30_mt_a_year_after_the_second_line() -> None:
    """Oil via Skovorodino–Daqing: open from 2011-01-01 at 15 Mt/yr; 30 Mt/yr (and design capacity) from 2018-01-01."""
    # 15 Mt/yr from the first month: Oil and Gas Eurasia (Xinhua), "New Sino-Russian Pipeline Delivers 1.3
    #   Million Tonnes of Crude Oil in First Month", https://www.oilandgaseurasia.com/en/news/new-sino-russian-
    #   pipeline-delivers-13-million-tonnes-crude-oil-first-month/ ("Some 1.318 million tonnes ... by Jan. 31";
    #   "will transport 15 million tonnes of crude oil from Russia to China per year").
    # 30 Mt/yr from 1 January 2018: State Council Information Office (Xinhua), "New line of China-Russian oil
    #   pipeline begins operation", http://english.scio.gov.cn/beltandroad/2018-01/02/content_50183415.htm
    #   ("raising China's annual imports of Russian crude oil from 15 million to 30 million tonnes annually
    #   through the pipeline"; "The first line from Mohe to Daqing was put into use on Jan. 1, 2011, with an
    #   annual capacity of 15 million tonnes").
    first = LOG.as_of("2011-02-01").supply().get(route="skovorodino-daqing")
    assert (first.since, first.design_capacity, first.level, first.level_stage, first.level_certain) == (
        "2011-01-01", N("15 Mt/yr"), N("15 Mt/yr"), "plateau", True)
    before = LOG.as_of("2017-12-31").supply().get(route="skovorodino-daqing")
    assert (before.design_capacity, before.level) == (N("15 Mt/yr"), N("15 Mt/yr"))
    after = LOG.as_of("2018-01-01").supply().get(route="skovorodino-daqing")
    assert (after.since, after.design_capacity, after.level, after.level_since) == (
        "2011-01-01", N("30 Mt/yr"), N("30 Mt/yr"), "2018-01-01")
