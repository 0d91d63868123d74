"""Build the second wave's batch: the drafts of this wave merged, and their corrections.

Run once: `python curation/wave2_batch.py OUT_DIR`. Writes OUT_DIR/entities.json and
OUT_DIR/sources.json (the registries extended), OUT_DIR/batch.jsonl (new events, by date)
and OUT_DIR/corrections.jsonl (corrections of earlier events, appended after the batch:
a correction has no date of its own, so merge.py cannot sort it).
"""

import json
import sys
from pathlib import Path

from merge import HERE, main as merge_drafts, read_json

DRAFTS = ["wave2_trade", "wave2_current", "wave2_stages"]
REVIEWS = ["wave2_review_a", "wave2_review_b"]  # corrections only, no new events

# Two curators corrected the same event; the kept correction is the one citing its source.
SKIP = {
    "2026-12-01-correct-oil-iga-2009-date",  # = 2026-12-01-fix-oil-iga-2009-date
    "2026-12-01-correct-kyrgyzstan-eaeu-membership-date",  # = 2026-12-01-fix-kyrgyzstan-eaeu-effective-date
    "2026-12-01-fix-rcif-established-date-dispute",  # = 2026-12-01-correct-rcif-established-disputes
}


def main(out: str) -> None:
    out_dir = Path(out)
    merge_drafts(out, DRAFTS)
    sources = {s["id"]: s for s in read_json(out_dir / "sources.json", [])}
    for name in REVIEWS:
        for source in read_json(HERE / f"{name}_sources.json", []):
            sources[source["id"]] = sources.get(source["id"], {}) | source
    (out_dir / "sources.json").write_text(json.dumps(list(sources.values()), indent=1, ensure_ascii=False) + "\n")
    kept = 0
    with (out_dir / "corrections.jsonl").open("w", encoding="utf-8") as handle:
        for name in DRAFTS + REVIEWS:
            path = HERE / f"{name}_corrections.jsonl"
            for line in path.read_text(encoding="utf-8").splitlines() if path.is_file() else []:
                if line.strip() and json.loads(line)["id"] not in SKIP:
                    handle.write(line.strip() + "\n")
                    kept += 1
    print(f"{kept} corrections -> {out_dir / 'corrections.jsonl'}")


if __name__ == "__main__":
    main(sys.argv[1])
