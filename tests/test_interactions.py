"""Counts of coded interactions by month, family, quad class and direction; the one timeline; the CLI."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import eurasia_events as ee
from eurasia_events.cli import main
from eurasia_events.interactions import GROUPS, InteractionRow
from eurasia_events.schema import schema

BUNDLED = ee.bundled_path()
T0, T1 = "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"
FIRST_DAY = dt.date(2019, 1, 1)
ICEWS: dict[str, Any] = {"id": "icews", "title": "ICEWS Coded Event Data", "publisher": "Harvard Dataverse",
                         "kind": "dataset", "version": "V30", "address": "https://doi.org/10.7910/DVN/28075"}
# Codes and the family each belongs to, written out here, not computed by the library.
FAMILY = {("cameo", "010"): "01 Make public statement", ("cameo", "042"): "04 Consult",
          ("cameo", "0874"): "08 Yield", ("cameo", "1246"): "12 Reject", ("cameo", "163"): "16 Reduce relations",
          ("cameo", "20"): "20 Use unconventional mass violence", ("cameo", "15"): "15 Exhibit force posture",
          ("plover", "consult"): "consult", ("plover", "sanction"): "sanction"}
SIDES = ("CN", "RU", "KZ", None)


def registries() -> tuple[ee.EntityRegistry, ee.SourceRegistry]:
    sources = ee.SourceRegistry.from_file(BUNDLED / "sources.json")
    return (ee.EntityRegistry.from_file(BUNDLED / "entities.json"),
            ee.SourceRegistry.from_records([*sources.to_records(), ICEWS]))


def memory_log() -> ee.Log:
    entities, sources = registries()
    return ee.Log(ee.MemoryStore(), entities=entities, sources=sources)


def coded(n: int, day: dt.date, scheme: str = "cameo", code: str = "042", initiator: str | None = "CN",
          recipient: str | None = "RU", intensity: float | None = None, quad_class: int | None = None,
          **more: Any) -> ee.CodedInteraction:
    record = f"{n}@{day.isoformat()}"
    return ee.CodedInteraction(
        id=f"icews-{n}-{day:%Y%m%d}", date=day.isoformat(), title=f"interaction {n}",
        sources=[{"source": "icews", "record": record}],
        parties=list(dict.fromkeys(p for p in (initiator, recipient) if p)), scheme=scheme, code=code,
        initiator=initiator, recipient=recipient, intensity=intensity, quad_class=quad_class, **more)


def meeting(day: str = "2019-03-01") -> ee.Meeting:
    return ee.Meeting(id=f"meeting-{day}", date=day, title="A summit", kind="summit", parties=["CN", "RU"],
                      sources=[{"source": "icews", "record": "1@2019-03-01"}])


# --- the reference: a plain loop over the events the test made --------------------------


def expected(events: list[ee.CodedInteraction], by: tuple[str, ...], start: dt.date | None = None,
             end: dt.date | None = None) -> dict[tuple[Any, ...], tuple[int, Decimal | None]]:
    """Per group: how many of the events fall in the period, and their mean intensity (exact, to 2 places)."""
    out: dict[tuple[Any, ...], list[Any]] = {}
    for event in events:
        day = dt.date.fromisoformat(str(event.date))
        if (start is not None and day < start) or (end is not None and day > end):
            continue
        values = {"month": f"{day.year}-{day.month:02d}", "family": FAMILY[(event.scheme, event.code)],
                  "quad_class": event.quad_class,
                  "direction": f"{event.initiator or '?'}->{event.recipient or '?'}"}
        entry = out.setdefault(tuple(values[g] for g in by), [0, []])
        entry[0] += 1
        if event.intensity is not None:
            entry[1].append(Decimal(str(event.intensity)))
    return {key: (n, None if not xs else (sum(xs) / len(xs)).quantize(Decimal("0.01")))
            for key, (n, xs) in out.items()}


def found(view: ee.View[InteractionRow], by: tuple[str, ...]) -> dict[tuple[Any, ...], tuple[int, Decimal | None]]:
    out = {}
    for row in view:
        assert row.count.exact, row  # days only: every interaction certainly in or out
        out[tuple(getattr(row, g) for g in by)] = (row.count.certain, row.intensity)
    return out


@st.composite
def interaction_lists(draw: st.DrawFn) -> list[tuple[ee.CodedInteraction, str]]:
    """Coded interactions over two years (each with the instant it is recorded at)."""
    made = []
    for n in range(draw(st.integers(0, 40))):
        scheme, code = draw(st.sampled_from(sorted(FAMILY)))
        # Halves: sums are exact in binary, so the mean does not depend on the order of the sum.
        intensity = draw(st.none() | st.integers(-20, 20).map(lambda k: k / 2))
        event = coded(n, FIRST_DAY + dt.timedelta(days=draw(st.integers(0, 730))), scheme, code,
                      draw(st.sampled_from(SIDES)), draw(st.sampled_from(SIDES)), intensity,
                      draw(st.none() | st.integers(1, 4)))
        made.append((event, draw(st.sampled_from((T0, T1)))))
    return made


groupings = st.permutations(GROUPS).flatmap(lambda order: st.integers(0, 4).map(lambda k: tuple(order[:k])))
days = st.none() | st.integers(0, 730).map(lambda k: FIRST_DAY + dt.timedelta(days=k))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(made=interaction_lists(), by=groupings, start=days, end=days)
def test_counts_equal_a_plain_loop(made: list[tuple[ee.CodedInteraction, str]], by: tuple[str, ...],
                                   start: dt.date | None, end: dt.date | None) -> None:
    """Each group's count and mean intensity equal a loop over the events made, for any groups and period."""
    log = memory_log()
    events = [event for event, _ in made]
    log.append([meeting(), *events], recorded=[T0, *(instant for _, instant in made)])
    if start is not None and end is not None and end < start:
        with pytest.raises(ee.EurasiaEventsError, match="before it starts"):
            log.interactions(start, end, by=by)
        return
    view = log.interactions(start, end, by=by)
    assert view.columns == (*by, "count", "intensity")
    assert found(view, by) == expected(events, by, start, end)
    keys = [tuple(getattr(r, g) if g != "quad_class" else (r.quad_class or 5) for g in by) for r in view]
    assert keys == sorted(keys)  # sorted by the groups, in their order
    assert view.totals["interactions"] == ee.Count(*[sum(n for n, _ in expected(events, (), start, end).values())] * 2)


