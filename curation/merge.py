"""Merge curators' draft files into one batch for `eurasia-events append`.

Run once per batch: `python curation/merge.py OUT_DIR NAME [NAME ...]` reads
curation/NAME.jsonl, NAME_entities.json, NAME_sources.json, NAME_aliases.json, and writes
OUT_DIR/entities.json, OUT_DIR/sources.json (registries extended) and OUT_DIR/batch.jsonl
(events sorted by date; the same id in several drafts becomes one event whose sources,
parties and disputes are the union, the more precise date kept).
"""

import json
import sys
from pathlib import Path

import eurasia_events as ee

HERE = Path(__file__).parent
ROOT = HERE.parent


# Drafts that describe one happening under two ids: the first id is folded into the second.
SAME_AS = {
    "2015-armenia-joins-eaeu": "2015-01-02-armenia-joins-eaeu",
    "2015-kyrgyzstan-joins-eaeu": "2015-08-12-kyrgyzstan-joins-eaeu",
    "2023-cku-railway-construction-started": "2024-12-27-cku-railway-construction-started",
}


def read_json(path: Path, default):
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else default


def width(date: str) -> int:
    d = ee.PartialDate.parse(date)
    return d.latest_ordinal - d.earliest_ordinal


def merge_event(a: dict, b: dict) -> dict:
    if a["type"] != b["type"]:
        raise SystemExit(f"{a['id']}: drafts disagree on the type: {a['type']} vs {b['type']}")
    base, other = (a, b) if width(a["date"]) <= width(b["date"]) else (b, a)
    merged = dict(other) | dict(base)
    seen = {(s["source"], s["quote"]) for s in base["sources"]}
    merged["sources"] = base["sources"] + [s for s in other["sources"] if (s["source"], s["quote"]) not in seen]
    merged["parties"] = list(dict.fromkeys(base.get("parties", []) + other.get("parties", [])))
    disputes = base.get("disputes", []) + [d for d in other.get("disputes", []) if d not in base.get("disputes", [])]
    one, two = ee.PartialDate.parse(base["date"]), ee.PartialDate.parse(other["date"])
    if one.latest_ordinal < two.earliest_ordinal or two.latest_ordinal < one.earliest_ordinal:
        disputes.append({"field": "date", "value": other["date"], "source": other["sources"][0]["source"],
                         "note": "merged drafts gave different dates"})
    if disputes:
        merged["disputes"] = disputes
    notes = [n for n in (base.get("notes"), other.get("notes")) if n]
    if notes:
        merged["notes"] = " | ".join(dict.fromkeys(notes))
    related = list(dict.fromkeys(base.get("related", []) + other.get("related", [])))
    if related:
        merged["related"] = related
    return merged


def main(out: str, names: list[str]) -> None:
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    entities = read_json(ROOT / "events" / "entities.json", [])
    sources = read_json(ROOT / "events" / "sources.json", [])
    by_entity = {e["id"]: e for e in entities}
    taken = {n.casefold() for e in entities for n in (e["id"], e["name"], *e["aliases"])}
    by_source = {s["id"]: s for s in sources}
    events: dict[str, dict] = {}
    for name in names:
        for entity in read_json(HERE / f"{name}_entities.json", []):
            if entity["id"] in by_entity:
                continue
            entity["aliases"] = [a for a in entity.get("aliases", []) if a.casefold() not in taken]
            taken.update(n.casefold() for n in (entity["id"], entity["name"], *entity["aliases"]))
            by_entity[entity["id"]] = entity
        for entity_id, aliases in read_json(HERE / f"{name}_aliases.json", {}).items():
            for alias in aliases:
                if alias.casefold() not in taken:
                    by_entity[entity_id]["aliases"].append(alias)
                    taken.add(alias.casefold())
        for source in read_json(HERE / f"{name}_sources.json", []):
            by_source[source["id"]] = by_source.get(source["id"], {}) | source
        for line in (HERE / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                event = json.loads(line)
                event["id"] = SAME_AS.get(event["id"], event["id"])
                event["related"] = [SAME_AS.get(r, r) for r in event.get("related", [])] or None
                if event["related"] is None:
                    del event["related"]
                events[event["id"]] = merge_event(events[event["id"]], event) if event["id"] in events else event
    (out_dir / "entities.json").write_text(json.dumps(list(by_entity.values()), indent=1, ensure_ascii=False) + "\n")
    (out_dir / "sources.json").write_text(json.dumps(list(by_source.values()), indent=1, ensure_ascii=False) + "\n")
    ordered = sorted(events.values(), key=lambda e: (ee.PartialDate.parse(e["date"]).earliest_ordinal, e["id"]))
    with (out_dir / "batch.jsonl").open("w", encoding="utf-8") as handle:
        for event in ordered:
            handle.write(json.dumps(event, ensure_ascii=False) + "\n")
    print(f"{len(ordered)} events, {len(by_entity)} entities, {len(by_source)} sources -> {out_dir}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
