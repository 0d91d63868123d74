"""As-of answers on the bundled log for sanctions targets, trade reporters and held stakes.

Each expected value was written from the public source cited beside it, not by running the
code; a test fails when the bundled log lacks the events it relies on.
"""

from __future__ import annotations

import pytest

import eurasia_events as ee

LOG = ee.load()


KNOWN = {s.id for s in LOG.sketches()}


def relies_on(*ids: str) -> None:
    """The events an answer comes from are in the bundled log."""
    missing = [i for i in ids if i not in KNOWN]
    assert not missing, f"events missing from the bundled log: {missing}"


def measures(day: str, target: str) -> set[str]:
    return {r.measure for r in LOG.as_of(day).sanctions(target=target)}


def test_measures_applying_to_sberbank_in_mid_2022() -> None:
    """Sberbank on 1 July 2022: under the US correspondent-account measure of 24 Feb 2022 and
    the EU SWIFT ban of the sixth package, but never under the March 2022 SWIFT ban."""
    relies_on("2022-02-24-us-sanctions-sberbank-vtb", "2022-06-03-eu-swift-sberbank",
              "2022-03-02-eu-swift-disconnection-seven-banks")
    found = measures("2022-07-01", "Sberbank")
    # ABA Banking Journal, "Biden administration announces unprecedented sanctions against Russia",
    # https://bankingjournal.aba.com/2022/02/biden-administration-announces-unprecedented-sanctions-against-russia/
    # (OFAC requires U.S. banks "to close any Sberbank correspondent or payable-through accounts").
    assert "us-2022-02-24-banks" in found
    # Willkie Farr & Gallagher, "EU sixth sanctions package", https://complianceconcourse.willkie.com/?p=2254
    # (SWIFT ban extended to "three additional Russian financial institutions, including Sberbank").
    assert "eu-2022-06-swift" in found
    # BOL News (AFP), "EU excludes 7 Russian banks from SWIFT under sanction",
    # https://www.bolnews.com/latest/2022/03/eu-excludes-7-russian-banks-from-swift-under-sanctions/
    # (Sberbank and Gazprombank stayed connected so EU countries could pay for gas and oil).
    assert "eu-2022-03-swift" not in found


def test_the_march_2022_swift_ban_designates_vtb_and_veb_not_sberbank() -> None:
    """Who the 2 March 2022 SWIFT ban designates on 12 March 2022: VTB and VEB among them, Sberbank not."""
    relies_on("2022-03-02-eu-swift-disconnection-seven-banks")
    # Council Regulation (EU) 2022/345 of 1 March 2022 (Official Journal of the EU), Annex XIV lists
    # Bank Otkritie, Novikombank, Promsvyazbank, Bank Rossiya, Sovcombank, VNESHECONOMBANK (VEB) and
    # VTB BANK: https://eur-lex.europa.eu/eli/reg/2022/345/oj ; Mondaq, "EU Imposes Measure To Remove 7
    # Russian Banks From SWIFT Network...", https://www.mondaq.com:443/russianfederation/export-controls-
    # trade-investment-sanctions/1168096/ ("The removal goes into effect March 12, 2022").
    designated = {r.target for r in LOG.as_of("2022-03-12").designations("eu-2022-03-swift")}
    assert {"vtb", "veb"} <= designated
    assert "sberbank" not in designated


def test_the_swift_ban_is_uncertain_between_the_dates_sources_give() -> None:
    """Effective 12 March 2022 by most sources, 'effective immediately' (2 March) by one: uncertain between."""
    relies_on("2022-03-02-eu-swift-disconnection-seven-banks")
    # Mondaq (above): "goes into effect March 12, 2022"; BOL News (AFP) (above): the exclusion is
    # "effective immediately, according to an official EU publication" (2 March 2022).
    row = LOG.as_of("2022-03-05").sanctions(target="VTB").get(measure="eu-2022-03-swift")
    assert row.certain is False
    assert LOG.as_of("2022-03-12").sanctions(target="VTB").get(measure="eu-2022-03-swift").certain


def test_rosneft_under_the_eu_september_2014_measures_from_12_september() -> None:
    """Rosneft: adopted 8 Sep 2014, in force 12 Sep 2014; not before."""
    relies_on("2014-09-08-eu-sectoral-sanctions-expanded")
    # Reuters, "EU puts top Russian oil companies on sanctions list - diplomat",
    # http://www.reuters.com/article/ukraine-crisis-sanctions-oil-idUSL5N0R92BX20140908 (Rosneft, Transneft
    # and Gazprom Neft put on the list); Osborne Clarke, "Sanctions Briefing Update: Ukraine and Russia:
    # 19 Sep 2014", https://www.osborneclarke.com/insights/sanctions-briefing-update-ukraine-and-russia-19-sep-2014/
    # (Regulation 960/2014 adopted 8 September; "came into force on 12 September 2014").
    assert "eu-2014-09-sectoral" not in measures("2014-09-11", "Rosneft")
    assert "eu-2014-09-sectoral" in measures("2014-09-20", "Rosneft")


def test_chinas_2017_figures_add_to_its_turnover_and_not_to_other_reporters() -> None:
    """China customs, 2017: exports to Russia 42.9 bn USD, imports 41.2 bn, about 84 bn together."""
    relies_on("2017-cn-exports-russia", "2017-ru-exports-china")
    # Sputnik, "Russia-China trade up" (12 Jan 2018), https://sputniknews.com/business/201801121060694384-russia-china-trade-up/
    # ("rising to $84 billion, according to figures released Friday by the Chinese customs authority";
    # Chinese exports "to $42.9 billion", Russian exports "to $41.2 billion").
    state = LOG.as_of("2018-06-01")
    trade = state.trade()
    both = trade.find(event="2017-cn-exports-russia") + trade.find(event="2017-ru-exports-china")
    total = state.trade_total(both).certain
    assert total is not None
    assert abs(total.value - 84_000_000_000) < 500_000_000
    gas = trade.find(period="2017", scope="oil and gas")
    with pytest.raises(ee.EurasiaEventsError, match="scope"):
        state.trade_total(both + gas)


def test_the_silk_road_fund_stake_was_not_held_at_the_end_of_2015() -> None:
    """SRF signed for 9.9 % of Yamal LNG on 17 Dec 2015 and bought it in March 2016: not held on 1 Jan 2016."""
    relies_on("2015-silk-road-fund-yamal-lng-9-9pct")
    # China Daily (Xinhua), "China's Silk Road Fund to buy into Russian LNG project",
    # http://covid-19.chinadaily.com.cn/bizchina/2015-12/19/content_22750133.htm ("The deal will not go
    # ahead until an intergovernmental agreement comes into force"); Reuters, "Russian banks sign loan
    # deal with Yamal LNG worth 3.6 bln euros", http://www.reuters.com/article/russia-yamal-lng-loans-idUSR4N0ZC01I
    # (11 Apr 2016: "China's Silk Road Fund bought a 9.9 percent stake for 1.09 billion euros last month").
    assert "silk-road-fund" not in LOG.as_of("2016-01-01").finance().totals["shares"]["yamal-lng"]
    held = LOG.as_of("2016-04-11").finance().totals["shares"]["yamal-lng"]["silk-road-fund"]
    assert held.certain == held.possible == ee.Quantity.parse("9.9 %")