@settings(max_examples=30, deadline=None)
@given(made=interaction_lists())
def test_known_at_excludes_later_records(made: list[tuple[ee.CodedInteraction, str]]) -> None:
    """As known at T0, only the interactions recorded by T0 count; at T1 all of them."""
    log = memory_log()
    log.append([event for event, _ in made], recorded=[instant for _, instant in made])
    by = ("month", "family", "quad_class", "direction")
    early = [event for event, instant in made if instant == T0]
    assert found(log.interactions(by=by, known_at=T0), by) == expected(early, by)
    assert found(log.interactions(by=by, known_at=T1), by) == expected([e for e, _ in made], by)
    assert found(log.interactions(by=by, known_at="2025-12-31T23:59:59Z"), by) == {}


@settings(max_examples=30, deadline=None)
@given(made=interaction_lists())
def test_timeline_counts_equal_a_plain_loop(made: list[tuple[ee.CodedInteraction, str]]) -> None:
    """The timeline's monthly rows count, per month and direction, what a loop over the events made counts."""
    log = memory_log()
    log.append([meeting(), *(event for event, _ in made)], recorded=T0)
    rows = [r for r in log.timeline() if r.type == "interactions"]
    by = ("month", "direction")
    assert {(r.date, r.id.split(":", 2)[2]): r.count for r in rows} == {
        key: n for key, (n, _) in expected([e for e, _ in made], by).items()}
    assert [r.type for r in log.timeline()].count("meeting") == 1


@pytest.fixture
def small() -> ee.Log:
    """Four interactions in May and June 2020, a meeting, and a retracted interaction."""
    log = memory_log()
    log.append([
        meeting("2020-05-01"),
        coded(1, dt.date(2020, 5, 1), intensity=2.0, quad_class=1),
        coded(2, dt.date(2020, 5, 20), code="163", initiator="RU", recipient="CN", intensity=-4.0, quad_class=3),
        coded(3, dt.date(2020, 5, 31), code="0874", recipient=None, quad_class=2),
        coded(4, dt.date(2020, 6, 2), scheme="plover", code="consult", initiator=None, intensity=3.0),
        coded(5, dt.date(2020, 6, 3)),
    ], recorded=T0)
    log.append([ee.Retraction(id="retract-5", target="icews-5-20200603", reason="a duplicate record",
                              sources=[{"source": "icews", "record": "5@2020-06-03"}])], recorded=T1)
    return log


