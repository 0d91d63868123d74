"""Time ranges (``log.between``, ``log.since``) and histories (``log.history``)."""

from __future__ import annotations

import json

import pytest

import eurasia_events as ee
from eurasia_events.cli import main
from logkit import meeting

T1, T2, T3 = "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z"
CITE = [{"source": "seed-000", "quote": "q"}]


def inside(view: ee.View) -> dict[str, str]:
    return {row.id: row.inside for row in view}


@pytest.fixture
def dated(memory_log: ee.Log) -> ee.Log:
    """Meetings on a day, a month, a year, a qualified month and an open interval."""
    memory_log.append([meeting(1, id="day", date="2015-05-12"), meeting(2, id="month", date="2015-05"),
                       meeting(3, id="year", date="2015"), meeting(4, id="approx", date="2015-07~"),
                       meeting(5, id="open", date="2015-06-15/.."), meeting(6, id="before", date="2015-04-30"),
                       meeting(7, id="after", date="2015-07-01")], recorded=T1)
    return memory_log


def test_between_is_three_valued(dated: ee.Log) -> None:
    """Certainly inside is yes, straddling an end is maybe (May 2015 vs 10 May..30 June), outside is left out."""
    assert inside(dated.between("2015-05-10", "2015-06-30")) == {
        "day": "yes", "month": "maybe", "year": "maybe", "approx": "maybe", "open": "maybe"}


def test_between_takes_months_and_years_as_whole_periods(dated: ee.Log) -> None:
    """A month starts on its first day and ends on its last; an open end is never certainly inside."""
    assert inside(dated.between("2015-05", "2015-06")) == {
        "day": "yes", "month": "yes", "year": "maybe", "approx": "maybe", "open": "maybe"}
    assert inside(dated.between("2015", "2015")) == {
        "day": "yes", "month": "yes", "year": "yes", "approx": "yes", "before": "yes", "after": "yes",
        "open": "maybe"}


def test_between_counts_certain_and_possible(dated: ee.Log) -> None:
    """The view's count separates the events certainly in the range from those possibly in it."""
    assert str(dated.between("2015-05-10", "2015-06-30").count) == "1 (possibly 5)"


def test_between_refuses_a_reversed_range(dated: ee.Log) -> None:
    """A range that ends before it starts is an error naming both days."""
    with pytest.raises(ee.InvalidDateError, match=r"ends \(2015-01-01\) before it starts \(2015-02-01\)"):
        dated.between("2015-02", "2015-01-01")


def test_since_is_three_valued(dated: ee.Log) -> None:
    """Since a day: on or after it is yes, a date straddling it maybe, before it left out."""
    assert inside(dated.since("2015-06-15")) == {"year": "maybe", "approx": "maybe", "open": "yes", "after": "yes"}
    assert inside(dated.since("2015-06"))["approx"] == "yes"  # 2015-07~ is June to August


def test_ranges_follow_known_at_corrections_and_retractions(memory_log: ee.Log) -> None:
    """A correction moves an event in or out of a range, a retraction drops it, each from when recorded."""
    memory_log.append([meeting(1, id="a", date="2015-05-12"), meeting(2, id="b", date="2015-05-13")], recorded=T1)
    memory_log.append([ee.Correction(id="fix", target="a", reason="wrong year", changes={"date": "2016-05-12"})],
                      recorded=T2)
    memory_log.append([ee.Retraction(id="gone", target="b", reason="never happened")], recorded=T3)
    may = ("2015-05-01", "2015-05-31")
    assert [r.id for r in memory_log.between(*may, known_at="2026-01-15T00:00:00Z")] == ["a", "b"]
    assert [r.id for r in memory_log.between(*may, known_at="2026-02-15T00:00:00Z")] == ["b"]
    assert [r.id for r in memory_log.between(*may)] == []
    moved = memory_log.since("2016")
    assert [(r.id, str(r.recorded)) for r in moved] == [("a", "2026-01-01T00:00:00.000000Z")]


def _treaty_log(log: ee.Log) -> ee.Log:
    log.append([ee.TreatySigned(id="signed", date="2001-07-16", title="signed", sources=CITE, parties=["RU", "CN"],
                                agreement="treaty-x", kind="treaty", term="20 years", term_from="entry_into_force"),
                ee.EnteredIntoForce(id="in-force", date="2002-02-28", title="in force", sources=CITE,
                                    parties=["RU", "CN"], agreement="treaty-x"),
                ee.AgreementExtended(id="extended", date="2021-06-28", title="extended", sources=CITE,
                                     parties=["RU", "CN"], agreement="treaty-x", term="5 years")], recorded=T1)
    return log


def test_history_of_an_agreement_lists_status_changes_in_order(memory_log: ee.Log) -> None:
    """Signed, in force, extended, then its term ends: in valid-time order, each with its recorded instant."""
    rows = list(_treaty_log(memory_log).history("treaty-x"))
    assert [(r.date, r.type) for r in rows] == [
        ("2001-07-16", "treaty_signed"), ("2002-02-28", "entered_into_force"), ("2021-06-28", "agreement_extended"),
        ("2027-02-28", "term_end")]
    assert "in force until 2022-02-28 -> in force until 2027-02-28" in rows[2].change
    assert "-> in force until 2022-02-28" in rows[1].change
    assert rows[3].change == "in force until 2027-02-28 -> expired"
    assert [str(r.recorded) for r in rows[:3]] == ["2026-01-01T00:00:00.000000Z"] * 3
    assert rows[3].recorded is None


