"""Seeded synthetic event-dataset files in the real ICEWS, GDELT 2.0 and POLECAT layouts.

Each writer produces a file that :func:`eurasia_events.interchange.formats.read_rows`
reads as it reads a released file: the same columns in the same order (ICEWS's 20 with a
header row, GDELT's 61 without one, POLECAT's 40 with a header row), tab-separated UTF-8,
empty (ICEWS, GDELT) or ``None`` (POLECAT) fields where the datasets leave them empty,
CAMEO codes as text with their leading zeros, non-ASCII names here and there.

``dyad_share`` of the rows are between China and Russia (either direction, always
recognisable by country); about 8 % more involve one of the two with a third state, and
the rest are between other states, so a dyad filter meets realistic near misses. The
same ``(rows, seed, dyad_share)`` always gives the same bytes. Each writer returns the
number of China-Russia rows written.

    python -m bench.interchange_gen --rows 1000000 --out /tmp/interchange
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from collections.abc import Callable, Iterator
from pathlib import Path

from eurasia_events.interchange.formats import GDELT_COLUMNS, ICEWS_COLUMNS, POLECAT_COLUMNS

__all__ = ["write_gdelt", "write_icews", "write_polecat"]

# ICEWS country name, short name, ISO 3166-1 alpha-3 (= CAMEO), FIPS 10-4, COW code, capital, lat, lon
COUNTRIES: tuple[tuple[str, str, str, str, str, str, float, float], ...] = (
    ("China", "China", "CHN", "CH", "710", "Beijing", 39.9075, 116.397),
    ("Russian Federation", "Russia", "RUS", "RS", "365", "Moscow", 55.7522, 37.6156),
    ("United States", "United States", "USA", "US", "2", "Washington", 38.8951, -77.0364),
    ("Japan", "Japan", "JPN", "JA", "740", "Tokyo", 35.6895, 139.692),
    ("India", "India", "IND", "IN", "750", "New Delhi", 28.6358, 77.2245),
    ("Germany", "Germany", "DEU", "GM", "255", "Berlin", 52.5244, 13.4105),
    ("France", "France", "FRA", "FR", "220", "Paris", 48.8534, 2.3488),
    ("United Kingdom", "United Kingdom", "GBR", "UK", "200", "London", 51.5085, -0.1257),
    ("Kazakhstan", "Kazakhstan", "KAZ", "KZ", "705", "Astana", 51.1801, 71.446),
    ("Ukraine", "Ukraine", "UKR", "UP", "369", "Kyiv", 50.4547, 30.5238),
    ("Turkey", "Turkey", "TUR", "TU", "640", "Ankara", 39.9199, 32.8543),
    ("Iran", "Iran", "IRN", "IR", "630", "Tehran", 35.6944, 51.4215),
    ("Brazil", "Brazil", "BRA", "BR", "140", "Brasília", -15.7797, -47.9297),
    ("South Korea", "South Korea", "KOR", "KS", "732", "Seoul", 37.5683, 126.978),
    ("Vietnam", "Vietnam", "VNM", "VM", "816", "Hanoi", 21.0245, 105.841),
    ("Nigeria", "Nigeria", "NGA", "NI", "475", "Abuja", 9.0579, 7.4951),
    ("Mexico", "Mexico", "MEX", "MX", "70", "Ciudad de México", 19.4285, -99.1277),
    ("Pakistan", "Pakistan", "PAK", "PK", "770", "Islamabad", 33.7215, 73.0433),
    ("Egypt", "Egypt", "EGY", "EG", "651", "Cairo", 30.0626, 31.2497),
    ("Mongolia", "Mongolia", "MNG", "MG", "712", "Ulaanbaatar", 47.9077, 106.883),
)
LEADERS = {
    "CHN": ("Xi Jinping", "Li Keqiang", "Wang Yi"),
    "RUS": ("Vladimir Putin", "Sergey Lavrov", "Dmitry Medvedev"),
    "USA": ("Joe Biden", "Antony Blinken"),
    "TUR": ("Recep Tayyip Erdoğan", "Mevlüt Çavuşoğlu"),
    "DEU": ("Olaf Scholz", "Annalena Baerbock"),
    "BRA": ("Luiz Inácio Lula da Silva",),
}
# (CAMEO code, ICEWS event text, intensity / Goldstein score)
CAMEO = (
    ("010", "Make statement", 0.0), ("020", "Make an appeal or request", 3.0),
    ("036", "Express intent to meet or negotiate", 4.0), ("040", "Consult", 1.0), ("042", "Make a visit", 1.9),
    ("043", "Host a visit", 2.8), ("046", "Engage in negotiation", 7.0),
    ("051", "Praise or endorse", 3.4), ("057", "Sign formal agreement", 8.0),
    ("061", "Cooperate economically", 6.4), ("0311", "Express intent to cooperate economically", 5.2),
    ("071", "Provide economic aid", 7.4), ("112", "Accuse", -2.0), ("120", "Reject", -4.0),
    ("130", "Threaten", -4.4), ("163", "Impose embargo, boycott, or sanctions", -8.0),
    ("173", "Arrest, detain, or charge with legal action", -5.0),
    ("190", "Use conventional military force", -10.0),
)
PLOVER = (
    ("agree", ("None",)), ("consult", ("visit", "third-party", "multilateral", "phone")),
    ("support", ("None",)), ("cooperate", ("None",)), ("aid", ("None",)),
    ("request", ("assist", "change", "yield", "meet")), ("accuse", ("disapprove", "investigate", "allege")),
    ("reject", ("None",)), ("threaten", ("restrict", "ban", "arrest", "violence")),
    ("sanction", ("convict", "expel", "withdraw", "discontinue")), ("assault", ("firearms", "aerial")),
)
CONTEXTS = ("None", "executive", "military", "economic", "diplomatic", "legislative", "human_rights",
            "executive; military", "economic; diplomatic")
PUBLISHERS = ("Xinhua News Agency", "Interfax", "TASS", "Kyodo News", "Yonhap English News", "Reuters News",
              "Agencia EFE - Serviço em português", "Süddeutsche Zeitung", "Le Figaro", "Hindustan Times")
SECTORS = (("Government", "GOV"), ("Executive,Foreign Ministry,Government", "GOV"), ("Military,Government", "MIL"),
           ("Business,Social", "BUS"), ("", ""))
EPOCH = dt.date(2018, 1, 1)
DAYS = (dt.date(2022, 12, 31) - EPOCH).days


def _quad(code: str) -> int:
    root = int(code[:2])
    return 1 if root <= 5 else 2 if root <= 9 else 3 if root <= 14 else 4


class _Rows:
    """Random pairs of countries, a share of them China-Russia."""

    def __init__(self, seed: int, dyad_share: float) -> None:
        if not 0 <= dyad_share <= 1:
            raise ValueError(f"dyad_share must be between 0 and 1, got {dyad_share}")
        self.random = random.Random(seed)
        self.dyad_share = dyad_share
        self.dyads = 0

    def pair(self) -> tuple[tuple[str, str, str, str, str, str, float, float], ...]:
        rnd = self.random
        roll = rnd.random()
        china, russia, others = COUNTRIES[0], COUNTRIES[1], COUNTRIES[2:]
        if roll < self.dyad_share:
            self.dyads += 1
            return (china, russia) if rnd.random() < 0.5 else (russia, china)
        if roll < self.dyad_share + 0.08:
            near, third = rnd.choice((china, russia)), rnd.choice(others)
            return (near, third) if rnd.random() < 0.5 else (third, near)
        first, second = rnd.sample(others, 2)
        return first, second

    def day(self) -> dt.date:
        return EPOCH + dt.timedelta(days=self.random.randrange(DAYS + 1))


def _write(path: str | Path, header: tuple[str, ...] | None, rows: int, make: Callable[[int], list[str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        if header is not None:
            out.write("\t".join(header) + "\n")
        batch: list[str] = []
        for index in range(rows):
            batch.append("\t".join(make(index)))
            if len(batch) == 20_000:
                out.write("\n".join(batch) + "\n")
                batch.clear()
        if batch:
            out.write("\n".join(batch) + "\n")


def write_icews(path: str | Path, rows: int, seed: int = 0, dyad_share: float = 0.03) -> int:
    """An ICEWS event file (header row, 20 columns) of ``rows`` events; returns the China-Russia count."""
    gen = _Rows(seed, dyad_share)
    rnd = gen.random

    def actor(country: tuple[str, str, str, str, str, str, float, float]) -> tuple[str, str]:
        kind = rnd.randrange(5)
        leaders = LEADERS.get(country[2])
        if kind == 0:
            return country[1], ""
        if kind == 1 and leaders:
            return rnd.choice(leaders), "Elite,Executive,Executive Office,Government"
        sectors = rnd.choice(SECTORS[:4])[0]
        return f"{rnd.choice(('Government', 'Foreign Affairs', 'Ministry', 'Military'))} ({country[1]})", sectors

    def make(index: int) -> list[str]:
        source, target = gen.pair()
        code, text, intensity = rnd.choice(CAMEO)
        where = rnd.choice((source, target))
        source_name, source_sectors = actor(source)
        target_name, target_sectors = actor(target)
        return [
            str(30_000_000 + index), gen.day().isoformat(), source_name, source_sectors, source[0], text, code,
            f"{intensity:g}", target_name, target_sectors, target[0], str(47_000_000 + index // 3),
            str(index % 3 + 1), rnd.choice(PUBLISHERS), where[5], "", f"{where[5]} Province", where[0],
            f"{where[6]:g}", f"{where[7]:g}",
        ]

    _write(path, ICEWS_COLUMNS, rows, make)
    return gen.dyads


def write_gdelt(path: str | Path, rows: int, seed: int = 0, dyad_share: float = 0.03) -> int:
    """A GDELT 2.0 event file (61 fields, no header) of ``rows`` events; returns the China-Russia count."""
    gen = _Rows(seed, dyad_share)
    rnd = gen.random

    def geo(country: tuple[str, str, str, str, str, str, float, float]) -> list[str]:
        return ["4", f"{country[5]}, {country[5]}, {country[1]}", country[3], f"{country[3]}01", "",
                f"{country[6]:g}", f"{country[7]:g}", str(-1_000_000 - rnd.randrange(900_000))]

    def make(index: int) -> list[str]:
        source, target = gen.pair()
        code, _, goldstein = rnd.choice(CAMEO)
        day = gen.day()
        type1, type2 = rnd.choice(SECTORS)[1], rnd.choice(SECTORS)[1]
        leaders = LEADERS.get(source[2])
        name1 = rnd.choice(leaders).upper() if leaders and rnd.random() < 0.2 else source[1].upper()
        no_target = rnd.random() < 0.1 and source[2] not in ("CHN", "RUS")
        actor2 = ([""] * 10 if no_target else
                  [target[2] + type2, target[1].upper(), target[2], "", "", "", "", type2, "", ""])
        added = dt.datetime(day.year, day.month, day.day) + dt.timedelta(minutes=15 * rnd.randrange(96))
        row = [
            str(1_000_000_000 + index), day.strftime("%Y%m%d"), day.strftime("%Y%m"), str(day.year),
            f"{day.year}.{(day.month * 30 + day.day) * 10000 // 365:04d}",
            source[2] + type1, name1, source[2], "", "", "", "", type1, "", "",
            *actor2,
            str(rnd.randrange(2)), code, code[:3], code[:2], str(_quad(code)), f"{goldstein:.1f}",
            str(rnd.randrange(1, 40)), str(rnd.randrange(1, 5)), str(rnd.randrange(1, 40)),
            f"{rnd.uniform(-10, 10):.10f}",
            *geo(source), *(["0", "", "", "", "", "", "", ""] if no_target else geo(target)), *geo(target),
            added.strftime("%Y%m%d%H%M%S"),
            f"https://www.example-news{index % 97}.com/{day:%Y/%m/%d}/story-{index}.html",
        ]
        return row

    assert len(GDELT_COLUMNS) == 61
    _write(path, None, rows, make)
    return gen.dyads


def write_polecat(path: str | Path, rows: int, seed: int = 0, dyad_share: float = 0.03) -> int:
    """A POLECAT file (header row, 40 columns) of ``rows`` events; returns the China-Russia count."""
    gen = _Rows(seed, dyad_share)
    rnd = gen.random
    quads = ("VERBAL COOPERATION", "MATERIAL COOPERATION", "VERBAL CONFLICT", "MATERIAL CONFLICT")

    def actor(country: tuple[str, str, str, str, str, str, float, float]) -> list[str]:
        leaders = LEADERS.get(country[2])
        name = rnd.choice(leaders) if leaders and rnd.random() < 0.4 else country[1]
        sector = rnd.choice(("GOV", "MIL", "BUS", "CVL"))
        return [name, country[2], country[4], sector, sector, "None", name, name.replace(" ", "_")]

    def make(index: int) -> list[str]:
        source, target = gen.pair()
        kind, modes = rnd.choice(PLOVER)
        day = gen.day()
        where = rnd.choice((source, target))
        return [
            f"{day:%Y%m%d}-{rnd.getrandbits(32):08x}_{index % 5 + 1}", day.isoformat(), kind.upper(),
            rnd.choice(modes), f"{rnd.uniform(-10, 10):.1f}", rnd.choice(quads), rnd.choice(CONTEXTS),
            *actor(source), *actor(target),
            where[5], where[5], "None", where[5], where[2], f"{where[6]:g}", f"{where[7]:g}",
            str(rnd.randrange(100_000, 9_999_999)), where[5], "PPLC", rnd.choice(PUBLISHERS),
            (day + dt.timedelta(days=rnd.randrange(3))).isoformat(), "None", "None", where[5], "en", "v1.1",
        ]

    _write(path, POLECAT_COLUMNS, rows, make)
    return gen.dyads


def _main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dyad-share", type=float, default=0.03)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    writers: Iterator[tuple[str, Callable[..., int]]] = iter(
        (("icews.tab", write_icews), ("gdelt.export.CSV", write_gdelt), ("polecat.txt", write_polecat)))
    for name, write in writers:
        dyads = write(args.out / name, args.rows, args.seed, args.dyad_share)
        print(f"{args.out / name}: {args.rows} rows, {dyads} China-Russia")


if __name__ == "__main__":
    _main()
