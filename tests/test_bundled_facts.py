"""As-of facts on the bundled, curated log, each drawn from a cited source.

Every test names (in ``relies_on``) the event ids its answer comes from, so a curator
who corrects or retracts one of them sees which facts move.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import eurasia_events as ee

LOG = ee.load()


def relies_on(*event_ids: str) -> None:
    """The events a fact comes from are in the log (as currently known)."""
    known = {e.id for e in LOG.events()}
    missing = [i for i in event_ids if i not in known]
    assert not missing, f"events missing from the bundled log: {missing}"


def q(text: str) -> ee.Quantity:
    return ee.Quantity.parse(text)


def test_eastern_route_contract() -> None:
    """The 2014 eastern-route contract: 38 bcm/yr, 30 years, in force from signature (disputed 21/22 May)."""
    relies_on("2014-05-21-pos-gas-contract")
    assert LOG.as_of("2014-05-20").contracted().possible is None
    on_the_day = LOG.as_of("2014-05-21").agreements().get(agreement="gazprom-cnpc-eastern-2014")
    assert (on_the_day.status, on_the_day.certain) == ("in force", False)  # a source dates it 22 May
    after = LOG.as_of("2014-05-23")
    assert after.contracted().certain == q("38 bcm/yr")
    row = after.volumes().get(agreement="gazprom-cnpc-eastern-2014")
    assert row.cumulative == q("1140 bcm")
    assert row.route == "power-of-siberia"


def test_power_of_siberia_deliveries() -> None:
    """Power of Siberia delivered from 2 December 2019, not before."""
    relies_on("2019-12-02-power-of-siberia-first-gas", "2014-09-power-of-siberia-construction-started")
    assert "power-of-siberia" not in [r.route for r in LOG.as_of("2019-12-01").supply()]
    assert LOG.as_of("2019-12-31").supply().get(route="power-of-siberia").certain
    assert LOG.as_of("2019-12-01").projects().get(project="power-of-siberia").stage == "construction_started"
    assert LOG.as_of("2019-12-02").projects().get(project="power-of-siberia").stage == "opened"


def test_binding_pipeline_gas_over_time() -> None:
    """Binding gas contracts: 38 bcm/yr after May 2014; 48 after the Far Eastern contract of 4 Feb 2022."""
    relies_on("2014-05-21-pos-gas-contract", "2022-02-04-gazprom-cnpc-far-east-contract",
              "2024-09-20-gazprom-cnpc-eastern-supplement")
    assert LOG.as_of("2022-02-03").contracted().certain == q("38 bcm/yr")
    assert LOG.as_of("2022-02-04").contracted().certain == q("48 bcm/yr")
    # The 2024 supplement restates the eastern route's 38 bcm/yr; it does not add to it.
    assert LOG.as_of("2024-12-31").contracted().certain == q("48 bcm/yr")


def test_power_of_siberia_2_memorandum_is_not_a_sales_contract() -> None:
    """The 2 Sept 2025 'legally binding memorandum' (50 bcm/yr) counts among memoranda, not contracts."""
    relies_on("2025-09-02-gazprom-cnpc-pos2-binding-memorandum")
    state = LOG.as_of("2025-12-31")
    assert state.contracted().certain == q("48 bcm/yr")
    memo = state.volumes(binding=False).get(agreement="gazprom-cnpc-pos2-2025")
    assert memo.annual_volume == q("50 bcm/yr")
    assert memo.counted


def test_oil_through_the_skovorodino_daqing_spur() -> None:
    """The 2009 loans-for-oil deal: 25 billion USD of CDB loans, 15 Mt/yr, deliveries from 1 Jan 2011."""
    relies_on("2009-02-17-cdb-rosneft-loan", "2009-02-17-cdb-transneft-loan", "2009-02-17-rosneft-cnpc-oil-contract",
              "2011-01-01-skovorodino-daqing-oil-deliveries")
    state = LOG.as_of("2009-12-31")
    loans = [r.amount for r in state.finance() if r.event.startswith("2009-02-17-cdb-")]
    assert sum(loans) == q("25 billion USD")
    assert state.volumes("oil").get(agreement="rosneft-cnpc-oil-2009").annual_volume == q("15 Mt/yr")
    assert "skovorodino-daqing" not in [r.route for r in LOG.as_of("2010-12-31").supply()]
    assert LOG.as_of("2011-01-01").supply().get(route="skovorodino-daqing").certain


def test_eaeu_members() -> None:
    """EAEU: founders from entry into force (1 Jan 2015), Armenia from 2 Jan, Kyrgyzstan in August 2015."""
    relies_on("2014-05-29-eaeu-treaty-signed", "2015-01-01-eaeu-treaty-in-force", "2015-01-02-armenia-joins-eaeu",
              "2015-08-12-kyrgyzstan-joins-eaeu")
    members = lambda day: sorted(r.member for r in LOG.as_of(day).members("eaeu"))  # noqa: E731
    assert members("2014-12-31") == []  # signed in May 2014, not yet in force
    assert members("2015-01-01") == ["BY", "KZ", "RU"]
    assert members("2015-06-30") == ["AM", "BY", "KZ", "RU"]
    assert members("2015-12-31") == ["AM", "BY", "KG", "KZ", "RU"]


def test_kyrgyzstan_accession_date_is_contested() -> None:
    """Sources give 6 and 12 August 2015 for Kyrgyzstan's accession: in between, the answer is uncertain."""
    relies_on("2015-08-12-kyrgyzstan-joins-eaeu")
    assert LOG.as_of("2015-08-08").members().get(member="KG").certain is False
    assert LOG.as_of("2015-08-12").members().get(member="KG").certain is True


