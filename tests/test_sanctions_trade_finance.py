"""Sanctions targets and designations, trade reporters, signed versus closed deals, and the
statement, ratified and policy_measure types, on small hand-written logs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import eurasia_events as ee
from logkit import QUOTE, copy_registries, log_of, new_log

Q = QUOTE


def sanction(**changes: Any) -> ee.SanctionsImposed:
    data: dict[str, Any] = {"id": "m", "date": "2022-06-03", "title": "package", "sources": Q, "measure": "m",
                            "imposer": "eu", "targets": ["RU", "sberbank"], "description": "d"}
    data.update(changes)
    return ee.SanctionsImposed(**data)


def measures(log: ee.Log, day: str, target: str) -> list[str]:
    return [r.measure for r in log.as_of(day).sanctions(target=target)]


# --- statements, ratifications, policy measures ----------------------------------------


def test_a_statement_changes_no_view_and_shows_in_the_timeline() -> None:
    """A claim (a ranking, a forecast) is no happening: every view is empty, the timeline lists it."""
    log = log_of(ee.Statement(id="s", date="2024-01-10", title="Trade will reach 300 bn", sources=Q,
                              speaker="putin", subject="power-of-siberia", claim="Trade will reach $300bn",
                              figure="300 billion USD"))
    state = log.as_of("2030-01-01")
    for name in ("agreements", "supply", "sanctions", "projects", "finance", "meetings", "trade", "policies"):
        assert len(state.view(name)) == 0, name
    assert [r.id for r in log.timeline(kind="statement", party="Putin")] == ["s"]


def test_ratifications_show_per_party_and_do_not_bring_entry_into_force() -> None:
    """Each party's ratification is a stage on the agreement's row; in force only from entry into force."""
    log = log_of(
        ee.TreatySigned(id="t-signed", date="2001-07-16", title="t", sources=Q, agreement="t", kind="treaty",
                        parties=["RU", "CN"]),
        ee.Ratified(id="t-cn", date="2001-10-27", title="cn", sources=Q, agreement="t", party="CN",
                    body="NPC Standing Committee"),
        ee.Ratified(id="t-ru", date="2001-12", title="ru", sources=Q, agreement="t", party="RU", body="State Duma"),
        ee.EnteredIntoForce(id="t-eif", date="2002-02-28", title="eif", sources=Q, agreement="t"))
    row = log.as_of("2001-12-15").agreements().get(agreement="t")
    assert row.status == "signed"
    assert row.ratified == ("CN: NPC Standing Committee, 2001-10-27", "RU: State Duma, 2001-12-01..2001-12-31?")
    assert log.as_of("2001-11-01").agreements().get(agreement="t").ratified == (
        "CN: NPC Standing Committee, 2001-10-27",)
    later = log.as_of("2002-03-01").agreements().get(agreement="t")
    assert later.status == "in force"
    assert later.ratified[1] == "RU: State Duma, 2001-12-01..2001-12-31"


def visa_free(**changes: Any) -> ee.PolicyMeasure:
    data: dict[str, Any] = {"id": "v", "date": "2025-09-02", "title": "visa-free", "sources": Q,
                            "measure": "cn-visa-free", "imposer": "CN", "beneficiary": "RU",
                            "effective": "2025-09-15", "until": "2026-09-14"}
    data.update(changes)
    return ee.PolicyMeasure(**data)


def test_a_policy_measure_applies_from_effective_to_until_inclusive() -> None:
    """Announced, in effect from its effective day through its last day, ended the day after."""
    log = log_of(visa_free())
    assert len(log.as_of("2025-09-14").policies()) == 0
    assert log.as_of("2025-09-14").policies(in_effect_only=False).get(measure="cn-visa-free").status == "announced"
    assert log.as_of("2025-09-15").policies().get(measure="cn-visa-free").certain
    assert log.as_of("2026-09-14").policies(beneficiary="Russia").get(measure="cn-visa-free").certain
    assert len(log.as_of("2026-09-15").policies()) == 0
    assert log.as_of("2026-09-15").policies(in_effect_only=False).get(measure="cn-visa-free").status == "ended"


def test_a_policy_measure_with_a_partial_date_is_uncertain_and_renewals_add_terms() -> None:
    """A month-precision start is possible inside the month; a renewal with the same slug extends it."""
    log = log_of(visa_free(effective="2025-09"),
                 visa_free(id="v2", date="2026-08-01", effective="2026-09-15", until="2027-09-14"))
    assert log.as_of("2025-09-10").policies().get(measure="cn-visa-free").certain is False
    assert log.as_of("2025-10-01").policies().get(measure="cn-visa-free").certain
    row = log.as_of("2027-01-01").policies().get(measure="cn-visa-free")
    assert (row.certain, row.until, row.events) == (True, "2027-09-14", ("v", "v2"))


# --- sanctions: targets, designations, disputes, extensions, delistings ------------------


def test_sanctions_for_an_entity_resolve_aliases_and_need_a_named_designation() -> None:
    """`target=` takes a name or alias; a measure naming only the country does not list the bank."""
    log = log_of(sanction(), sanction(id="c", measure="country", targets=["RU"]))
    assert measures(log, "2022-07-01", "Sberbank") == ["m"]
    assert measures(log, "2022-07-01", "sberbank") == ["m"]
    assert measures(log, "2022-06-02", "Sberbank") == []
    assert sorted(measures(log, "2022-07-01", "RU")) == ["country", "m"]


def test_a_disputed_effective_date_makes_the_days_between_uncertain(tmp_path: Path) -> None:
    """Adopted and effective dates stay apart; a dispute on the effective date widens it (fast path too)."""
    copy_registries(tmp_path)
    writer = ee.Log(ee.FileStore(tmp_path / "log.jsonl"), entities=new_log(ee.MemoryStore()).entities,
                    sources=new_log(ee.MemoryStore()).sources)
    writer.append([sanction(date="2022-03-02", effective="2022-03-12", targets=["RU", "vtb"],
                            disputes=[{"field": "effective", "value": "2022-03-02", "source": "seed-004"}])])
    log = ee.load(tmp_path)
    assert [(r.status, r.certain) for r in log.as_of("2022-03-01").sanctions(in_force_only=False)] == []
    between = log.as_of("2022-03-05").sanctions(target="vtb").get(measure="m")
    assert (between.status, between.certain, between.effective) == ("in force", False, "2022-03-02..2022-03-12")
    assert log.as_of("2022-03-12").sanctions(target="vtb").get(measure="m").certain
    assert [r.certain for r in log.as_of("2022-03-05").designations("m")] == [False, False]


def test_extensions_add_targets_from_their_date_and_delistings_remove_them() -> None:
    """Who a measure designates changes with extensions and delistings, each from its effective day."""
    log = log_of(
        sanction(until="2023-01-31", persons=10),
        ee.SanctionsExtended(id="x", date="2022-10-06", title="more", sources=Q, measure="m", targets=["vtb"],
                             persons=5, effective="2022-10-07"),
        ee.SanctionsDelisted(id="d", date="2022-12", title="delisted", sources=Q, measure="m",
                             targets=["sberbank"], persons=2))
    assert [r.target for r in log.as_of("2022-10-06").designations("m")] == ["RU", "sberbank"]
    state = log.as_of("2022-11-01")
    assert sorted(r.target for r in state.designations("m")) == ["RU", "sberbank", "vtb"]
    assert str(state.designations("m").totals["persons"]) == "15"
    assert state.sanctions().get(measure="m").until == "2023-01-31"  # a widening keeps the expiry
    during = log.as_of("2022-12-15")
    assert during.designations("m").get(target="sberbank").certain is False
    assert str(during.designations("m").totals["persons"]) == "13 (possibly 15)"
    assert during.sanctions(target="Sberbank").get(measure="m").certain is False
    assert measures(log, "2023-01-01", "Sberbank") == []
    assert measures(log, "2023-01-01", "VTB") == ["m"]
    assert len(log.as_of("2023-02-01").designations("m")) == 0  # expired


def test_a_bare_renewal_still_ends_the_expiry() -> None:
    """An extension with no targets and no date renews the measure without end (as before)."""
    log = log_of(sanction(until="2023-01-31"),
                 ee.SanctionsExtended(id="x", date="2023-01-20", title="renewed", sources=Q, measure="m"))
    assert log.as_of("2024-01-01").sanctions().get(measure="m").until is None


def test_designations_of_an_unknown_measure_name_what_is_known() -> None:
    """Asking for a measure the log lacks names the measures there are."""
    with pytest.raises(ee.EurasiaEventsError, match="known: m"):
        log_of(sanction()).as_of("2023-01-01").designations("nope")


# --- trade: reporters side by side, never added across ------------------------------------


def figure(n: str, reporter: str | None, value: str, period: str = "2023", flow: str = "total",
           **changes: Any) -> ee.TradeStatistic:
    return ee.TradeStatistic(id=n, date="2024-01-12", title=n, sources=Q, period=period, flow=flow, value=value,
                             reporter=reporter, **changes)


def test_trade_shows_both_reporters_for_the_same_year() -> None:
    """China's and Russia's customs figures for one year are two rows; neither overwrites the other."""
    log = log_of(figure("cn", "china-customs", "240.11 billion USD"),
                 figure("ru", "RU", "227.8 billion USD"),
                 figure("cn-rev", "china-customs", "240.1 billion USD"))
    rows = log.as_of("2024-06-01").trade()
    assert sorted((r.reporter, r.event, r.scope) for r in rows) == [
        ("RU", "ru", "all goods"), ("china-customs", "cn-rev", "all goods")]
    assert rows.totals == {}


def test_trade_total_adds_only_like_figures_over_separate_periods() -> None:
    """Months of one reporter and flow add up; other reporters, flows, scopes or overlaps are refused."""
    log = log_of(figure("h1", "china-customs", "100 billion USD", period="2023-01/2023-06"),
                 figure("h2", "china-customs", "140 billion USD", period="2023-07/2023-12"),
                 figure("ru", "RU", "227.8 billion USD"),
                 figure("year", "china-customs", "240 billion USD"),
                 figure("ex", "china-customs", "110 billion USD", flow="exports", exporter="CN", importer="RU"),
                 figure("oil", "china-customs", "60 billion USD", commodity="oil"))
    state = log.as_of("2024-06-01")
    trade = state.trade()
    assert str(state.trade_total(trade.find(event="h1") + trade.find(event="h2"))) == "240000000000 USD"
    for other, what in (("ru", "reporter"), ("year", "overlapping"), ("ex", "direction of trade"), ("oil", "scope")):
        with pytest.raises(ee.EurasiaEventsError, match=what):
            state.trade_total(trade.find(event="h1") + trade.find(event=other))


def test_trade_total_adds_one_reporters_exports_and_imports_into_turnover() -> None:
    """Exports and imports of one reporter for a year add up; the same direction twice, or no direction, is refused."""
    log = log_of(figure("ex", "china-customs", "53.68 billion USD", period="2014", flow="exports",
                        exporter="CN", importer="RU"),
                 figure("im", "china-customs", "41.6 billion USD", period="2014", flow="imports",
                        exporter="RU", importer="CN"),
                 figure("ex2", "china-customs", "4 billion USD", period="2014-01", flow="exports",
                        exporter="CN", importer="RU"),
                 figure("nodir", "china-customs", "41.6 billion USD", period="2015", flow="imports"))
    state = log.as_of("2024-06-01")
    trade = state.trade()
    assert str(state.trade_total(trade.find(event="ex") + trade.find(event="im"))) == "95280000000 USD"
    with pytest.raises(ee.EurasiaEventsError, match="overlapping"):
        state.trade_total(trade.find(event="ex") + trade.find(event="ex2"))
    with pytest.raises(ee.EurasiaEventsError, match="direction is unknown"):
        state.trade_total(trade.find(event="ex") + trade.find(event="nodir"))


# --- finance: signed is not closed -------------------------------------------------------


def stake(n: str, **changes: Any) -> ee.Investment:
    data: dict[str, Any] = {"id": n, "date": "2015-12-17", "title": n, "sources": Q, "investor": "silk-road-fund",
                            "project": "yamal-lng", "stake": "9.9 %", "amount": "1.09 billion EUR"}
    data.update(changes)
    return ee.Investment(**data)


def test_a_signed_deal_is_not_held_until_it_closes() -> None:
    """Signed: a row saying so, no stake held, no money closed; from the closing (a month: uncertain) it is held."""
    log = log_of(stake("srf", completion="signed"),
                 ee.DealClosed(id="srf-closed", date="2016-03", title="closed", sources=Q, deal="srf"))
    before = log.as_of("2016-01-01").finance()
    assert (before.get(event="srf").stage, before.get(event="srf").closed) == ("signed", None)
    assert "shares" not in before.totals
    assert "closed EUR" not in before.totals
    assert str(before.totals["EUR"]) == "1090000000 EUR"
    during = log.as_of("2016-03-15").finance()
    assert during.get(event="srf").stage == "closed"
    assert str(during.totals["shares"]["yamal-lng"]["silk-road-fund"]) == "0 (possibly 9.9 %)"
    after = log.as_of("2016-04-01").finance()
    assert str(after.totals["shares"]["yamal-lng"]["silk-road-fund"]) == "9.9 %"
    assert str(after.totals["closed EUR"]) == "1090000000 EUR"


def test_closing_bounds_buyer_and_seller_and_unstated_deals_are_possible() -> None:
    """A closed sale moves the stake; a deal that does not say whether it closed counts as possibly held."""
    log = log_of(stake("a", investor="novatek", stake="60 %", completion="closed", date="2010"),
                 stake("b", investor="cnpc", stake="20 %", seller="novatek", completion="closed", date="2014-01"),
                 stake("c", stake="9.9 %", seller="novatek"))
    held = log.as_of("2014-01-15").finance().totals["shares"]["yamal-lng"]
    assert (str(held["cnpc"]), str(held["novatek"])) == ("0 (possibly 20 %)", "40 % (possibly 60 %)")
    held = log.as_of("2016-01-01").finance().totals["shares"]["yamal-lng"]
    assert (str(held["cnpc"]), str(held["novatek"])) == ("20 %", "30.1 % (possibly 40 %)")
    assert str(held["silk-road-fund"]) == "0 (possibly 9.9 %)"


def test_a_loan_drawn_in_tranches_counts_each_tranche_from_its_day() -> None:
    """Two drawdowns of 10 and 5 bn: closed money is 10 bn after the first, 15 bn after the second."""
    loan = ee.Loan(id="cdb", date="2009-02-17", title="loan", sources=Q, lender="cdb", borrower="rosneft",
                   amount="15 billion USD", kind="loan", completion="signed")
    log = log_of(loan,
                 ee.DealClosed(id="t1", date="2009-10-31", title="t1", sources=Q, deal="cdb", amount="10 billion USD"),
                 ee.DealClosed(id="t2", date="2010", title="t2", sources=Q, deal="cdb", amount="5 billion USD"))
    assert "closed USD" not in log.as_of("2009-06-01").finance().totals
    assert str(log.as_of("2009-11-01").finance().totals["closed USD"]) == "10000000000 USD"
    assert str(log.as_of("2010-06-01").finance().totals["closed USD"]) == "10000000000 USD (possibly 15000000000 USD)"
    assert str(log.as_of("2011-01-01").finance().totals["closed USD"]) == "15000000000 USD"
