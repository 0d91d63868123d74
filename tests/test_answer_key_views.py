"""The answer key of issue 12, view by view: as-of answers on the bundled log, each derived
from the text of the public source cited beside it (the passage kept in
``curation/*_quotes.json`` under that source's id), not from the log's events or the code.

Boundary days are checked where the sources give a day: the day before and the day of a
signature, an entry into force, an accession, an opening or a report; an expiry the day
before and after. Where two sources give different days, the days between answer
``certain=False``. An answer the log or the library gets wrong is kept and marked
``xfail(strict=True)`` with the reason: the data or the code is to be fixed, not the key.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

import eurasia_events as ee

LOG = ee.load()
Q = ee.Quantity.parse


def members(day: str) -> set[str]:
    return {r.member for r in LOG.as_of(day).members("eaeu")}


def agreement(day: str, slug: str) -> Any:
    found = LOG.as_of(day).agreements().find(agreement=slug)
    return found[0] if found else None


def project(day: str, slug: str) -> Any:
    found = LOG.as_of(day).projects().find(project=slug)
    return found[0] if found else None


def route(day: str, slug: str) -> Any:
    found = LOG.as_of(day).supply().find(route=slug)
    return found[0] if found else None


def figure(day: str, period: str, reporter: str, exporter: str | None = None) -> Any:
    """One reporter's figure for a period: the turnover, or the flow from ``exporter`` (however labelled)."""
    rows = [r for r in LOG.as_of(day).trade().find(period=period, reporter=reporter, scope="all goods")
            if (r.flow == "total" if exporter is None else (r.flow != "total" and r.exporter == exporter))]
    assert len(rows) <= 1, rows
    return rows[0] if rows else None


def billions(row: Any) -> Decimal:
    return row.value.value / Decimal(1_000_000_000)


def meeting_events(day: str, participant: str | None = None) -> dict[str, Any]:
    return {r.event: r for r in LOG.as_of(day).meetings(participant=participant)}


def summary(day: str) -> dict[str, Any]:
    return {r.item: r for r in LOG.as_of(day).summary()}


# --- members ----------------------------------------------------------------------------
# Russian MFA (Embassy in Thailand), "About Eurasian Economic Union",
#   https://thailand.mid.ru/en/press-centre/news/about_eurasian_economic_union : the Treaty on the
#   EAEU "was signed by the leaders of Belarus, Kazakhstan, and Russia on this day [29 May] in 2014 and
#   came into force on 1 January 2015"; "Armenia's accession came into effect on 2 January 2015.
#   Kyrgyzstan's accession came into effect on 6 August 2015."


def test_eaeu_has_no_members_before_its_treaty_enters_into_force() -> None:
    """On 31 Dec 2014 the EAEU treaty is signed but not in force: no members yet."""
    # MFA (above); Eurasian Economic Commission, "The Presidents of Belarus, Kazakhstan and Russia signed a
    # Treaty on the Eurasian Economic Union in Astana", http://www.eurasiancommission.org/en/nae/news/Pages/
    # 29-05-2014-1.aspx ("the Eurasian Economic Union will start functioning from January 1, 2015 onwards").
    assert members("2014-12-31") == set()


def test_eaeu_founding_members_on_1_january_2015() -> None:
    """On 1 Jan 2015: Belarus, Kazakhstan and Russia, members since that day; Armenia not yet."""
    # commonspace.eu, "Armenia becomes 4th member of EEU which came into being on 1 January 2015",
    # https://www.commonspace.eu/commentary/armenia-becomes-4th-member-eeu-which-came-being-1-january-2015
    # ("The Union officially came into being the day before with three member states: Belarus, Kazakhstan
    # and Russia. The one day difference means that Armenia will not be considered as a founding member").
    rows = LOG.as_of("2015-01-01").members("eaeu")
    assert {r.member for r in rows} == {"BY", "KZ", "RU"}
    assert {r.since for r in rows} == {"2015-01-01"}
    assert all(r.certain for r in rows)


def test_armenia_joins_the_eaeu_on_2_january_2015() -> None:
    """Armenia: member from 2 Jan 2015 (since that day), certainly."""
    # commonspace.eu (above): "Armenia on Friday (2 January 2015) became the 4th member"; MFA (above).
    row = LOG.as_of("2015-01-02").members("eaeu").get(member="AM")
    assert (row.since, row.certain) == ("2015-01-02", True)


def test_kyrgyzstan_joins_the_eaeu_on_6_august_2015_not_before() -> None:
    """Kyrgyzstan: not a member on 5 Aug 2015; a member from 6 Aug (the treaty's entry into force)."""
    # TASS, "Kyrgyzstan becomes full-fledged member of Eurasian Economic Union", https://tass.com/economy/812859
    # ("The treaty on Kyrgyzstan's joining the Eurasian Economic Union comes into force from August 6, 2015";
    # "Kyrgyzstan becomes the fifth full-fledged member ... along with Armenia, Belarus, Kazakhstan and
    # Russia"); MFA (above). EUobserver, "Kyrgyzstan joins Russian-led Eurasian Union", https://
    # denederlandsegrondwet.nl/id/vjwfd4pu6rxc/nieuws/kyrgyzstan_joins_russian_led_eurasian, says 12 August
    # (customs borders opened): certain from 12 August whichever source one follows.
    assert "KG" not in members("2015-08-05")
    assert "KG" in members("2015-08-06")
    assert LOG.as_of("2015-08-12").members("eaeu").get(member="KG").certain is True
    assert members("2015-08-12") == {"AM", "BY", "KG", "KZ", "RU"}


# --- agreements: signature, entry into force, expiry ------------------------------------


def test_treaty_of_2001_signed_16_july_in_force_28_february_2002() -> None:
    """The 2001 treaty: absent on 15 Jul 2001, signed from 16 Jul 2001, in force from 28 Feb 2002."""
    # Wikipedia, "2001 Sino-Russian Treaty of Friendship", https://en.wikipedia.org/wiki/2001_Sino-Russian_
    # Treaty_of_Friendship ("signed by ... Jiang Zemin and ... Vladimir Putin on 16 July 2001, and it came
    # into force on 28 February 2002"; "a twenty-year strategic treaty"); China.org.cn / Xinhua, "Putin signs
    # law on Russia-China treaty", http://china.org.cn/english/FR/26084.htm ("signed the landmark treaty in
    # Moscow on July 16, 2001").
    slug = "treaty-good-neighbourliness-2001"
    assert agreement("2001-07-15", slug) is None
    assert agreement("2001-07-16", slug).status == "signed"
    assert agreement("2002-02-27", slug).status == "signed"
    row = agreement("2002-02-28", slug)
    assert (row.status, row.certain, row.signed, row.in_force_from) == ("in force", True, "2001-07-16", "2002-02-28")
    # twenty years from entry into force
    assert row.in_force_until == "2022-02-28"


def test_treaty_of_2001_still_in_force_after_its_2026_automatic_extension() -> None:
    """After its second five-year extension (Feb 2026) the treaty is certainly in force on 17 Jul 2026, 1 Mar 2027."""
    # TASS, "Russia, China to decide on treaty of good neighborhood by its 2026 expiry — Lavrov",
    # https://tass.com/politics/2042125 ("the date of July 16, 2026"; "Its term was twenty years. The treaty
    # was renewed for five years in June 2021"); Wikipedia (above): "extended the treaty for another 5 years
    # after its expiration in February 2022" (to February 2027); Gazeta.ru, "Ушаков: договор о сотрудничестве
    # России и КНР был автоматически продлен на 5 лет", https://www.gazeta.ru/politics/news/2026/02/04/
    # 27777997.shtml ("был автоматически продлен на очередной пятилетний период", 4 Feb 2026). Whether the
    # term ran to 16 Jul 2026 or to Feb 2027, five more years cover both days.
    for day in ("2026-07-17", "2027-03-01"):
        row = agreement(day, "treaty-good-neighbourliness-2001")
        assert (row.status, row.certain) == ("in force", True)


