"""A seeded synthetic log: a realistic mix of event types, written through the real codec.

Every line comes from :func:`eurasia_events.codec.encode_record`, so the hash chain is
valid and :func:`eurasia_events.load` reads the file as it reads a curated log. Entity and
source ids come from the bundled registries, so every reference resolves. The same
``(size, seed)`` always gives the same bytes.

The mix: meetings and trade figures dominate (as in event datasets), then agreements of
every kind with their later events, projects, finance, sanctions and memberships; about
a third of the dates are partial (month or year, some qualified), a few carry a disputed
date, and about 2 % of records are corrections and 1 % retractions.
"""

from __future__ import annotations

import calendar
import json
import random
import shutil
from pathlib import Path
from typing import Any

import eurasia_events as ee
from eurasia_events.codec import GENESIS, encode_record
from eurasia_events.events import STAGES

WORDS = (
    "cooperation", "energy", "gas", "pipeline", "agreement", "summit", "bilateral", "strategic",
    "partnership", "trade", "volume", "investment", "project", "construction", "supply", "contract",
    "signed", "talks", "leaders", "ministry", "delegation", "border", "railway", "bridge", "bank", "loan",
    "yuan", "rouble", "settlement", "sanctions", "measure", "export", "import", "oil", "coal",
)

# (kind, weight): the shares of a large, dataset-like log.
MIX: tuple[tuple[str, float], ...] = (
    ("meeting", 26), ("forum", 2), ("trade_statistic", 14), ("announcement", 7), ("project_milestone", 7),
    ("memorandum", 6), ("treaty_signed", 3), ("supply_contract", 2), ("joint_statement", 3),
    ("entered_into_force", 3), ("agreement_extended", 1), ("agreement_ended", 1), ("supply_started", 1),
    ("loan", 3), ("investment", 3), ("sanctions_imposed", 4), ("sanctions_extended", 1.5),
    ("sanctions_lifted", 0.5), ("membership_joined", 1), ("membership_left", 0.5),
    ("correction", 2), ("retraction", 1),
)
BASE_MICROS = 1_767_225_600_000_000  # 2026-01-01T00:00:00Z: records are a minute apart from here


def parse_size(text: str) -> int:
    """``10k`` -> 10000, ``1M`` -> 1000000, ``250`` -> 250."""
    text = text.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if scale != 1 else text) * scale)


def size_label(n: int) -> str:
    """1000000 -> ``1M``, 10000 -> ``10k``."""
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