def test_history_shows_corrections_and_honours_known_at(memory_log: ee.Log) -> None:
    """A correction appears after the event it amends, with its own recorded instant; known_at hides it."""
    _treaty_log(memory_log).append([ee.Correction(id="fix", target="extended", reason="ten years",
                                                  changes={"term": "10 years"})], recorded=T2)
    rows = list(memory_log.history("treaty-x"))
    assert [r.id for r in rows] == ["signed", "in-force", "extended", "fix", ""]
    assert rows[3].change == "term: 5 years -> 10 years (ten years)"
    assert str(rows[3].recorded) == "2026-02-01T00:00:00.000000Z"
    assert rows[4].date == "2032-02-28"
    before = memory_log.history("treaty-x", known_at="2026-01-15T00:00:00Z")
    assert [r.id for r in before] == ["signed", "in-force", "extended", ""]
    assert before[3].date == "2027-02-28"


def test_history_of_an_entity_resolves_aliases(memory_log: ee.Log) -> None:
    """An entity's history lists every event naming it in any entity field, found by name or alias."""
    memory_log.append([ee.MembershipJoined(id="am-joins", date="2015-01-02", title="Armenia joins", sources=CITE,
                                           parties=["AM"], organisation="eaeu", member="AM"),
                       meeting(1, id="talks", date="2014-03-01", parties=["RU", "CN"])], recorded=T1)
    by_id = memory_log.history("eaeu")
    assert [(r.id, r.change) for r in by_id] == [("am-joins", "eaeu: AM joins")]
    assert [r.id for r in memory_log.history("Eurasian Economic Union")] == ["am-joins"]
    assert [r.id for r in memory_log.history("Armenia")] == ["am-joins"]


def test_history_of_an_event_id_keeps_its_records(memory_log: ee.Log) -> None:
    """An event id gives its record and its amendments' records, each row standing for its record."""
    memory_log.append([meeting(1, id="m", date="2016-06-25")], recorded=T1)
    memory_log.append([ee.Correction(id="fix", target="m", reason="wrong day", changes={"date": "2016-06-26"})],
                      recorded=T2)
    memory_log.append([ee.Retraction(id="gone", target="m", reason="never happened")], recorded=T3)
    rows = memory_log.history("m")
    assert [(r.event.id, r.seq, r.type) for r in rows] == [("m", 1, "meeting"), ("fix", 2, "correction"),
                                                           ("gone", 3, "retraction")]
    assert rows[0].change == "(retracted: never happened)"
    assert rows[1].change == "date: 2016-06-25 -> 2016-06-26 (wrong day)"
    assert [r.id for r in memory_log.history("m", known_at="2026-01-15T00:00:00Z")] == ["m"]


def test_history_of_an_unknown_name_lists_the_closest(memory_log: ee.Log) -> None:
    """A name that is no event, slug or entity fails with the closest names."""
    _treaty_log(memory_log)
    with pytest.raises(ee.UnknownEventError, match=r"named 'Gazpromm'.*closest: gazprom \(Gazprom\)"):
        memory_log.history("Gazpromm")
    with pytest.raises(ee.UnknownEventError, match="closest: in-force"):
        memory_log.history("in-forse")


def test_history_view_renders_as_html(memory_log: ee.Log) -> None:
    """The history and range views render in notebooks as HTML tables with their titles."""
    _treaty_log(memory_log)
    html = memory_log.history("treaty-x")._repr_html_()
    assert "<b>History of treaty-x</b>" in html
    assert "<td>term_end" in html
    assert "<th>inside" in memory_log.since("2001")._repr_html_()


# -- the bundled log ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled() -> ee.Log:
    return ee.load()


def test_bundled_treaty_history(bundled: ee.Log) -> None:
    """The 2001 treaty: signed 2001-07-16, in force 2002-02-28, extended twice, its term then ends in 2032."""
    rows = [r for r in bundled.history("treaty-good-neighbourliness-2001") if r.type != "ratified"]
    steps = [(r.date, r.type) for r in rows if r.type not in ("announcement", "correction")]
    assert steps == [("2001-07-16", "treaty_signed"), ("2002-02-28", "entered_into_force"),
                     ("2021-06-28", "agreement_extended"), ("2026-02-04", "agreement_extended"),
                     ("2032-02-28", "term_end")]
    assert "in force until 2027-02-28 -> in force until 2032-02-28" in rows[-2].change


def test_bundled_power_of_siberia_opening_in_december_2019(bundled: ee.Log) -> None:
    """Power of Siberia's opening on 2 December 2019 is certainly in December 2019."""
    view = bundled.between("2019-12", "2019-12")
    assert view.get(id="2019-12-02-power-of-siberia-first-gas").inside == "yes"


def test_cli_between_since_history(capsys: pytest.CaptureFixture[str]) -> None:
    """The three commands print their views; an unknown name is one line on stderr and exit 1."""
    assert main(["between", "2019-12", "2019-12", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {"date", "inside", "type", "id", "title", "parties", "status", "recorded"} == set(rows[0])
    assert main(["since", "2026-02", "--known-at", "2026-11-30T00:00:00Z", "--format", "csv"]) == 0
    assert "2026-02-04-treaty-good-neighbourliness-auto-extended" not in capsys.readouterr().out
    assert main(["history", "treaty-good-neighbourliness-2001", "--format", "csv"]) == 0
    assert "term_end" in capsys.readouterr().out
    assert main(["history", "treaty-good-neighborliness-2001"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "closest: treaty-good-neighbourliness-2001" in err


def test_history_of_a_contract_whose_term_waited_for_its_deliveries() -> None:
    """The eastern contract's term ran from first deliveries: before them its expiry was open
    ("2048-01-01.."), which history must pass over, and it ends 30 years after 2 Dec 2019."""
    rows = ee.load().history("gazprom-cnpc-eastern-2014")
    assert [(r.date, r.type) for r in rows if r.type == "term_end"] == [("2049-12-02", "term_end")]