def test_eaeu_treaty_signed_29_may_2014_in_force_1_january_2015() -> None:
    """The EAEU treaty: signed (not in force) on 31 Dec 2014, in force from 1 Jan 2015."""
    # Eurasian Economic Commission (above); MFA (above).
    assert agreement("2014-05-28", "treaty-eaeu-2014") is None
    assert agreement("2014-12-31", "treaty-eaeu-2014").status == "signed"
    assert agreement("2015-01-01", "treaty-eaeu-2014").in_force_from == "2015-01-01"


def test_armenia_accession_treaty_signed_9_or_10_october_2014() -> None:
    """Armenia's accession treaty: absent 8 Oct, possible 9 Oct (MFA's day), certain from 10 Oct 2014."""
    # commonspace.eu, "Armenia signs treaty of accession to the Eurasian Economic Union.", https://www.
    # commonspace.eu/armenia-signs-treaty-accession-eurasian-economic-union ("signs the accession treaty ...
    # in Minsk on 10 October 2014"); MFA (above): "signed on 9 October and 23 December 2014, respectively".
    slug = "treaty-armenia-accession-eaeu-2014"
    assert agreement("2014-10-08", slug) is None
    assert agreement("2014-10-09", slug).certain is False
    assert agreement("2014-10-10", slug).certain is True


def test_armenia_accession_treaty_enters_into_force_2_january_2015() -> None:
    """Armenia's accession treaty: signed on 1 Jan 2015, in force on 2 Jan 2015."""
    # MFA (above): "Armenia's accession came into effect on 2 January 2015".
    slug = "treaty-armenia-accession-eaeu-2014"
    assert agreement("2015-01-01", slug).status == "signed"
    assert agreement("2015-01-02", slug).status == "in force"


def test_kyrgyzstan_accession_treaty_signed_23_december_2014_in_force_6_august_2015() -> None:
    """Kyrgyzstan's accession treaty: signed 23 Dec 2014; signed only on 5 Aug 2015; in force 6 Aug 2015."""
    # Radio Free Europe/Radio Liberty, "Kyrgyzstan Signs EEU Deal As Divisions Emerge In New Alliance",
    # https://www.rferl.org/a/kyrgyzstan-signs-eurasian-union-deal/26759237.html ("In signing the new accord
    # on December 23"); TASS (above): "signed on December 23, 2014"; "comes into force from August 6, 2015".
    slug = "treaty-kyrgyzstan-accession-eaeu-2014"
    assert agreement("2014-12-22", slug) is None
    assert agreement("2014-12-23", slug).status == "signed"
    assert agreement("2015-08-05", slug).status == "signed"
    row = agreement("2015-08-06", slug)
    assert (row.status, row.in_force_from) == ("in force", "2015-08-06")


def test_currency_swap_of_2014_three_years_from_signature() -> None:
    """PBOC–CBR swap: absent 12 Oct 2014, in force 13 Oct 2014 until 13 Oct 2017, expired 14 Oct 2017."""
    # AidData, "CBR makes RMB 59.7 billion drawdown under currency swap agreement with PBOC in 2023",
    # https://china.aiddata.org/projects/102322 ("On October 13, 2014, the Central Bank of the Russian
    # Federation (CBR) and the People's Bank of China (PBOC) signed an RMB 150 billion ... swap agreement");
    # LeapRate, "Russia, China seal CNY 150bn currency swap deal", https://leaprate.com/2014/10/russia-china-
    # seal-cny-150bn-currency-swap-deal ("The agreement is for three years"); TASS, "Russia and China discuss
    # prolonging currency swap agreement for three years", http://tass.com/economy/973285 (31 Oct 2017, still
    # "working on extending the bilateral currency swap agreement of October 13, 2014").
    slug = "pboc-cbr-swap-2014"
    assert agreement("2014-10-12", slug) is None
    row = agreement("2014-10-13", slug)
    assert (row.status, row.in_force_until) == ("in force", "2017-10-13")
    assert agreement("2017-10-12", slug).status == "in force"
    assert agreement("2017-10-14", slug).status == "expired"


def test_currency_swap_renewed_22_november_2017_for_three_years() -> None:
    """No swap line in force on 21 Nov 2017; the renewal is in force from 22 Nov 2017 to 22 Nov 2020."""
    # AidData (above): "On November 22, 2017, the CBR and the PBOC renewed the currency swap agreement
    # (facility) to RMB 150 billion for a term of three years."
    in_force = {r.agreement for r in LOG.as_of("2017-11-21").agreements(status="in force")}
    assert not {"pboc-cbr-swap-2014", "pboc-cbr-swap-2017"} & in_force
    row = agreement("2017-11-22", "pboc-cbr-swap-2017")
    assert (row.status, row.in_force_until) == ("in force", "2020-11-22")


def test_eaeu_china_agreement_signed_17_may_2018_and_not_in_force_in_april_2019() -> None:
    """EAEU–China trade agreement: absent 16 May 2018; signed 17 May 2018; still only signed on 25 Apr 2019."""
    # Eurasian Economic Commission, "Agreement signed on trade and economic cooperation between EAEU and
    # PRC", http://www.eurasiancommission.org/en/nae/news/Pages/17-05-2018-5.aspx ("signed on May 17 within
    # the framework of the Astana Economic Forum"); TASS, "Putin expects EAEU-China cooperation deal to come
    # into force in coming months", https://tass.com/politics/1055553 (25 Apr 2019).
    slug = "eaeu-china-trade-economic-cooperation-2018"
    assert agreement("2018-05-16", slug) is None
    assert agreement("2018-05-17", slug).status == "signed"
    assert agreement("2019-04-25", slug).status == "signed"


def test_eaeu_china_agreement_in_force_by_the_joint_commission_of_28_october_2020() -> None:
    """EAEU–China trade agreement: certainly in force on 28 Oct 2020 (its joint commission first met)."""
    # Eurasian Economic Commission, "Andrey Slepnev proposed to elaborate road map ...", http://www.
    # eurasiancommission.org/en/nae/news/Pages/30-10-2020-01.aspx ("the first meeting of the Joint Commission
    # for implementing the Agreement on Trade and Economic Cooperation ... held on October 28").
    row = agreement("2020-10-28", "eaeu-china-trade-economic-cooperation-2018")
    assert (row.status, row.certain) == ("in force", True)


def test_far_eastern_route_iga_signed_31_january_2023_in_force_by_22_october_2023() -> None:
    """Far Eastern route IGA: signed only on 6 Jun 2023 (ratified by Russia on 7 Jun); in force on 22 Oct 2023."""
    # TASS, "Russia ratifies agreement with China on gas supplies via Far East route", https://tass.com/
    # economy/1628909 ("The Federation Council ... approved the law on ratification at a plenary session on
    # Wednesday" [7 June 2023]; "signed in Moscow and Beijing on January 31, 2023"); TASS, "Russia to begin gas
    # supplies to China along Far Eastern route by 2027", https://tass.com/economy/1695103 (22 Oct 2023, Miller:
    # "We signed a new agreement, which has come into force").
    slug = "ru-cn-far-eastern-route-iga-2023"
    assert agreement("2023-06-06", slug).status == "signed"
    row = agreement("2023-10-22", slug)
    assert (row.status, row.certain) == ("in force", True)


