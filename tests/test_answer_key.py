"""The answer key of issue 12: as-of answers a user would check against the public sources,
and the rules behind them, each pinned as a class on a small hand-written log.

The expected values of the bundled-log tests were worked out from the sources cited in the
comments, not by running the code.
"""

from __future__ import annotations

from typing import Any

import pytest

import eurasia_events as ee

LOG = ee.load()
Q = [{"source": "seed-004", "quote": "q"}]
BCM = ee.Quantity.parse


# --- the bundled log --------------------------------------------------------------------


def test_all_documents_gas_total_at_the_end_of_2014_counts_the_2009_framework_once() -> None:
    """All documents at 2014-12-31: 38 (eastern contract) + 30 (western framework) = 68 bcm/yr,
    the 2009 framework's volume restated by them, not added to them."""
    # 38 bcm/yr eastern: OSW Centre for Eastern Studies, "The eastern 'partnership' of gas. Gazprom
    #   and CNPC strike a deal on gas supplies to China", http://osw.waw.pl/en/publikacje/osw-commentary/
    #   2014-06-16/eastern-partnership-gas-gazprom-and-cnpc-strike-a-deal-gas ("ultimately 38 billion m3").
    # 30 bcm/yr western: peacekeeper.ru, '"Western Route" Becoming Priority Project for Russia-China Gas
    #   Cooperation', http://peacekeeper.ru/en/?module=news&action=view&id=22893 ("30 billion cubic meters").
    # The 2009 framework was these two lines, up to 68 bcm/yr: Offshore Technology, "Gazprom signs natural
    #   gas supply contract with CNPC", https://www.offshore-technology.com/news/newsgazprom-signs-natural-
    #   gas-supply-contract-with-cnpc-4274511/; Capital FM (AFP), "China and Russia sign huge gas deal",
    #   https://www.capitalfm.co.ke/business/2014/05/china-and-russia-sign-huge-gas-deal/ ("just over half the
    #   70 billion cubic metres envisaged under a 2009 framework").
    view = LOG.as_of("2014-12-31").volumes("pipeline_gas", binding=None)
    total = view.totals["annual volume"]
    assert (total.certain, total.possible) == (BCM("68 bcm/yr"), BCM("68 bcm/yr"))
    framework = view.get(agreement="gazprom-cnpc-framework-2009")
    assert framework.counted is False
    assert "restated by gazprom-cnpc-eastern-2014" in framework.note


def test_summary_on_2000_01_01_splits_agreements_in_force_into_certain_and_possible() -> None:
    """On 2000-01-01 no agreement is certainly in force; one (undated, ../2013) possibly is."""
    # The only agreement the sources leave possibly signed before 2000 is the "Sino-Russian Space
    # Cooperation Outline 2013-2017", for which the source gives the programme period only, no signing
    # date: unknown publisher, "Sino-Russian cooperation under the Belt and Road Initiative" (seed
    # 004_21198b7aaaa87668.txt). The first dated agreement, the Treaty of Good-Neighbourliness, was signed
    # 16 July 2001 (same seed; OSW and others).
    rows = {row.item: row for row in LOG.as_of("2000-01-01").summary()}
    line = rows["agreements in force"]
    assert (line.certain, line.possible) == ("0", "1")
    assert line.value == "0 (possibly 1)"
    point = LOG.series("agreements", "2000-01-01", "2000-01-01")[0]
    assert (point.value, point.possible, point.certain) == (0, 1, False)


def test_eastern_contract_expires_30_years_after_first_deliveries() -> None:
    """The Power of Siberia contract runs 30 years from first gas (2 December 2019): to 2049-12-02."""
    # 30-year term: OSW, "The eastern 'partnership' of gas..." (URL above), "Under this 30-year deal";
    #   ihttjia.cn, "China And Russia Have Signed A Contract For The Purchase And Sale Of Natural Gas
    #   Pipelines On The Eastern Route.", http://www.ihttjia.cn/en/newsinfo.asp?nlt=189&none=51 (from the
    #   start of supply, "a total contract period of 30 years").
    # First deliveries 2 December 2019: The Moscow Times, "Russia launches Power of Siberia gas exports to
    #   China", https://www.themoscowtimes.com/2019/12/02/russia-launches-power-siberia-gas-exports-china-a68423.
    contract = LOG.as_of("2025-12-31").agreements().get(agreement="gazprom-cnpc-eastern-2014")
    assert contract.in_force_until == "2049-12-02"
    # In 2014 deliveries were planned "from 2018" (ihttjia.cn, above): the expiry was not before 2048 and
    # open, since deliveries had not started.
    early = LOG.as_of("2014-12-31").agreements().get(agreement="gazprom-cnpc-eastern-2014")
    assert early.in_force_until == "2048-01-01.."