def test_groups_directions_and_families(small: ee.Log) -> None:
    """Direction from the sides' ids ('?' for one not recognised), family from the CAMEO root or the PLOVER type;
    retracted interactions and other events are not counted."""
    view = small.interactions(by=("direction",))
    assert [(r.direction, r.count.certain) for r in view] == [("?->RU", 1), ("CN->?", 1), ("CN->RU", 1),
                                                              ("RU->CN", 1)]
    assert {r.family for r in small.interactions(by="family")} == {"04 Consult", "16 Reduce relations",
                                                                   "08 Yield", "consult"}
    months = small.interactions(by="month")
    assert [(r.month, r.count.certain, r.intensity) for r in months] == [("2020-05", 3, Decimal("-1.00")),
                                                                         ("2020-06", 1, Decimal("3.00"))]
    assert [r.quad_class for r in small.interactions(by=["quad_class"])] == [1, 2, 3, None]
    (only,) = small.interactions(by=())
    assert only.count == ee.Count(4, 4)
    assert only.month == only.family == only.direction == ""
    assert only.quad_class is None
    assert small.interactions(known_at=T0).totals["interactions"] == ee.Count(5, 5)  # before the retraction
    assert small.interactions(by="direction,month").columns == ("direction", "month", "count", "intensity")


def test_to_pandas_splits_the_count(small: ee.Log) -> None:
    """In a DataFrame the count is two int columns, certain and possible, and the mean intensity a float."""
    pytest.importorskip("pandas")
    frame = small.interactions(by="month").to_pandas()
    assert list(frame.columns) == ["month", "count_certain", "count_possible", "intensity"]
    assert frame["count_certain"].tolist() == [3, 1]
    assert str(frame["count_possible"].dtype) == "int64"
    assert frame["intensity"].tolist() == [-1.0, 3.0]


def test_unknown_or_repeated_group_is_an_error(small: ee.Log) -> None:
    """A group outside month, family, quad_class, direction, or named twice, raises naming the choices."""
    with pytest.raises(ee.EurasiaEventsError, match="month, family, quad_class, direction"):
        small.interactions(by=("year",))
    with pytest.raises(ee.EurasiaEventsError, match="twice"):
        small.interactions(by="month,month")


def test_period_counts_days_in_it(small: ee.Log) -> None:
    """A period counts the interactions dated in it; a month or year given covers its whole period."""
    assert small.interactions("2020-05-20", "2020-06-02", by=()).totals["interactions"] == ee.Count(3, 3)
    assert small.interactions("2020-06", by=()).totals["interactions"] == ee.Count(1, 1)
    assert small.interactions(end="2020-05", by=()).totals["interactions"] == ee.Count(3, 3)
    assert small.interactions("2021", by=()).rows == ()


def test_a_date_that_may_fall_in_two_months_counts_as_uncertain() -> None:
    """A disputed date reaching into another month is counted under 'uncertain', never in a month; a period
    it may fall outside counts it only as possible."""
    log = memory_log()
    disputed = coded(1, dt.date(2020, 5, 31), disputes=[{"field": "date", "value": "2020-06-01",
                                                          "source": "icews"}])
    log.append([disputed, coded(2, dt.date(2020, 5, 30))], recorded=T0)
    assert [(r.month, r.count) for r in log.interactions(by="month")] == [("2020-05", ee.Count(1, 1)),
                                                                           ("uncertain", ee.Count(1, 1))]
    assert log.interactions(end="2020-05-31", by=()).totals["interactions"] == ee.Count(1, 2)
    assert log.interactions("2020-06-01", by=()).totals["interactions"] == ee.Count(0, 1)
    assert log.interactions(by="month").count == ee.Count(2, 2)


# --- the one timeline -------------------------------------------------------------------


def test_timeline_counts_interactions_per_month_and_direction(small: ee.Log) -> None:
    """Coded interactions show as one row per month and direction, with the count, at the start of the month;
    other events as before."""
    view = small.timeline()
    assert "count" in view.columns
    rows = [(r.date, r.type, r.id, r.count) for r in view]
    assert rows == [
        ("2020-05", "interactions", "interactions:2020-05:CN->?", 1),
        ("2020-05", "interactions", "interactions:2020-05:CN->RU", 1),
        ("2020-05", "interactions", "interactions:2020-05:RU->CN", 1),
        ("2020-05-01", "meeting", "meeting-2020-05-01", None),
        ("2020-06", "interactions", "interactions:2020-06:?->RU", 1),
    ]
    row = view.get(id="interactions:2020-05:RU->CN")
    assert (row.title, row.parties, row.precision, row.certain_day) == (
        "1 coded interaction RU->CN, mean intensity -4.00", ("RU", "CN"), "month", False)
    each = small.timeline(interactions="each")
    assert [r.id for r in each if r.type == "coded_interaction"] == [
        "icews-1-20200501", "icews-2-20200520", "icews-3-20200531", "icews-4-20200602"]
    assert "count" not in each.columns
    assert [r.type for r in small.timeline(interactions="none")] == ["meeting"]
    assert [r.type for r in small.timeline(kind="meeting")] == ["meeting"]
    assert {r.type for r in small.timeline(kind="coded_interaction")} == {"interactions"}
    assert [r.id for r in small.timeline(party="RU", start="2020-05-02")] == [
        "interactions:2020-05:RU->CN", "interactions:2020-06:?->RU"]
    with pytest.raises(ee.EurasiaEventsError, match="month, each, none"):
        small.timeline(interactions="all")