# China Daily, "China, Russia sign energy accords", https://covid-19.chinadaily.com.cn/china/2009-04/22/
#   content_7701373.htm (22 Apr 2009: the intergovernmental agreement signed "in Beijing Tuesday" [21 April];
#   "A series of agreements between Chinese and Russian companies on pipeline construction, crude oil trade,
#   loans and other projects will become immediately effective").


def test_oil_package_of_2009_in_force_from_the_intergovernmental_agreement_of_21_april() -> None:
    """The 2009 Rosneft–CNPC oil contract: in force on 21 Apr 2009, from that day."""
    row = agreement("2009-04-21", "rosneft-cnpc-oil-2009")
    assert (row.status, row.certain, row.in_force_from) == ("in force", True, "2009-04-21")


def test_oil_package_of_2009_not_in_force_the_day_before_21_april() -> None:
    """The 2009 Rosneft–CNPC oil contract: signed, not in force, on 20 Apr 2009."""
    assert agreement("2009-04-20", "rosneft-cnpc-oil-2009").status == "signed"


def test_treaty_of_2001_ratifications_by_its_entry_into_force() -> None:
    """On 1 Mar 2002 the treaty's `ratified` lists the NPC Standing Committee, Duma, Federation Council, Putin."""
    # Wikipedia (above): "The Standing Committee of the National People's Congress of China approved the treaty
    # on 27 October 2001. It was also ratified by Russia's State Duma on 26 December 2001, the Federation Council
    # on 16 January 2002, and by President Vladimir Putin on 25 January 2002"; China.org.cn / Xinhua (above):
    # "Russia's State Duma ... ratified the treaty ... on December 26, and the Federation Council ... approved it
    # on January 16".
    assert set(agreement("2002-03-01", "treaty-good-neighbourliness-2001").ratified) == {
        "CN: NPC Standing Committee, 2001-10-27", "RU: State Duma, 2001-12-26",
        "RU: Federation Council, 2002-01-16", "RU: President, 2002-01-25"}


def test_far_eastern_route_iga_ratified_by_the_federation_council_on_7_june_2023() -> None:
    """Far Eastern route IGA: the Federation Council's ratification (7 Jun 2023) is listed from that day, not 6 Jun."""
    # TASS, "Russia ratifies agreement with China on gas supplies via Far East route", https://tass.com/economy/
    # 1628909 ("The Federation Council ... approved the law on ratification at a plenary session on Wednesday"
    # [7 Jun 2023]).
    slug = "ru-cn-far-eastern-route-iga-2023"
    assert "RU: Federation Council, 2023-06-07" not in agreement("2023-06-06", slug).ratified
    assert "RU: Federation Council, 2023-06-07" in agreement("2023-06-07", slug).ratified


def test_treaty_of_2001_has_no_russian_ratification_before_26_december_2001() -> None:
    """On 25 Dec 2001 no Russian ratification of the treaty is listed."""
    # Wikipedia and China.org.cn (above): the Duma ratified on 26 December 2001, the Federation Council on
    # 16 January 2002.
    assert not [r for r in agreement("2001-12-25", "treaty-good-neighbourliness-2001").ratified
                if r.startswith("RU:")]


# --- volumes ----------------------------------------------------------------------------


def test_binding_pipeline_gas_rises_from_38_to_48_bcm_on_4_february_2022() -> None:
    """Binding pipeline gas: 38 bcm/yr on 3 Feb 2022, 48 bcm/yr from 4 Feb 2022 (the Far Eastern contract)."""
    # TASS, "Gazprom and CNPC sign long-term agreement on Far Eastern route", https://tass.com/economy/1398047
    # ("signed a long-term agreement on the supply of 10 bln cubic meters of natural gas via the Far Eastern
    # route ... on Friday" [4 Feb 2022]); Orinoco Tribune, https://orinocotribune.com/putin-announced-new-gas-
    # supply-contract-with-china/ ("This Friday, February 4"); TASS (22 Oct 2023, above): "plus 10 billion
    # cubic meters of gas on top of the 38 billion under the Sila Sibiri contract"; OSW (2014), "The eastern
    # 'partnership' of gas", http://osw.waw.pl/en/publikacje/osw-commentary/2014-06-16/eastern-partnership-gas-
    # gazprom-and-cnpc-strike-a-deal-gas ("ultimately 38 billion m3").
    before = LOG.as_of("2022-02-03").contracted("pipeline_gas")
    after = LOG.as_of("2022-02-04").contracted("pipeline_gas")
    assert (before.certain, before.possible) == (Q("38 bcm/yr"), Q("38 bcm/yr"))
    assert (after.certain, after.possible) == (Q("48 bcm/yr"), Q("48 bcm/yr"))


def test_far_eastern_contract_row_10_bcm_for_30_years() -> None:
    """The Far Eastern contract in the binding volumes on 1 Jan 2023: 10 bcm/yr, 30 years, counted."""
    # Energy Voice, "Gazprom and CNPC sign technical deal on Far East route ...", https://energyvoice.com/
    # oilandgas/asia/420321/ ("yearly supply of 10 billion cubic metres ... over a 30-year term"); TASS (above).
    row = LOG.as_of("2023-01-01").volumes("pipeline_gas").get(agreement="gazprom-cnpc-far-east-2022")
    assert (row.annual_volume, row.term, row.counted) == (Q("10 bcm/yr"), Q("30 years"), True)


# --- supply -----------------------------------------------------------------------------


def test_oil_supply_via_skovorodino_daqing_from_1_january_2011() -> None:
    """Skovorodino–Daqing: not delivering on 31 Dec 2010; delivering 15 Mt/yr from 1 Jan 2011."""
    # OSW, "Oil pipeline from Russia to China turned on", http://www.osw.waw.pl/en/publikacje/analyses/
    # 2011-01-12/oil-pipeline-russia-to-china-turned ("1 January saw the start of the operation of the new
    # Skovorodino-Daqing pipeline"); SCIO (Xinhua), "New line of China-Russian oil pipeline begins operation",
    # http://english.scio.gov.cn/beltandroad/2018-01/02/content_50183415.htm ("The first line from Mohe to
    # Daqing was put into use on Jan. 1, 2011, with an annual capacity of 15 million tonnes").
    assert route("2010-12-31", "skovorodino-daqing") is None
    row = route("2011-01-01", "skovorodino-daqing")
    assert (row.commodity, row.since, row.capacity) == ("oil", "2011-01-01", Q("15 Mt/yr"))


def test_power_of_siberia_delivers_from_2_december_2019() -> None:
    """Power of Siberia: not delivering on 1 Dec 2019; pipeline gas from 2 Dec 2019, stated capacity 38 bcm/yr."""
    # The Moscow Times, "Russia launches Power of Siberia gas exports to China", https://www.themoscowtimes.
    # com/2019/12/02/russia-launches-power-siberia-gas-exports-china-a68423 ("Russia on Monday started piping
    # gas to China"; "able to carry 38 billion cubic meters of gas a year").
    assert route("2019-12-01", "power-of-siberia") is None
    row = route("2019-12-02", "power-of-siberia")
    assert (row.commodity, row.since, row.capacity) == ("pipeline_gas", "2019-12-02", Q("38 bcm/yr"))