class _Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        folder = ee.bundled_path()
        entities = json.loads((folder / "entities.json").read_text("utf-8"))
        sources = json.loads((folder / "sources.json").read_text("utf-8"))
        kinds: dict[str, list[str]] = {}
        for entity in entities:
            kinds.setdefault(entity["kind"], []).append(entity["id"])
        self.states = kinds["state"]
        self.orgs = kinds["organisation"]
        self.actors = kinds["state"] + kinds["person"] + kinds["company"]
        self.money = kinds["bank"] + kinds["fund"] + kinds["company"]
        self.targets = kinds["bank"] + kinds["fund"] + kinds["company"] + kinds["person"]
        self.projects = kinds["project"]
        self.companies = kinds["company"]
        self.sources = [s["id"] for s in sources]
        self.agreements: list[str] = []
        self.measures: list[str] = []
        self.live: list[tuple[str, str]] = []  # (id, type) of events neither retracted nor a target of one
        self.count = 0

    # -- values ---------------------------------------------------------------------

    def date(self) -> str:
        rng = self.rng
        year = rng.randint(1991, 2035)
        roll = rng.random()
        if roll < 0.10:
            text = f"{year}"
        elif roll < 0.30:
            text = f"{year}-{rng.randint(1, 12):02d}"
        else:
            month = rng.randint(1, 12)
            text = f"{year}-{month:02d}-{rng.randint(1, calendar.monthrange(year, month)[1]):02d}"
        if rng.random() < 0.05:
            text += rng.choice("?~%")
        return text

    def day(self) -> str:
        year, month = self.rng.randint(1991, 2035), self.rng.randint(1, 12)
        return f"{year}-{month:02d}-{self.rng.randint(1, calendar.monthrange(year, month)[1]):02d}"

    def text(self, low: int, high: int) -> str:
        return " ".join(self.rng.choices(WORDS, k=self.rng.randint(low, high))).capitalize()

    def envelope(self, kind: str, parties: int = 2) -> dict[str, Any]:
        rng = self.rng
        self.count += 1
        date = self.date()
        data: dict[str, Any] = {
            "id": f"{date[:4]}-{kind.replace('_', '-')}-{self.count}",
            "date": date,
            "title": self.text(3, 9),
            "sources": [{"source": rng.choice(self.sources), "quote": self.text(8, 24)}],
            "parties": rng.sample(self.actors, parties),
        }
        if rng.random() < 0.03:
            data["disputes"] = [{"field": "date", "value": self.date(), "source": rng.choice(self.sources)}]
        if rng.random() < 0.1:
            data["notes"] = self.text(5, 15)
        return data

    def qty(self, low: int, high: int, unit: str) -> str:
        return f"{self.rng.randint(low, high)} {unit}"

    # -- events ---------------------------------------------------------------------

    def event(self) -> ee.Event | ee.Amendment:
        kind = self.rng.choices([k for k, _ in MIX], weights=[w for _, w in MIX])[0]
        needs_agreement = kind in ("entered_into_force", "agreement_extended", "agreement_ended")
        needs_measure = kind in ("sanctions_extended", "sanctions_lifted")
        if (needs_agreement and not self.agreements) or (needs_measure and not self.measures) or (
            kind in ("correction", "retraction") and not self.live
        ):
            kind = "meeting"
        if kind in ("correction", "retraction"):
            return self.amendment(kind)
        data = self.envelope(kind)
        getattr(self, "_" + kind)(data)
        if kind in ("memorandum", "treaty_signed", "supply_contract", "joint_statement"):
            data["agreement"] = data["id"]
            self.agreements.append(data["id"])
        cls = ee.EVENT_TYPES[kind]
        event = cls(**data)
        self.live.append((data["id"], kind))
        return event  # type: ignore[return-value]

    def amendment(self, kind: str) -> ee.Amendment:
        rng = self.rng
        index = rng.randrange(len(self.live))
        target, _ = self.live[index]
        self.count += 1
        if kind == "retraction":
            self.live[index] = self.live[-1]
            self.live.pop()
            return ee.Retraction(id=f"retract-{self.count}", target=target, reason=self.text(4, 10))
        # Titles and notes can change on any event without making it invalid.
        changes = {"title": self.text(3, 9)} if rng.random() < 0.7 else {"notes": self.text(5, 12)}
        return ee.Correction(id=f"fix-{self.count}", target=target, reason=self.text(4, 10), changes=changes)

    def _meeting(self, d: dict[str, Any]) -> None:
        d["kind"] = self.rng.choice(("summit", "visit", "talks", "call"))
        d["location"] = self.rng.choice(("Moscow", "Beijing", "Astana", "Vladivostok", "Shanghai", ""))

    def _forum(self, d: dict[str, Any]) -> None:
        d["name"] = self.text(2, 4)

    def _trade_statistic(self, d: dict[str, Any]) -> None:
        year = self.rng.randint(1991, 2034)
        d["period"] = f"{year}" if self.rng.random() < 0.5 else f"{year}-{self.rng.randint(1, 12):02d}"
        d["flow"] = self.rng.choice(("total", "exports", "imports"))
        d["value"] = self.qty(1, 250, "USD")
        if self.rng.random() < 0.3:
            d["change"] = f"{self.rng.randint(-30, 40)} %"

    def _announcement(self, d: dict[str, Any]) -> None:
        d["subject"] = self.rng.choice(self.projects)
        d["expected"] = self.text(4, 10)
        if self.rng.random() < 0.5:
            d["expected_by"] = self.date()

    def _project_milestone(self, d: dict[str, Any]) -> None:
        d["project"] = self.rng.choice(self.projects)
        d["stage"] = self.rng.choice(STAGES)
        if self.rng.random() < 0.3:
            d["capacity"] = self.qty(1, 60, "bcm/yr")

    def _memorandum(self, d: dict[str, Any]) -> None:
        d["kind"] = self.rng.choice(("memorandum", "framework"))
        if self.rng.random() < 0.4:
            d["commodity"] = "pipeline_gas"
            d["route"] = self.rng.choice(self.projects)
            d["annual_volume"] = self.qty(1, 50, "bcm/yr")

    def _treaty_signed(self, d: dict[str, Any]) -> None:
        d["kind"] = self.rng.choice(("treaty", "agreement", "protocol"))
        if self.rng.random() < 0.5:
            d["term"] = self.qty(5, 30, "years")
        if self.rng.random() < 0.05:
            d["founds"] = self.rng.choice(self.orgs)

    def _supply_contract(self, d: dict[str, Any]) -> None:
        d["commodity"] = self.rng.choice(("pipeline_gas", "oil", "lng"))
        unit = "bcm/yr" if d["commodity"] == "pipeline_gas" else "Mt/yr"
        d["annual_volume"] = self.qty(1, 40, unit)
        d["route"] = self.rng.choice(self.projects)
        d["seller"], d["buyer"] = self.rng.sample(self.companies, 2)
        d["term"] = self.qty(10, 30, "years")
        if self.agreements and self.rng.random() < 0.1:
            d["supersedes"] = [self.rng.choice(self.agreements)]

    def _joint_statement(self, d: dict[str, Any]) -> None:
        pass

    def _entered_into_force(self, d: dict[str, Any]) -> None:
        d["agreement"] = self.rng.choice(self.agreements)

    def _agreement_extended(self, d: dict[str, Any]) -> None:
        d["agreement"] = self.rng.choice(self.agreements)
        d["term"] = self.qty(1, 10, "years")

    def _agreement_ended(self, d: dict[str, Any]) -> None:
        d["agreement"] = self.rng.choice(self.agreements)
        d["reason"] = self.rng.choice(("expired", "terminated", "suspended"))

    def _supply_started(self, d: dict[str, Any]) -> None:
        d["commodity"] = "pipeline_gas"
        d["route"] = self.rng.choice(self.projects)
        if self.rng.random() < 0.5:
            d["capacity"] = self.qty(1, 60, "bcm/yr")

    def _loan(self, d: dict[str, Any]) -> None:
        d["lender"], d["borrower"] = self.rng.sample(self.money, 2)
        d["amount"] = self.qty(1, 30, self.rng.choice(("USD", "CNY", "EUR")))
        d["kind"] = self.rng.choice(("loan", "credit_line"))

    def _investment(self, d: dict[str, Any]) -> None:
        d["investor"] = self.rng.choice(self.money)
        d["project"] = self.rng.choice(self.projects)
        if self.rng.random() < 0.6:
            d["amount"] = self.qty(1, 20, "USD")
        if self.rng.random() < 0.4:
            d["stake"] = f"{self.rng.randint(1, 30)} %"

    def _sanctions_imposed(self, d: dict[str, Any]) -> None:
        d["measure"] = d["id"]
        d["imposer"] = self.rng.choice(("eu", "US", "g7"))
        d["targets"] = self.rng.sample(self.targets, 2)
        d["description"] = self.text(4, 12)
        d["sectors"] = [self.rng.choice(("energy", "finance", "technology"))]
        self.measures.append(d["id"])

    def _sanctions_extended(self, d: dict[str, Any]) -> None:
        d["measure"] = self.rng.choice(self.measures)
        if self.rng.random() < 0.7:
            d["until"] = self.day()

    def _sanctions_lifted(self, d: dict[str, Any]) -> None:
        d["measure"] = self.rng.choice(self.measures)

    def _membership_joined(self, d: dict[str, Any]) -> None:
        d["organisation"] = self.rng.choice(self.orgs)
        d["member"] = self.rng.choice(self.states)

    def _membership_left(self, d: dict[str, Any]) -> None:
        self._membership_joined(d)


def generate_lines(n: int, seed: int = 0) -> list[bytes]:
    """``n`` records (with final newlines) of a valid, hash-chained log."""
    gen = _Generator(seed)
    prev = GENESIS
    lines = []
    for seq in range(1, n + 1):
        recorded = ee.Instant(BASE_MICROS + seq * 60_000_000)
        line, prev = encode_record(seq, recorded, gen.event(), prev)
        lines.append(line)
    return lines


def write_log(folder: Path, n: int, seed: int = 0) -> Path:
    """A log folder (``log.jsonl`` and copies of the bundled registries), reused when already made."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "log.jsonl"
    marker = folder / "generated.json"
    wanted = {"n": n, "seed": seed, "version": 1}
    if not (target.is_file() and marker.is_file() and json.loads(marker.read_text()) == wanted):
        tmp = folder / "log.jsonl.tmp"
        tmp.write_bytes(b"".join(generate_lines(n, seed)))
        tmp.replace(target)
        marker.write_text(json.dumps(wanted))
    for name in ("entities.json", "sources.json"):
        shutil.copy(ee.bundled_path() / name, folder / name)
    return folder