def test_timeline_lists_an_interaction_of_uncertain_month_on_its_own() -> None:
    """A coded interaction whose date may fall in two months is listed itself, not counted in a month."""
    log = memory_log()
    log.append([coded(1, dt.date(2020, 5, 31), disputes=[{"field": "date", "value": "2020-06-01",
                                                          "source": "icews"}])], recorded=T0)
    assert [(r.type, r.id) for r in log.timeline()] == [("coded_interaction", "icews-1-20200531")]


def test_timeline_without_interactions_is_unchanged() -> None:
    """A log with no coded interaction has the timeline it had: the same columns, no count."""
    view = ee.load().timeline(start="2014", end="2015")
    assert view.columns == ("date", "precision", "type", "id", "title", "parties", "status", "certain_day")
    assert all(r.count is None and r.type != "interactions" for r in view)


def test_one_timeline_over_curated_and_imported_logs(tmp_path: Path) -> None:
    """ee.load(curated, imported).timeline() holds the curated events and the imported counts."""
    folder = imported_log(tmp_path)
    both = ee.load(BUNDLED, folder)
    view = both.timeline(start="2014-05-01", end="2014-05-31")
    assert view.get(id="2014-05-21-pos-gas-contract").type == "supply_contract"
    assert view.get(id="interactions:2014-05:CN->RU").count == 2
    assert {r.type for r in both.timeline(kind="supply_contract")} == {"supply_contract"}
    assert both.interactions(by="month").get(month="2014-05").count == ee.Count(2, 2)


# --- the command line -------------------------------------------------------------------


def imported_log(tmp_path: Path) -> Path:
    """A log folder of three imported interactions (May and June 2014), registries beside it."""
    folder = tmp_path / "imported"
    folder.mkdir()
    shutil.copy(BUNDLED / "entities.json", folder / "entities.json")
    (folder / "sources.json").write_text(json.dumps([ICEWS]), encoding="utf-8")
    log = ee.load(folder, create=True)
    log.append([coded(1, dt.date(2014, 5, 20), intensity=1.5, quad_class=1),
                coded(2, dt.date(2014, 5, 21), intensity=2.5, quad_class=1),
                coded(3, dt.date(2014, 6, 2), code="163", initiator="RU", recipient="CN", quad_class=3)],
               recorded=T0)
    return folder