def test_first_yamal_lng_delivery_to_china_is_uncertain_between_17_and_19_july_2018() -> None:
    """Yamal LNG to China: absent 16 Jul 2018; possible on 18 Jul (17 or 19 Jul by the sources); certain 19 Jul."""
    # Marine Link, "Transportador de GNL quebra-gelo Vladimir Rusanov", https://pt.marinelink.com/news/
    # transportador-gnl-que-quebra-gelo-vladimir-rusanov-256882 ("fez sua primeira chamada ... no Terminal
    # PetroChina LNG Jiangsu na China em 17 de julho"; a ceremony on 19 July); ECNS (China Daily), "First direct
    # shipment of Arctic LNG delivered to China", http://ecns.cn/business/2018-07-20/detail-ifywhfmh2714619.shtml
    # ("delivered to PetroChina's Rudong terminal in Jiangsu province on Thursday" [19 July]).
    assert route("2018-07-16", "yamal-lng") is None
    assert route("2018-07-18", "yamal-lng").certain is False
    assert route("2018-07-19", "yamal-lng").certain is True


def test_far_eastern_route_not_yet_delivering_at_the_end_of_2025() -> None:
    """No deliveries via the Far Eastern route by 31 Dec 2025 (planned for 2027)."""
    # TASS (22 Oct 2023, above): "The deadline for the beginning of supplies via the Far Eastern route is 2027".
    assert route("2025-12-31", "far-eastern-route") is None


# --- projects ---------------------------------------------------------------------------


def test_power_of_siberia_construction_starts_1_september_2014() -> None:
    """Power of Siberia: construction not started on 31 Aug 2014; started on 1 Sep 2014."""
    # RIA Novosti, "Gazprom Begins Construction of Gas Export Pipeline to China", https://sputnikglobe.com/
    # 20140901/Gazprom-Begins-Construction-of-Gas-Export-Pipeline-to-China-192532570.html ("Putin attended
    # Gazprom's groundbreaking ceremony ... Monday" [1 Sep 2014]).
    before = project("2014-08-31", "power-of-siberia")
    assert before is None or before.stage != "construction_started"
    assert project("2014-09-01", "power-of-siberia").stage == "construction_started"


def test_power_of_siberia_complete_along_its_length_on_21_december_2022() -> None:
    """Power of Siberia: opened on 20 Dec 2022; completed (Kovykta section) on 21 Dec 2022; opened stays 2019-12-02."""
    # TASS, "Putin gives go-ahead for Kovykta field and Kovykta-Chayanda section of Power of Siberia",
    # https://tass.com/economy/1553767 ("on Wednesday via a video link" [21 Dec 2022]); UrduPoint (Sputnik),
    # https://www.urdupoint.com/en/business/putin-says-kovykta-gas-condensate-field-becom-1613749.html ("our
    # most important gas transportation route will be put into operation along its entire length"); first gas
    # 2 Dec 2019: The Moscow Times (above).
    assert project("2022-12-20", "power-of-siberia").stage == "opened"
    row = project("2022-12-21", "power-of-siberia")
    assert (row.stage, row.since, row.opened) == ("completed", "2022-12-21", "2019-12-02")


def test_skovorodino_daqing_opening_is_its_first_line_not_the_second() -> None:
    """Skovorodino–Daqing after the second line (1 Jan 2018): opened is still 1 Jan 2011."""
    # SCIO (Xinhua) (above): the first line "was put into use on Jan. 1, 2011"; "A second line ... began
    # commercial operation Monday" [1 Jan 2018].
    assert project("2018-06-01", "skovorodino-daqing").opened == "2011-01-01"


def test_blagoveshchensk_heihe_bridge_stages() -> None:
    """Amur road bridge: construction Dec 2016 (uncertain mid-month), completed Dec 2019, opened 10 Jun 2022."""
    # Sputnik, "First Motorway Bridge Between Russia & China Opens ...", https://sputniknews.com/20220610/
    # first-motorway-bridge-between-russia-and-china-opened-it-connects-blagoveshchensk-heihe-1096172875.html
    # ("began in December 2016"; "opened on Friday" [10 Jun 2022]); TASS, "First car bridge between Russia and
    # China greenlighted for opening", https://tass.com/society/1155199 ("finished in December, 2019").
    slug = "blagoveshchensk-heihe-bridge"
    assert project("2016-11-30", slug) is None
    assert project("2016-12-15", slug).certain is False
    row = project("2017-01-01", slug)
    assert (row.stage, row.certain) == ("construction_started", True)
    assert project("2020-01-01", slug).stage == "completed"
    assert project("2022-06-09", slug).stage == "completed"
    row = project("2022-06-10", slug)
    assert (row.stage, row.opened) == ("opened", "2022-06-10")


def test_tongjiang_rail_bridge_completed_2021_and_not_opened_by_its_2019_target() -> None:
    """Tongjiang bridge: not opened in Aug 2019 (only expected); completed 17 Aug 2021; opened by Dec 2022."""
    # People's Daily (Xinhua), "Track-laying of China-Russia cross-border railway bridge completed", http://
    # en.people.cn/n3/2021/0818/c90000-9885180.html ("completed on Tuesday" [17 Aug 2021]); SeaNews, "First
    # Train Crosses Amur to China by New Bridge", https://seanews.ru/en/2022/11/18/en-first-train-crosses-amur-
    # to-china-by-new-bridge/ ("The first train has crossed ... marking the start of rail traffic", Nov 2022).
    slug = "nizhneleninskoye-tongjiang-bridge"
    assert project("2019-08-01", slug).stage != "opened"
    assert project("2021-08-16", slug).stage != "completed"
    assert project("2021-08-17", slug).stage == "completed"
    row = project("2022-12-01", slug)
    assert (row.stage, row.certain) == ("opened", True)


def test_yamal_lng_opens_8_december_2017() -> None:
    """Yamal LNG: not opened on 7 Dec 2017; opened on 8 Dec 2017 (first cargo)."""
    # VesselFinder (Sovcomflot), "Christophe de Margerie completes her first loading at Sabetta ...",
    # https://www.vesselfinder.com/news/10969-Christophe-de-Margerie-completes-her-first-loading-at-Sabetta-and-
    # begins-her-first-commercial-voyage-for-Yamal-LNG ("On 8 December 2017 ... completed her first loading").
    before = project("2017-12-07", "yamal-lng")
    assert before is None or before.opened is None
    assert project("2017-12-08", "yamal-lng").opened == "2017-12-08"


def test_tongjiang_first_train_in_november_2022_is_uncertain_within_the_month() -> None:
    """Tongjiang bridge opening (first train, November 2022): uncertain on 15 Nov 2022, certain on 1 Dec 2022."""
    # SeaNews (above), 18 Nov 2022: "The first train has crossed ... marking the start of rail traffic"; an
    # earlier source calls the bridge opened on 27 Apr 2022 (UrduPoint/Sputnik), so it is uncertain mid-month.
    assert project("2022-11-15", "nizhneleninskoye-tongjiang-bridge").certain is False