def test_power_of_siberia_opening_keeps_its_date_after_later_supply_events() -> None:
    """Opened 2019-12-02, before and after the December 2024 plateau event; the plateau has its own date."""
    # Opening: The Moscow Times (URL above), 2 December 2019.
    # Plateau: MENAFN, "Gazprom reports new record for daily gas exports to China",
    #   https://menafn.com/1108969910/Gazprom-reports-new-record-for-daily-gas-exports-to-China
    #   ("Since December 1 ... daily deliveries ... have reached the maximum agreed levels"); the pipeline
    #   "will not become fully operational until 2025" (The Moscow Times).
    before = LOG.as_of("2020-06-30")
    after = LOG.as_of("2025-12-31")
    assert before.projects().get(project="power-of-siberia").opened == "2019-12-02"
    assert after.projects().get(project="power-of-siberia").opened == "2019-12-02"
    assert after.projects().get(project="power-of-siberia").since != "2024-12-01"
    assert before.supply().get(route="power-of-siberia").level is None
    plateau = after.supply().get(route="power-of-siberia")
    assert (plateau.since, plateau.level, plateau.level_since) == ("2019-12-02", BCM("38 bcm/yr"), "2024-12-01")


# --- the rules, as classes, on small logs -----------------------------------------------


def add(log: ee.Log, *items: ee.Event) -> None:
    log.append(items)


def gas(agreement: str, date: str, volume: str, *, binding: bool = True, route: str | None = None,
        **extra: Any) -> ee.Event:
    if binding:
        return ee.SupplyContract(id=agreement, date=date, title=agreement, sources=Q, agreement=agreement,
                                 commodity="pipeline_gas", annual_volume=volume, route=route, **extra)
    return ee.Memorandum(id=agreement, date=date, title=agreement, sources=Q, agreement=agreement,
                         commodity="pipeline_gas", annual_volume=volume, route=route, kind="framework", **extra)


def relate(later: str, relation: str, earlier: str, date: str, part: str | None = None) -> ee.AgreementRelated:
    return ee.AgreementRelated(id=f"{later}-{relation}-{earlier}", date=date, title="relation", sources=Q,
                               agreement=later, relation=relation, earlier=earlier, part=part)


@pytest.mark.parametrize("length", [1, 2, 5])
@pytest.mark.parametrize("relation", ["restates", "implements", "amends", "supersedes", "replaces"])
def test_a_lineage_counts_once_whatever_its_length(memory_log: ee.Log, relation: str, length: int) -> None:
    """A chain of documents, each relating to the one before, counts once: the newest volume."""
    add(memory_log, gas("doc-0", "2010-01-01", "10 bcm/yr", binding=False))
    for n in range(1, length + 1):
        add(memory_log, gas(f"doc-{n}", f"{2010 + n}-01-01", f"{10 + n} bcm/yr"),
            relate(f"doc-{n}", relation, f"doc-{n - 1}", f"{2010 + n}-01-01"))
    view = memory_log.as_of("2030-01-01").volumes("pipeline_gas", binding=None)
    assert view.totals["annual volume"].possible == BCM(f"{10 + length} bcm/yr")
    assert [r.agreement for r in view if r.counted] == [f"doc-{length}"]
    past = {"restates": "restated", "implements": "implemented", "amends": "amended", "supersedes": "superseded",
            "replaces": "replaced"}[relation]
    assert all(past in r.note for r in view if not r.counted)