def test_treaty_of_good_neighbourliness() -> None:
    """2001 treaty: signed 16 July 2001, in force 28 Feb 2002 for 20 years, extended in June 2021 by five."""
    relies_on("2001-07-16-treaty-good-neighbourliness-signed", "2002-02-28-treaty-good-neighbourliness-in-force",
              "2021-06-28-treaty-good-neighbourliness-extended")
    row = lambda day: LOG.as_of(day).agreements().get(agreement="treaty-good-neighbourliness-2001")  # noqa: E731
    assert row("2001-12-31").status == "signed"
    assert row("2002-02-28").status == "in force"
    assert row("2021-01-01").in_force_until == "2022-02-28"
    assert row("2022-06-01").status == "in force"
    assert row("2022-06-01").in_force_until == "2027-02-28"


def test_belt_and_road_forums_putin_attended() -> None:
    """Putin attended the three Belt and Road Forums: May 2017, April 2019, October 2023."""
    relies_on("2017-05-bri-forum-1", "2019-04-bri-forum-2", "2023-10-bri-forum-3")
    forums = LOG.as_of("2023-12-31").meetings(participant="Vladimir Putin").find(kind="forum")
    assert [r.event for r in forums] == ["2017-05-bri-forum-1", "2019-04-bri-forum-2", "2023-10-bri-forum-3"]
    assert len(LOG.as_of("2019-04-24").meetings(participant="putin").find(kind="forum")) == 1


def test_the_first_forum_has_three_seed_sources() -> None:
    """One happening, several sources: the 2017 forum cites seeds 000, 001 and 004."""
    relies_on("2017-05-bri-forum-1")
    sources = {c.source for c in LOG.get("2017-05-bri-forum-1").sources}
    assert {"seed-000", "seed-001", "seed-004"} <= sources


def test_swift_disconnection_counts_from_its_effective_date() -> None:
    """EU SWIFT ban on seven banks: decided 2 March 2022, effective 12 March 2022; one source
    (AFP via BOL News) says effective immediately, so the days between are uncertain."""
    relies_on("2022-03-02-eu-swift-disconnection-seven-banks")
    assert LOG.as_of("2022-03-01").sanctions(in_force_only=False).find(measure="eu-2022-03-swift") == []
    between = LOG.as_of("2022-03-05").sanctions().get(measure="eu-2022-03-swift")
    assert (between.status, between.certain) == ("in force", False)
    assert LOG.as_of("2022-03-12").sanctions().get(measure="eu-2022-03-swift").certain
    assert "vtb" in LOG.as_of("2022-03-12").sanctions(target="vtb").get(measure="eu-2022-03-swift").targets