# AnewZ, "China-Kyrgyzstan-Uzbekistan railway project breaks ground", https://anewz.tv/world/world-news/1457/
#   ("commenced construction on December 27"); Bastille Post, "Launch ceremony for China-Kyrgyzstan-Uzbekistan
#   railway held in Kyrgyzstan", https://bastillepost.com/global/article/4438299 (28 Dec 2024: "held in
#   Jalalabad, Kyrgyzstan on Friday"); Trend, "Uzbekistan, Kyrgyzstan, and China sign railroad agreement",
#   https://en.trend.az/casia/uzbekistan/3909140.html (6 Jun 2024: building "would begin in October of this year").


def test_cku_railway_construction_started_by_27_december_2024() -> None:
    """China–Kyrgyzstan–Uzbekistan railway: construction certainly started on 27 Dec 2024."""
    row = project("2024-12-27", "cku-railway")
    assert (row.stage, row.certain) == ("construction_started", True)


def test_cku_railway_construction_started_on_27_december_2024_not_in_2023() -> None:
    """China–Kyrgyzstan–Uzbekistan railway: construction started on 27 Dec 2024, not earlier."""
    assert project("2024-12-27", "cku-railway").since == "2024-12-27"


# --- meetings ---------------------------------------------------------------------------


def test_putin_xi_talks_in_shanghai_on_20_may_2014() -> None:
    """Shanghai talks: not held by 19 May 2014; held on 20 May 2014, in Shanghai, a summit."""
    # Chinese Embassy in New Zealand, "Xi Jinping Holds Talks with President Vladimir Putin of Russia ...",
    # http://nz.chineseembassy.org/eng/ztbd/yxhfh/t1158516.htm ("On May 20, 2014, President Xi Jinping held
    # talks with President Vladimir Putin of Russia in Shanghai").
    assert "2014-05-20-putin-xi-shanghai" not in meeting_events("2014-05-19")
    row = meeting_events("2014-05-20", "Putin")["2014-05-20-putin-xi-shanghai"]
    assert (row.location, row.kind, row.certain) == ("Shanghai", "summit", True)


def test_putin_visits_beijing_on_4_february_2022() -> None:
    """Putin–Xi in Beijing: not held on 3 Feb 2022; held on 4 Feb 2022 with both leaders."""
    # Human Rights Observatory (text of the joint statement), https://www.tolerance.ca/ArticleExt.aspx?
    # ID=505088&L=en ("Putin visited China on 4 February 2022. The Heads of State held talks in Beijing").
    assert "2022-02-04-putin-xi-beijing" not in meeting_events("2022-02-03")
    row = meeting_events("2022-02-04", "Xi Jinping")["2022-02-04-putin-xi-beijing"]
    assert {"putin", "xi"} <= set(row.parties)
    assert row.location == "Beijing"


def test_mishustin_meets_xi_on_20_december_2023() -> None:
    """Mishustin–Xi in Beijing: not held on 19 Dec 2023; held, certainly, on 20 Dec 2023."""
    # People's Daily (Xinhua), "Xi meets with Russian PM", http://en.people.cn/n3/2023/1220/c90000-20112767.html
    # ("BEIJING, Dec. 20 (Xinhua) -- Chinese President Xi Jinping met with Prime Minister ... Mishustin in
    # Beijing on Wednesday").
    assert "2023-12-mishustin-xi-beijing" not in meeting_events("2023-12-19")
    assert meeting_events("2023-12-20")["2023-12-mishustin-xi-beijing"].certain is True


def test_mishustins_november_2025_visit_hangzhou_then_beijing() -> None:
    """Mishustin: the 30th heads-of-government meeting in Hangzhou on 3 Nov 2025, Xi in Beijing on 4 Nov."""
    # People's Daily (Xinhua), "Chinese, Russian heads of gov't hold regular meeting ...", http://en.people.cn/
    # n3/2025/1104/c90000-20385842.html ("the 30th regular meeting ... with Russian Prime Minister Mikhail
    # Mishustin in Hangzhou"); Government of Russia, "Mikhail Mishustin's meeting with President of China Xi
    # Jinping", https://pubt.io/view/78F9B7C96544C1848ED618D040DC1A010EFEC4FD ("Yesterday, you and Premier of
    # the State Council Li Qiang successfully co-chaired the 30th Regular Meeting").
    on_3 = meeting_events("2025-11-03", "Mishustin")
    assert on_3["2025-11-03-30th-regular-heads-of-government-meeting"].location == "Hangzhou"
    assert "2025-11-04-mishustin-xi-beijing" not in on_3
    on_4 = meeting_events("2025-11-04", "Mishustin")
    assert on_4["2025-11-04-mishustin-xi-beijing"].location == "Beijing"


def test_putin_xi_video_call_of_4_february_2026_is_a_call() -> None:
    """The 4 Feb 2026 Putin–Xi video link is a call, held that day."""
    # The Express Tribune (Reuters), "Xi, Putin hail ties in video call ...", https://tribune.com.pk/story/
    # 2590792/ ("Putin and Xi spoke for one hour and 25 minutes").
    assert meeting_events("2026-02-04", "Putin")["2026-02-04-putin-xi-video-call"].kind == "call"


def test_putins_may_2026_state_visit_not_before_it_began() -> None:
    """Putin's 2026 state visit to China: not held on 18 May 2026; held by 20 May 2026."""
    # Manila Bulletin (AP), "Putin to visit Chinese leader Xi Jinping days after Trump's trip to Beijing",
    # https://mb.com.ph/2026/05/17/putin-to-visit-chinese-leader-xi-jinping-days-after-trumps-trip-to-beijing
    # ("Putin's trip, planned for May 19-20"); Dainik Jagran, "Putin Visits China for 25th Time ...", https://
    # english.dainikjagranmpcg.com/tag/22657/rss ("On Wednesday, he was warmly received by President Xi").
    assert "2026-05-19-putin-state-visit-china" not in meeting_events("2026-05-18")
    assert meeting_events("2026-05-20", "Putin")["2026-05-19-putin-state-visit-china"].certain is True


def test_two_putin_xi_meetings_in_2025_by_the_end_of_the_sco_visit() -> None:
    """By 3 Sep 2025 Putin has met Xi in Moscow (7–10 May) and in Tianjin/Beijing (31 Aug–3 Sep)."""
    # People's Daily (Xinhua), "Xi to pay state visit to Russia ... on May 7-10", http://en.people.cn/n3/2025/
    # 0505/c90000-20310391.html; Kremlin, "SCO summit welcome ceremony", http://www.en.special.kremlin.ru/
    # events/president/news/77885 ("arrived on a four-day official visit" [31 Aug 2025]).
    held = meeting_events("2025-09-03", "Putin")
    assert held["2025-05-08-xi-state-visit-russia"].location == "Moscow"
    assert held["2025-08-31-putin-visit-china-sco-tianjin"].certain is True


# --- trade, per reporter and year -------------------------------------------------------


def test_chinas_customs_figures_for_2014() -> None:
    """China customs 2014: turnover 95.28 bn USD (+6.8 %), exports to Russia 53.68 bn, imports 41.6 bn."""
    # Business Investor Guide (ITAR-TASS), "Russian-Chinese trade upward curve continues despite rouble",
    # https://businessinvestorguide.com/russia/russian-chinese-trade-upward-curve-continues-despite-rouble/
    # ("grew year-on-year by 6.8% to reach $95.28 bn, the Chinese customs department reported today (January
    # 13), with imports of Russian goods to China increasing 4.9% to $41.6bn, and Chinese exports to Russia
    # growing by 8.2% to $53.68bn").
    day = "2015-06-01"
    total = figure(day, "2014", "china-customs")
    assert (billions(total), total.change) == (Decimal("95.28"), Q("6.8 %"))
    assert billions(figure(day, "2014", "china-customs", exporter="CN")) == Decimal("53.68")
    assert billions(figure(day, "2014", "china-customs", exporter="RU")) == Decimal("41.6")


