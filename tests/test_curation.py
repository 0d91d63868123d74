"""The curated data's provenance: public quotes match the passages curators kept, and the
registries hold no placeholders."""

from __future__ import annotations

import json
from pathlib import Path

import eurasia_events as ee
from eurasia_events.sources import normalise_quote

CURATION = Path(__file__).resolve().parents[1] / "curation"
LOG = ee.load()


def passages() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted(CURATION.glob("*_quotes.json")):
        for source_id, text in json.loads(path.read_text(encoding="utf-8")).items():
            found[source_id] = found.get(source_id, "") + " " + normalise_quote(text)
    return found


def test_every_public_quote_is_in_its_kept_passage() -> None:
    """Each quote from a public address, in every record (amendments and retracted events too),
    appears in the source passage stored in curation/*_quotes.json."""
    kept = passages()
    missing = []
    for record in LOG:
        for citation in record.event.sources:
            source = LOG.sources[citation.source]
            if source.address and normalise_quote(citation.quote) not in kept.get(source.id, ""):
                missing.append((record.event.id, source.id))
    assert missing == []


def test_sources_are_complete() -> None:
    """Every source names a title, a publisher and an address or a seed file; public ones a retrieval date."""
    for source in LOG.sources.values():
        assert source.title.strip(), source.id
        assert source.publisher.strip(), source.id
        assert source.address.startswith("http") or source.file, source.id
        if source.address:
            assert source.retrieved, source.id
    assert LOG.sources["seed-004"].machine_translated


def test_every_cited_source_is_used_and_every_registered_source_cited() -> None:
    """No orphan sources in the registry: each is cited by an event, a dispute, or an amendment
    (a correction or retraction cites the source that showed the record wrong)."""
    cited = {c.source for e in LOG.events() for c in e.sources} | {d.source for e in LOG.events() for d in e.disputes}
    cited |= {c.source for record in LOG for c in record.event.sources}
    assert set(LOG.sources) - cited == set()