def test_eu_crude_embargo_and_price_cap() -> None:
    """EU crude embargo adopted 3 June 2022, in force 5 Dec 2022, with the G7 price cap."""
    relies_on("2022-06-03-eu-crude-oil-embargo", "2022-12-02-g7-oil-price-cap")
    assert LOG.as_of("2022-12-04").sanctions().find(measure="eu-2022-06-crude-oil-embargo") == []
    in_force = {r.measure for r in LOG.as_of("2022-12-05").sanctions()}
    assert {"eu-2022-06-crude-oil-embargo", "g7-2022-12-oil-price-cap"} <= in_force


def test_2014_sectoral_sanctions() -> None:
    """EU sectoral sanctions adopted 31 July 2014, effective 1 August; none of them before."""
    relies_on("2014-07-31-eu-sectoral-sanctions", "2014-03-17-eu-first-individual-sanctions")
    assert {r.measure for r in LOG.as_of("2014-07-31").sanctions(imposer="eu")} == {"eu-2014-03-individual"}
    assert "eu-2014-07-sectoral" in {r.measure for r in LOG.as_of("2014-08-01").sanctions(imposer="eu")}


def test_yamal_lng_shares_and_first_cargo() -> None:
    """Yamal LNG: CNPC 20 %, Silk Road Fund 9.9 %; first cargo 8 Dec 2017; first delivery to China July 2018."""
    relies_on("2014-01-cnpc-yamal-lng-20pct-completed", "2015-silk-road-fund-yamal-lng-9-9pct",
              "2017-12-08-yamal-lng-first-cargo", "2018-07-19-yamal-lng-first-delivery-china")
    shares = LOG.as_of("2016-01-01").finance().totals["shares"]["yamal-lng"]
    # Held stakes count closed deals: CNPC's 20 % closed in January 2014; the Silk Road
    # Fund's 9.9 %, signed 17 Dec 2015, closed on 15 March 2016 (its deal_closed event).
    assert shares["cnpc"].certain == q("20 %")
    assert "silk-road-fund" not in shares
    assert LOG.as_of("2016-03-15").finance().totals["shares"]["yamal-lng"]["silk-road-fund"].certain == q("9.9 %")
    assert LOG.as_of("2017-12-08").projects().get(project="yamal-lng").stage == "opened"
    assert LOG.as_of("2018-07-19").supply().get(route="yamal-lng").commodity == "lng"


def test_currencies_are_never_mixed() -> None:
    """The 2016 Yamal LNG loans are in EUR and CNY: separate totals, no conversion. CNY also
    holds the 2015 CDB credit line to Sberbank, corrected from the seed's 6 bn USD to 6 bn CNY
    (AidData project 85200: correction 2026-12-01-fix-cdb-sberbank-currency)."""
    relies_on("2016-04-29-china-exim-yamal-lng-loan", "2016-04-29-cdb-yamal-lng-loan",
              "2015-05-cdb-sberbank-credit-line")
    totals = LOG.as_of("2016-12-31").finance().totals
    assert totals["CNY"].certain == q("15.8 billion CNY")
    assert totals["EUR"].certain.unit == "EUR"


def test_trade_in_2017() -> None:
    """2017: China's exports to Russia 42.876 bn USD, Russia's to China 41.195 bn USD (seed 004)."""
    relies_on("2017-cn-exports-russia", "2017-ru-exports-china")
    trade = LOG.as_of("2018-06-01").trade()
    exports = trade.get(event="2017-cn-exports-russia").value
    imports = trade.get(event="2017-ru-exports-china").value
    assert exports + imports == q("84.071 billion USD")


def test_trade_jan_sep_2023_is_a_lower_bound() -> None:
    """Jan–Sep 2023 trade was 'more than $176 billion' (seed 001): kept as a bound, not a figure."""
    relies_on("2023-10-13-cn-ru-trade-2023-jan-sep-total")
    total = LOG.as_of("2023-10-31").trade().get(event="2023-10-13-cn-ru-trade-2023-jan-sep-total")
    assert total.value == q(">176 billion USD")
    assert total.change == q("29.5 %")