def test_chinas_2014_exports_and_imports_add_to_its_turnover() -> None:
    """China customs 2014: 53.68 + 41.6 = 95.28 bn USD, by trade_total over one reporter's two directions."""
    # ITAR-TASS (above).
    state = LOG.as_of("2015-06-01")
    rows = [figure("2015-06-01", "2014", "china-customs", exporter=x) for x in ("CN", "RU")]
    assert state.trade_total(rows).certain.value == Decimal("95280000000")


def test_2010_figures_of_both_customs_services_side_by_side() -> None:
    """2010: China's 55.45 bn USD and Russia's customs 59.34 bn (reported 27 Aug 2011), never merged."""
    # VietnamPlus, "Kim ngạch ngoại thương Nga-Trung đạt 55,45 tỷ USD", https://www.vietnamplus.vn/kim-ngach-
    # ngoai-thuong-ngatrung-dat-5545-ty-usd/76848.vnp ("năm 2010 đã tăng hơn 43%, đạt 55,45 tỷ USD"); Windows to
    # Russia (ITAR-TASS), "China-Russia trade to exceed USD 70 bln in 2011", http://news.windowstorussia.com/
    # china-russia-trade-to-exceed-usd-70-bln-in-2011.html ("According to the Russian customs statistical
    # reports, Russian-Chinese trade increased by 50.3% in 2010 ... to reach 59.34 billion dollars").
    assert figure("2011-08-26", "2010", "russia-customs") is None
    assert billions(figure("2011-08-26", "2010", "china-customs")) == Decimal("55.45")
    russian = figure("2011-08-27", "2010", "russia-customs")
    assert (billions(russian), russian.change) == (Decimal("59.34"), Q("50.3 %"))


def test_2018_figures_china_107_06_and_russia_108_3() -> None:
    """2018: China customs 107.06 bn USD (exports 47.98, imports 59.08); Russian customs 108.3 bn (+24.5 %)."""
    # RT, "Russia-China trade turnover soars to record $107 billion in 2018", https://www.rt.com/business/
    # 448783-russia-china-trade-turnover/ ("$107.06 billion, according to ... China's General Administration of
    # Customs"; imports of Chinese goods "to $47.98 billion"; China's imports from Russia "reaching $59.08
    # billion"); PenNews (UNI-Sputnik), https://www.pennews.net/international/2019/03/08/russia-china-trade-up-
    # by-17-pc-year-on-year-in-jan-feb-to-16-bln ("amounted to $108.3 billion, a 24.5 percent growth ...
    # according to the Russian Federal Customs Service").
    day = "2019-06-01"
    assert billions(figure(day, "2018", "china-customs")) == Decimal("107.06")
    assert billions(figure(day, "2018", "china-customs", exporter="CN")) == Decimal("47.98")
    assert billions(figure(day, "2018", "china-customs", exporter="RU")) == Decimal("59.08")
    russian = figure(day, "2018", "russia-customs")
    assert (billions(russian), russian.change) == (Decimal("108.3"), Q("24.5 %"))


def test_adding_two_reporters_turnovers_for_2018_is_refused() -> None:
    """China's and Russia's 2018 turnovers cannot be added: one reporter at a time."""
    # RT and PenNews (above): two reporters' figures for the same flow and period.
    state = LOG.as_of("2019-06-01")
    both = [figure("2019-06-01", "2018", r) for r in ("china-customs", "russia-customs")]
    assert None not in both
    with pytest.raises(ee.EurasiaEventsError):
        state.trade_total(both)


def test_2022_china_customs_figures() -> None:
    """China customs 2022: 190.27 bn USD (+29.3 %); exports 76.12 bn (+12.8 %); imports 114.15 bn (+43.4 %)."""
    # Vestnik Kavkaza, "Russia-China trade turnover grew 29.3% in 2022", https://en.vestikavkaza.ru/material/
    # 158684 ("increased year on year by 29.3% to $190,27 billion"; "Exports from China to Russia ... increased
    # by 12,8%, amounting to $76,12 billion. Imports from Russia to China ... increased by 43,4% to $114,15
    # billion").
    day = "2023-06-01"
    total = figure(day, "2022", "china-customs")
    assert (billions(total), total.change) == (Decimal("190.27"), Q("29.3 %"))
    exports = figure(day, "2022", "china-customs", exporter="CN")
    assert (billions(exports), exports.change) == (Decimal("76.12"), Q("12.8 %"))
    imports = figure(day, "2022", "china-customs", exporter="RU")
    assert (billions(imports), imports.change) == (Decimal("114.15"), Q("43.4 %"))


def test_january_october_2023_china_196_48_russia_186() -> None:
    """Jan–Oct 2023: China customs 196.48 bn USD (+27.7 %); Russian customs 186 bn (reported 8 Dec 2023)."""
    # Sputnik, "Russia-China trade up 27.7% in 10 months of 2023", https://sputnikglobe.com/20231107/russia-
    # china-trade-up-277-in-10-months-of-2023-1114777224.html ("increased by 27.7% and amounted to $196.48
    # billion, according to the data of the General Customs Administration"); TASS, "Russian customs service
    # expects trade turnover with China at $220 bln in 2023", https://tass.com/economy/1718051 ("our data,
    # which is 186 bln for ten months").
    assert figure("2023-12-07", "2023-01/2023-10", "russia-customs") is None
    china = figure("2023-12-08", "2023-01/2023-10", "china-customs")
    assert (billions(china), china.change) == (Decimal("196.48"), Q("27.7 %"))
    assert billions(figure("2023-12-08", "2023-01/2023-10", "russia-customs")) == Decimal("186")


def test_2024_figure_appears_on_its_release_13_january_2025() -> None:
    """China customs 2024: no figure on 12 Jan 2025; 244.81 bn USD (+1.9 %) from 13 Jan 2025."""
    # The Moscow Times (AFP), "China-Russia Trade Hit Record High in 2024", https://www.themoscowtimes.com/
    # 2025/01/13/china-russia-trade-hit-record-high-in-2024-a87590 ("according to official data released
    # Monday" [13 Jan 2025]); bne IntelliNews (TASS), "Russo-China trade turnover rises 1.9% to $244.81bn in
    # 2024", https://bne.eu/russo-china-trade-turnover-rises-1-9-to-244-81bn-in-2024-361098 ("imports from
    # Russia were virtually flat at $129.32bn, while exports to Russia rose by 4.1% to $115.49bn").
    assert figure("2025-01-12", "2024", "china-customs") is None
    total = figure("2025-01-13", "2024", "china-customs")
    assert (billions(total), total.change) == (Decimal("244.81"), Q("1.9 %"))
    assert billions(figure("2025-01-13", "2024", "china-customs", exporter="CN")) == Decimal("115.49")
    assert billions(figure("2025-01-13", "2024", "china-customs", exporter="RU")) == Decimal("129.32")