def test_a_document_split_across_two_later_ones_counts_its_rest_until_both_restate_it(memory_log: ee.Log) -> None:
    """A framework restated in part by one document keeps counting the rest; the second takes the rest."""
    add(memory_log, gas("frame", "2009-10-13", "70 bcm/yr", binding=False),
        gas("east", "2014-05-21", "38 bcm/yr", route="power-of-siberia"),
        relate("east", "restates", "frame", "2014-05-21", part="38 bcm/yr"),
        gas("west", "2014-11-09", "30 bcm/yr", binding=False, route="power-of-siberia-2"),
        relate("west", "restates", "frame", "2014-11-09"))
    total = lambda day: memory_log.as_of(day).contracted("pipeline_gas", binding=None).possible  # noqa: E731
    assert total("2013-01-01") == BCM("70 bcm/yr")
    assert total("2014-06-30") == BCM("70 bcm/yr")  # 38 restated + the 32 left
    assert memory_log.as_of("2014-06-30").volumes(binding=None).get(agreement="frame").counted_volume \
        == BCM("32 bcm/yr")
    assert total("2014-12-31") == BCM("68 bcm/yr")


def test_an_uncertain_restatement_splits_the_total(memory_log: ee.Log) -> None:
    """While the restating document's date straddles the day, the total is an interval, not a guess."""
    add(memory_log, gas("old", "2010-01-01", "10 bcm/yr"), gas("new", "2014-05", "12 bcm/yr"),
        relate("new", "restates", "old", "2014-05"))
    total = memory_log.as_of("2014-05-15").contracted("pipeline_gas")
    assert (total.certain, total.possible) == (None, BCM("22 bcm/yr"))


def test_an_uncertain_count_splits_into_certain_and_possible(memory_log: ee.Log) -> None:
    """An agreement that may or may not be signed by the day counts as possible, not certain, everywhere."""
    add(memory_log, ee.Memorandum(id="m", date="../2013", title="m", sources=Q, agreement="m"),
        ee.TreatySigned(id="t", date="2001-07-16", title="t", sources=Q, agreement="t", in_force_on_signature=True))
    state = memory_log.as_of("2000-01-01")
    line = {row.item: row for row in state.summary()}["agreements in force"]
    assert (line.certain, line.possible, line.value) == ("0", "1", "0 (possibly 1)")
    assert state.agreements().count == ee.Count(0, 1)
    later = {row.item: row for row in memory_log.as_of("2002-01-01").summary()}["agreements in force"]
    assert (later.certain, later.possible) == ("1", "2")
    points = memory_log.series("agreements", "2000-01-01", "2014-01-01")
    assert [(p.value, p.possible, p.certain) for p in points][::7] == [(0, 1, False), (1, 2, False), (2, 2, True)]
    assert '"possible"' in points.render("json")
    assert "possible" in points.render("csv")


def test_a_term_runs_from_the_deliveries_it_names(memory_log: ee.Log) -> None:
    """The term counts from first deliveries on the route, with their uncertainty; open until they happen."""
    add(memory_log, gas("c", "2014-05-21", "38 bcm/yr", route="power-of-siberia", start="2018", term="30 years"))
    until = lambda day: memory_log.as_of(day).agreements().get(agreement="c").in_force_until  # noqa: E731
    assert until("2015-01-01") == "2048-01-01.."  # not before the planned start; open while undelivered
    assert until("2019-06-30") == "2049-07-01.."  # the plan has passed: not before the day after
    add(memory_log, ee.SupplyStarted(id="first", date="2019-12", title="first gas", sources=Q,
                                     commodity="pipeline_gas", route="power-of-siberia"))
    assert until("2025-01-01") == "2049-12-01..2049-12-31"  # the anchor's month, carried over


def test_an_opening_keeps_its_date_and_later_deliveries_are_levels(memory_log: ee.Log) -> None:
    """A later delivery event on a route is a level reached at its own date, never a new opening."""
    add(memory_log,
        ee.SupplyStarted(id="first", date="2019-12-02", title="first gas", sources=Q, commodity="pipeline_gas",
                         route="power-of-siberia", capacity="38 bcm/yr"),
        ee.SupplyStarted(id="plateau", date="2024-12-01", title="plateau", sources=Q, commodity="pipeline_gas",
                         route="power-of-siberia", capacity="38 bcm/yr"))
    for day in ("2020-01-01", "2025-01-01"):
        row = memory_log.as_of(day).projects().get(project="power-of-siberia")
        assert (row.stage, row.since, row.opened) == ("opened", "2019-12-02", "2019-12-02")
    assert memory_log.as_of("2020-01-01").supply().get(route="power-of-siberia").level is None
    assert memory_log.as_of("2025-01-01").supply().get(route="power-of-siberia").level_since == "2024-12-01"