def test_plans_are_not_facts() -> None:
    """Seed 003's expected CDB loan for Moscow–Kazan rail is an announcement, not a loan."""
    relies_on("2016-06-moscow-kazan-hsr-cdb-loan-expected")
    event = LOG.get("2016-06-moscow-kazan-hsr-cdb-loan-expected")
    assert event.status is ee.Status.PLANNED
    assert "moscow-kazan-hsr" not in {r.project for r in LOG.as_of("2020-01-01").finance()}
    assert LOG.as_of("2020-01-01").projects().get(project="moscow-kazan-hsr").stage == "announced"


def test_cross_border_bridges() -> None:
    """Blagoveshchensk–Heihe bridge opened 10 June 2022; the Tongjiang rail bridge carried trains from Nov 2022."""
    relies_on("2022-06-10-blagoveshchensk-heihe-bridge-opened", "2022-11-tongjiang-bridge-opened")
    assert LOG.as_of("2022-06-09").projects().get(project="blagoveshchensk-heihe-bridge").stage == "completed"
    assert LOG.as_of("2022-06-10").projects().get(project="blagoveshchensk-heihe-bridge").stage == "opened"
    tongjiang = LOG.as_of("2022-11-15").projects().get(project="nizhneleninskoye-tongjiang-bridge")
    assert (tongjiang.stage, tongjiang.certain) == ("opened", False)  # known to the month only


def test_cku_railway_start_is_disputed_and_the_seed_refuted() -> None:
    """Seed 002 puts the China–Kyrgyzstan–Uzbekistan railway's start in 2023; public sources
    refute it (work still to begin in June 2024, ceremony on 27 Dec 2024): the seed's value is
    kept as a deprecated dispute, and June 2024 answers 'proposed', certainly."""
    relies_on("2024-12-27-cku-railway-construction-started")
    event = LOG.get("2024-12-27-cku-railway-construction-started")
    assert [(d.field, d.source, d.rank) for d in event.disputes] == [("date", "seed-002", "deprecated")]
    row = LOG.as_of("2024-06-01").projects().get(project="cku-railway")
    assert (row.stage, row.certain) == ("proposed", True)
    # Before the correction that deprecated it, the seed's year made June 2024 uncertain.
    before = LOG.as_of("2024-06-01", known_at="2026-12-01T00:00:00Z").projects().get(project="cku-railway")
    assert (before.stage, before.certain) == ("construction_started", False)


def test_joint_statements() -> None:
    """The May 2015 BRI–EAEU joint statement and the 4 Feb 2022 'no limits' statement are in effect when signed."""
    relies_on("2015-05-08-joint-statement-sreb-eaeu", "2022-02-04-joint-statement-no-limits")
    assert LOG.as_of("2015-05-08").agreements().get(agreement="js-2015-sreb-eaeu").status == "in force"
    statements = {r.agreement for r in LOG.as_of("2022-02-04").agreements() if r.kind == "joint_statement"}
    assert len(statements) >= 5


def test_garbled_names_are_aliases() -> None:
    """Seed 004's machine-translated 'Novartis' is Novatek, never an entity of its own."""
    assert LOG.entities.resolve("Novartis").id == "novatek"
    assert "novartis" not in LOG.entities


def test_every_event_is_sourced_with_a_quote() -> None:
    """Every event has at least one source with a non-empty quote, from a registered source."""
    for event in LOG.events():
        assert event.sources, event.id
        for citation in event.sources:
            assert citation.quote.strip(), event.id
            assert citation.source in LOG.sources, event.id


SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"seed documents not found at {SEEDS} (CI provides them)")
def test_every_seed_quote_is_verbatim() -> None:
    """Every quote attributed to a seed file appears in it (whitespace-normalised)."""
    from eurasia_events.cli import check_quotes

    assert check_quotes(LOG, SEEDS) == []