def test_2025_turnover_falls_6_9_percent() -> None:
    """China's 2025 turnover with Russia: about 228.1 bn USD, -6.9 %, reported 14 Jan 2026."""
    # The Business Times (Reuters), "China's 2025 trade with Russia posts first decline in 5 years",
    # https://www.businesstimes.com.sg/international/chinas-2025-trade-russia-posts-first-decline-5-years
    # ("Chinese data showed on Wednesday (Jan 14)"; "bilateral trade reached US$228.1 billion, down 6.9 per
    # cent year on year").
    assert figure("2026-01-13", "2025", "china-customs") is None
    row = figure("2026-01-14", "2025", "china-customs")
    assert abs(billions(row) - Decimal("228.1")) < Decimal("0.05")
    assert row.change == Q("-6.9 %")


# --- sanctions and designations ---------------------------------------------------------


def sanction_measures(day: str, target: str) -> set[str]:
    return {r.measure for r in LOG.as_of(day).sanctions(target=target)}


def test_sberbank_swift_ban_takes_effect_14_june_2022() -> None:
    """EU SWIFT ban on Sberbank (sixth package): not in force on 13 Jun 2022; in force on 14 Jun 2022."""
    # Retail Banker International, "EU adopts new sanctions", https://retailbankerinternational.com/news/eu-
    # adopts-new-sanctions ("For the three Russian banks and a Belarusian lender, the new sanctions will come
    # into effect on 14 June 2022"); Willkie Farr & Gallagher, "EU sixth sanctions package", https://
    # complianceconcourse.willkie.com/?p=2254 ("three additional Russian financial institutions, including
    # Sberbank").
    assert "eu-2022-06-swift" not in sanction_measures("2022-06-13", "Sberbank")
    assert "eu-2022-06-swift" in sanction_measures("2022-06-14", "Sberbank")


def test_us_designates_rosneft_and_lukoil_on_22_october_2025() -> None:
    """OFAC SDN designation of Rosneft and Lukoil: not on 21 Oct 2025; on 22 Oct 2025 it designates both."""
    # Mondaq, "Crude Awakening: United States Sanctions Rosneft And Lukoil", https://www.mondaq.com/
    # unitedstates/export-controls-trade-investment-sanctions/1696982/ ("On October 22, 2025, the Office of
    # Foreign Assets Control ... designated OJSC Rosneft (Rosneft) and Lukoil OAO (Lukoil)").
    measure = "us-2025-10-22-rosneft-lukoil-sdn"
    assert measure not in sanction_measures("2025-10-21", "Lukoil")
    assert measure in sanction_measures("2025-10-22", "Lukoil")
    assert {r.target for r in LOG.as_of("2025-10-22").designations(measure)} >= {"rosneft", "lukoil"}


def test_uk_sanctions_rosneft_on_15_october_2025() -> None:
    """UK asset freeze on Rosneft: not on 14 Oct 2025; in force on 15 Oct 2025."""
    # World Ports Organization, "UK Imposes Toughest-Ever Sanctions On Russia, Targeting Oil Giants Rosneft &
    # Lukoil", https://www.worldports.org/uk-imposes-toughest-ever-sanctions-on-russia-targeting-oil-giants-
    # rosneft-lukoil; Global Trade & Sanctions Law, https://www.globaltradeandsanctionslaw.com/amp/ofac-
    # designates-rosneft-and-lukoil-in-significant-expansion-of-sanctions-targeting-russias-energy-sector
    # ("the United Kingdom's imposition of asset freezes on both Rosneft and Lukoil on October 15, 2025").
    measure = "uk-2025-10-15-russian-oil-sanctions"
    assert measure not in sanction_measures("2025-10-14", "Rosneft")
    assert measure in sanction_measures("2025-10-15", "Rosneft")


def test_eu_19th_package_designates_four_chinese_companies() -> None:
    """EU 19th package on 24 Oct 2025: Liaoyang, Shandong Yulong, Chinaoil Hong Kong, Tianjin Xishanfusheng."""
    # Newszop (Reuters via The Economic Times), "EU lists two Chinese refineries, trader Chinaoil in 19th
    # package of Russia sanctions", https://newszop.com/english-news/publisher-et/top-news/eu-lists-two-chinese-
    # refineries,-trader-chinaoil-in-19th-package-of-russia-sanctions/articleshow/14504820b016a6bafbf5c3568136c6
    # 064534319d ("The two refineries are Liaoyang Petrochemical and Shandong Yulong Petrochemical"; "Chinaoil
    # Hong Kong"; "Tianjin Xishanfusheng International Trading Co").
    designated = {r.target for r in LOG.as_of("2025-10-24").designations("eu-2025-10-19th-package")}
    assert {"liaoyang-petrochemical", "shandong-yulong-petrochemical", "chinaoil-hk",
            "tianjin-xishanfusheng"} <= designated


def test_shandong_yulong_under_uk_and_eu_measures_after_23_october_2025() -> None:
    """Shandong Yulong on 24 Oct 2025: under the UK measure of 15 Oct and the EU 19th package, not the US one."""
    # Newszop (Reuters) (above): "after Britain sanctioned the refinery last week"; EU listing on 23 Oct 2025;
    # Mondaq (above): OFAC designated Rosneft, Lukoil and "34 subsidiaries of Rosneft and Lukoil" only.
    found = sanction_measures("2025-10-24", "Shandong Yulong Petrochemical")
    assert {"uk-2025-10-15-russian-oil-sanctions", "eu-2025-10-19th-package"} <= found
    assert "us-2025-10-22-rosneft-lukoil-sdn" not in found


def test_eu_18th_package_designates_two_chinese_border_banks() -> None:
    """EU 18th package on 10 Aug 2025 designates Suifenhe and Heihe rural commercial banks."""
    # Babel, "Media: EU imposes sanctions on Chinese banks for the first time over Russian aid", https://
    # babel.ua/en/news/119846-media-eu-imposes-sanctions-on-chinese-banks-for-the-first-time-over-russian-aid
    # ("Suifenhe Rural Commercial Bank and Heihe Rural Commercial Bank"); Ukrainska Pravda, https://www.
    # pravda.com.ua/eng/news/2025/09/1/7528758/ (Heihe: "The decision took effect on 9 August").
    designated = {r.target for r in LOG.as_of("2025-08-10").designations("eu-2025-07-18th-package")}
    assert {"suifenhe-rural-commercial-bank", "heihe-rural-commercial-bank"} <= designated


# --- finance and stakes -----------------------------------------------------------------


def test_loans_for_oil_of_17_february_2009() -> None:
    """17 Feb 2009: CDB lends 15 bn USD to Rosneft and 10 bn USD to Transneft; neither on 16 Feb."""
    # China Daily, "Russia, China sign $25 billion energy deal", http://www.chinadaily.com.cn/china/2009-02/17/
    # content_7485869.htm ("China's Development Bank will lend $15 billion to Rosneft ... and $10 billion to
    # Transneft"); Dawn (AFP), "Russia, China agree on oil deal", https://dawn.com/news/343780.
    def cdb(day: str) -> dict[str, object]:
        return {r.recipient: r.amount for r in LOG.as_of(day).finance() if r.source_of_funds == "cdb"}
    assert cdb("2009-02-16") == {}
    assert cdb("2009-02-17") == {"rosneft": Q("15000000000 USD"), "transneft": Q("10000000000 USD")}