def test_cli_prints_the_view_as_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`interactions --format json` prints the view's rows, typed, valid against `schema interactions`."""
    folder = imported_log(tmp_path)
    assert main(["--log", str(folder), "interactions", "--by", "month,direction", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data == [
        {"month": "2014-05", "direction": "CN->RU", "count": {"certain": 2, "possible": 2}, "intensity": 2},
        {"month": "2014-06", "direction": "RU->CN", "count": {"certain": 1, "possible": 1}, "intensity": None},
    ]
    jsonschema.Draft202012Validator(schema("interactions")).validate(data)
    assert main(["--log", str(folder), "interactions", "--from", "2014-06", "--known-at", T0,
                 "--format", "json"]) == 0
    assert [r["family"] for r in json.loads(capsys.readouterr().out)] == ["16 Reduce relations"]
    assert main(["--log", str(folder), "interactions"]) == 0
    table = capsys.readouterr().out
    assert "04 Consult" in table
    assert "total interactions: 3" in table


def test_cli_timeline_counts_or_lists_interactions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`timeline` prints the monthly counts with a count column; `--interactions each` every interaction."""
    folder = imported_log(tmp_path)
    assert main(["--log", str(folder), "timeline", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(r["id"], r["count"]) for r in data] == [("interactions:2014-05:CN->RU", 2),
                                                     ("interactions:2014-06:RU->CN", 1)]
    jsonschema.Draft202012Validator(schema("timeline")).validate(data)
    assert main(["--log", str(folder), "timeline", "--interactions", "each", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [r["type"] for r in data] == ["coded_interaction"] * 3
    assert "count" not in data[0]


def test_cli_refuses_an_unknown_group(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--by with a group the view does not have is a usage error (exit 2) naming the choices."""
    with pytest.raises(SystemExit) as stopped:
        main(["interactions", "--by", "month,year"])
    assert stopped.value.code == 2
    assert "expected some of month, family, quad_class, direction" in capsys.readouterr().err


# --- the interactive timeline -----------------------------------------------------------


def test_html_timeline_draws_monthly_counts_in_a_panel(small: ee.Log) -> None:
    """The plotly timeline draws the curated events as items and the monthly counts as bars per direction
    on a second y axis; the party menu keeps only the directions with the party."""
    pytest.importorskip("plotly", reason="plotly is missing: pip install -e '.[test]'")
    from eurasia_events.timeline_html import event_ids, timeline_figure

    fig = timeline_figure(small)
    assert event_ids(fig) == ["meeting-2020-05-01"]
    bars = {trace.name: trace for trace in fig.data if trace.meta["shape"] == "counts"}
    assert sorted(bars) == ["interactions ?->RU", "interactions CN->?", "interactions CN->RU",
                            "interactions RU->CN"]
    assert all(trace.yaxis == "y2" for trace in bars.values())
    assert list(bars["interactions CN->RU"].x) == ["2020-05-01"]
    assert list(bars["interactions CN->RU"].y) == [1]
    _, party_menu = fig.layout.updatemenus
    russia = next(b for b in party_menu.buttons if b.label.startswith("Russia"))
    names = [trace.name for trace in fig.data]
    kept = {names[i]: xs for i, xs in enumerate(russia.args[0]["x"]) if fig.data[i].meta["shape"] == "counts"}
    assert kept["interactions CN->?"] == [None]
    assert kept["interactions RU->CN"] == ["2020-05-01"]
    assert fig.layout.yaxis2.domain == (0.0, 0.18)
    assert list(itertools.chain.from_iterable(t.customdata for t in bars.values()))


def test_one_logs_timelines_share_a_schema_whatever_the_period(small: ee.Log) -> None:
    """The count column depends on the log (it holds coded interactions), not on the period:
    a period without any keeps the column, so Parquet files of two periods concatenate."""
    empty = small.timeline(start="1900-01-01", end="1900-12-31")
    full = small.timeline()
    assert any(row.count for row in full.rows)
    assert not empty.rows
    assert empty.columns == full.columns
    assert empty.to_arrow().schema == full.to_arrow().schema
    assert "count" not in small.timeline(interactions="each").columns  # no monthly rows asked for


def test_a_tied_mean_rounds_alike_everywhere_whatever_the_decimal_context() -> None:
    """0.1, 0.2, 0.2, 0.2 average 0.175: half-even gives 0.18 in the view and in the timeline's
    title (a float division gave 0.17), and a caller's decimal context changes neither."""
    import decimal

    log = memory_log()
    made = [coded(n, dt.date(2020, 5, n), intensity=value) for n, value in enumerate((0.1, 0.2, 0.2, 0.2), 1)]
    log.append([meeting(), *made])
    with decimal.localcontext(decimal.Context(prec=2, rounding=decimal.ROUND_DOWN)):
        rows = list(log.interactions(by=("month",)))
        title = log.timeline().get(id="interactions:2020-05:CN->RU").title
    assert [(r.month, r.intensity) for r in rows] == [("2020-05", Decimal("0.18"))]
    assert title == "4 coded interactions CN->RU, mean intensity 0.18"


def test_a_mean_over_many_interactions_adds_their_figures_exactly() -> None:
    """50,000 intensities of 0.015 average to exactly 0.015, a tie rounded half-even to 0.02,
    in the view and in the timeline's title (adding them as floats drifts to 749.9999999994,
    whose mean rounds to 0.01)."""
    log = memory_log()
    log.append([coded(n, dt.date(2014, 5, 1 + n % 28), intensity=0.015) for n in range(50_000)], recorded=T0)
    (row,) = log.interactions(by=())
    assert (row.count.certain, row.intensity) == (50_000, Decimal("0.02"))
    (line,) = [r for r in log.timeline() if r.type == "interactions"]
    assert line.title.endswith("mean intensity 0.02")