def test_yamal_lng_chinese_bank_loans_of_april_2016() -> None:
    """Yamal LNG: China Exim 9.3 bn EUR and CDB 9.8 bn CNY; none on 10 Apr, possible on 28 Apr, certain 29 Apr 2016."""
    # Reuters, "Russia's Yamal LNG signs $12 bln loan deals with Chinese banks", http://www.reuters.com/article/
    # russia-china-yamal-idUSR4N17S023 ("loan agreements with Chinese banks worth 9.3 billion euros ... and 9.8
    # billion yuan ... Yamal LNG said on Friday" [29 Apr 2016]); Global Trade Review, "China funds mega Russian
    # LNG project", http://www.gtreview.com/news/europe/china-funds-mega-russian-lng-project/ ("China Exim will
    # provide a €9.3bn facility"; "CDB's portion ... Rmb9.8bn"); AidData, "China Eximbank provides RMB 4.472
    # billion loan for Yamal Liquefied Natural Gas (LNG) Project", https://china.aiddata.org/projects/67041 ("On
    # April 11, 2016, China Development Bank (CDB) and China Eximbank signed a syndicated facility (loan)
    # agreement"; "amended on April 29, 2016"): signed 11 or 29 April by the sources.
    def lenders(day: str) -> dict[str, object]:
        return {r.source_of_funds: r for r in LOG.as_of(day).finance()
                if r.recipient == "yamal-lng" and r.kind != "investment"}
    assert not {"china-exim", "cdb"} & set(lenders("2016-04-10"))
    assert [lenders("2016-04-28")[x].certain for x in ("china-exim", "cdb")] == [False, False]
    found = lenders("2016-04-29")
    assert (found["china-exim"].amount, found["cdb"].amount) == (Q("9300000000 EUR"), Q("9800000000 CNY"))
    assert found["china-exim"].certain is True
    assert found["cdb"].certain is True


def test_cnpc_certainly_holds_20_percent_of_yamal_lng_in_2016() -> None:
    """CNPC completed its 20 % purchase of Yamal LNG in early 2014: certainly held on 1 Jan 2016."""
    # RIA Novosti (French service), "Novatek finalise la vente de 20% de Yamal LNG à CNPC", https://fr.
    # sputniknews.africa/20140225/200587490.html ("Novatek a finalisé la vente de 20% du projet Yamal LNG à la
    # société CNODC, filiale de la China National Petroleum Corporation"; 25 Feb 2014).
    held = LOG.as_of("2016-01-01").finance().totals["shares"]["yamal-lng"]["cnpc"]
    assert held.certain == Q("20 %")


def test_silk_road_fund_certainly_holds_9_9_percent_of_yamal_lng_after_march_2016() -> None:
    """The Silk Road Fund bought 9.9 % of Yamal LNG in March 2016: certainly held on 1 May 2016."""
    # Reuters, "Russian banks sign loan deal with Yamal LNG worth 3.6 bln euros - Interfax cites sources",
    # http://www.reuters.com/article/russia-yamal-lng-loans-idUSR4N0ZC01I (11 Apr 2016: "China's Silk Road Fund
    # bought a 9.9 percent stake for 1.09 billion euros last month").
    held = LOG.as_of("2016-05-01").finance().totals["shares"]["yamal-lng"]["silk-road-fund"]
    assert held.certain == Q("9.9 %")


# --- policies ---------------------------------------------------------------------------
# People's Daily (Xinhua), "China to trial visa-free policy for Russian citizens", http://en.people.cn/n3/
#   2025/0902/c90000-20361235.html ("China has decided to trial visa-free policy for Russian citizens holding
#   ordinary passports starting from Sept. 15, 2025 to Sept. 14, 2026"); Global Banking and Finance Review
#   (Reuters), "Putin grants many categories of Chinese citizens visa-free access to Russia", https://www.
#   globalbankingandfinance.com/russia-china-putin-zero/ ("signed a decree" on Monday [1 Dec 2025]; "would remain
#   in force until September 14 2026").


def test_no_chinese_visa_free_regime_for_russians_before_15_september_2025() -> None:
    """On 14 Sep 2025 China's visa-free trial for Russians is not yet in effect."""
    assert not LOG.as_of("2025-09-14").policies(imposer="CN", beneficiary="RU")


def test_chinese_visa_free_regime_for_russians_in_effect_from_15_september_2025() -> None:
    """On 15 Sep 2025 China's visa-free trial for Russians is in effect, until 14 Sep 2026."""
    rows = LOG.as_of("2025-09-15").policies(imposer="CN", beneficiary="RU")
    assert [(r.effective, r.until) for r in rows] == [("2025-09-15", "2026-09-14")]


def test_russian_visa_free_regime_for_chinese_in_effect_from_1_december_2025() -> None:
    """On 1 Dec 2025 Russia's visa-free regime for Chinese citizens is in effect, until 14 Sep 2026."""
    assert not LOG.as_of("2025-11-30").policies(imposer="RU", beneficiary="CN")
    rows = LOG.as_of("2025-12-01").policies(imposer="RU", beneficiary="CN")
    assert [(r.effective, r.until) for r in rows] == [("2025-12-01", "2026-09-14")]


def test_chinese_visa_free_regime_ends_after_14_september_2026() -> None:
    """China's visa-free trial for Russians: in effect on its last day, 14 Sep 2026; not on 15 Sep 2026."""
    assert [r.status for r in LOG.as_of("2026-09-14").policies(imposer="CN", beneficiary="RU")] == ["in effect"]
    assert not LOG.as_of("2026-09-15").policies(imposer="CN", beneficiary="RU")


# --- summary and series -----------------------------------------------------------------


def test_summary_eaeu_members_in_order_of_joining() -> None:
    """Summary 'EAEU members': BY, KZ, RU on 1 Jan 2015; then AM (2 Jan 2015) and KG (6 Aug 2015) by 2020."""
    # MFA (above); TASS (6 Aug 2015, above): Kyrgyzstan "the fifth full-fledged member".
    assert summary("2015-01-01")["EAEU members"].value == "BY, KZ, RU"
    assert summary("2020-01-01")["EAEU members"].value == "BY, KZ, RU, AM, KG"


def test_summary_routes_delivering_at_the_start_of_2020() -> None:
    """Summary 'routes delivering' on 1 Jan 2020: Skovorodino–Daqing, Yamal LNG, Power of Siberia; 1 Dec 2019: two."""
    # OSW (2011), ECNS (2018), The Moscow Times (2019), all above.
    assert summary("2020-01-01")["routes delivering"].value == "skovorodino-daqing, yamal-lng, power-of-siberia"
    assert summary("2019-12-01")["routes delivering"].value == "skovorodino-daqing, yamal-lng"


def test_summary_contracted_pipeline_gas_before_and_after_the_far_eastern_contract() -> None:
    """Summary 'contracted pipeline gas (binding)': 38 bcm/yr on 1 Jan 2022, 48 bcm/yr on 1 Jan 2023."""
    # OSW (2014) and TASS (4 Feb 2022, 22 Oct 2023), above.
    assert summary("2022-01-01")["contracted pipeline gas (binding)"].value == "38 bcm/yr"
    assert summary("2023-01-01")["contracted pipeline gas (binding)"].value == "48 bcm/yr"


def test_series_of_eaeu_membership_through_2015() -> None:
    """EAEU member count on 31 Dec 2014, 1 Jan, 2 Jan, 5 Aug and 6 Aug 2015: 0, 3, 4, 4, 5."""
    # MFA (above): in force 1 Jan 2015; Armenia 2 Jan 2015; Kyrgyzstan 6 Aug 2015.
    days = ["2014-12-31", "2015-01-01", "2015-01-02", "2015-08-05", "2015-08-06"]
    counts = [LOG.series(lambda s: len(s.members("eaeu")), day, day)[0].value for day in days]
    assert counts == [0, 3, 4, 4, 5]
