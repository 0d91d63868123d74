"""Where facts come from: source documents and datasets, and the registry that names them.

A :class:`Source` is a document (a seed file or a public page) with its title,
publisher and publication date, which events cite by id with a verbatim quote; or a
dataset (ICEWS, GDELT, POLECAT) in a given release, which imported events cite by the
key of the record they came from. The fields map onto W3C PROV and Wikidata references
(see ``docs/curation.md``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Final

import attrs

from .dates import PartialDate
from .entities import read_registry
from .errors import EurasiaEventsError, InvalidEventError

__all__ = ["SOURCE_KINDS", "QuoteChecker", "Source", "SourceRegistry", "normalise_quote"]

_SLUG = re.compile(r"[a-z0-9][a-z0-9._-]*")
_TEXT_FIELDS = ("id", "title", "publisher", "address", "file", "language", "retrieved", "kind", "version")

SOURCE_KINDS: Final = ("document", "dataset")
"""What a source is: a ``document`` (cited with a verbatim quote) or a ``dataset`` (cited by a record's key)."""


def normalise_quote(text: str) -> str:
    """Whitespace-normalised text: how quotes are compared with their sources."""
    return " ".join(text.split())


@attrs.frozen(kw_only=True)
class Source:
    """A document or a dataset that events cite.

    >>> Source(id="icews", title="ICEWS Coded Event Data", publisher="Harvard Dataverse", kind="dataset",
    ...        version="V30", address="https://doi.org/10.7910/DVN/28075").to_record()["kind"]
    'dataset'
    """

    id: str
    """Lowercase slug, e.g. ``seed-004`` or ``kremlin-2001-07-16-treaty``."""
    title: str
    """The document's title."""
    publisher: str
    """Who published it (outlet, institution)."""
    published: PartialDate | None = None
    """When it was published, as precisely as known (``2024-04~``)."""
    address: str = ""
    """A URL, for public documents."""
    file: str = ""
    """A file name, for documents shipped beside the log (the seeds)."""
    language: str = "en"
    """Language of the text quoted."""
    machine_translated: bool = False
    """Whether the quoted text is a machine translation."""
    retrieved: str = ""
    """When the address was read (``YYYY-MM-DD``)."""
    kind: str = "document"
    """``document`` (events quote its words) or ``dataset`` (events cite its records); see :data:`SOURCE_KINDS`."""
    version: str = ""
    """The release of a dataset, e.g. ``GDELT 2.0`` or ``Dataverse V30``."""

    def __attrs_post_init__(self) -> None:
        for name in _TEXT_FIELDS:
            if type(getattr(self, name)) is not str:
                raise InvalidEventError(f"source field {name!r} must be text, got {getattr(self, name)!r:.80}",
                                        field=name)
        if type(self.machine_translated) is not bool:
            raise InvalidEventError(f"source field 'machine_translated' must be true or false, "
                                    f"got {self.machine_translated!r:.80}", field="machine_translated")
        if self.published is not None and not isinstance(self.published, PartialDate):
            raise InvalidEventError(f"source field 'published' must be a partial date, got {self.published!r:.80}",
                                    field="published")
        if not _SLUG.fullmatch(self.id):
            raise InvalidEventError(f"source id {self.id!r} must be a lowercase slug", field="id")
        if self.kind not in SOURCE_KINDS:
            raise InvalidEventError(f"source {self.id!r}: field 'kind' must be one of {', '.join(SOURCE_KINDS)}, "
                                    f"got {self.kind!r:.80}", field="kind")
        if self.kind == "dataset" and not self.address:
            raise InvalidEventError(f"source {self.id!r} is a dataset and needs an address (its landing page or DOI)",
                                    field="address")
        if not self.address and not self.file:
            raise InvalidEventError(f"source {self.id!r} needs an address or a file", field="address")
        for name in ("title", "publisher"):
            if not getattr(self, name).strip():
                raise InvalidEventError(f"source {self.id!r} has an empty {name}", field=name)

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Source:
        """From a stored dict."""
        published = record.get("published")
        if published is not None and type(published) is not str:
            raise InvalidEventError(f"source field 'published' must be a date as text, got {published!r:.80}",
                                    field="published")
        fields = dict(record)
        fields["published"] = PartialDate.parse(published) if published else None
        return cls(**fields)

    def to_record(self) -> dict[str, Any]:
        """As stored: fields with empty or default values left out."""
        record: dict[str, Any] = {"id": self.id, "title": self.title, "publisher": self.publisher}
        if self.published is not None:
            record["published"] = str(self.published)
        for name in ("address", "file", "retrieved"):
            if getattr(self, name):
                record[name] = getattr(self, name)
        record["language"] = self.language
        if self.machine_translated:
            record["machine_translated"] = True
        if self.kind != "document":
            record["kind"] = self.kind
        if self.version:
            record["version"] = self.version
        return record

    def citation_problem(self, citation: Any) -> str | None:
        """Why ``citation`` (anything with ``source``, ``quote`` and ``record``, such as a
        :class:`~eurasia_events.Citation`) does not fit this source's kind, or ``None``: a
        dataset is cited by a record, a document by a verbatim quote."""
        return citation_kind_problem(self.kind, citation)


def citation_kind_problem(kind: str, citation: Any) -> str | None:
    """Why ``citation`` does not fit a source of ``kind``, or ``None`` (see :meth:`Source.citation_problem`).
    The one rule, for the log's reference checks and for the fast decoder."""
    if kind == "dataset":
        if citation.quote or not citation.record:
            return (f"source {citation.source!r} is a dataset: cite the dataset's 'record' (and its story or URL "
                    f"in 'locator'), not a quote")
    elif citation.record or not citation.quote:
        return f"source {citation.source!r} is a document: cite it with a verbatim 'quote', not a 'record'"
    return None


@attrs.frozen
class SourceRegistry(Mapping[str, Source]):
    """All sources the log cites, by id."""

    _by_id: dict[str, Source]

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]], *, file: str | None = None) -> SourceRegistry:
        """Build from plain dicts (as stored in ``sources.json``)."""
        by_id: dict[str, Source] = {}
        for index, record in enumerate(records):
            where = f"{file or 'sources'} entry {index}"
            if not isinstance(record, Mapping):
                raise InvalidEventError(f"{where}: expected an object with id, title, publisher, ...; "
                                        f"got {record!r:.80}")
            try:
                source = Source.from_record(record)
            except (TypeError, EurasiaEventsError) as error:
                raise InvalidEventError(f"{where}: {error}") from None
            if source.id in by_id:
                raise InvalidEventError(f"{where}: duplicate source id {source.id!r}")
            by_id[source.id] = source
        return cls(by_id)

    @classmethod
    def from_file(cls, path: str | Path) -> SourceRegistry:
        """Read a JSON list of sources."""
        return cls.from_records(read_registry(path, "source registry"), file=str(path))

    def to_records(self) -> list[dict[str, Any]]:
        """Plain dicts, as stored."""
        return [s.to_record() for s in self._by_id.values()]

    def __getitem__(self, source_id: str) -> Source:
        return self._by_id[source_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)


class QuoteChecker:
    """Checks quotes against the source files kept in a folder (the seeds), reading each once.

    Only documents with a ``file`` are checked; a public source (an ``address``) and a
    dataset are not.
    ``eurasia-events validate --sources`` and ``append --sources`` use it.
    """

    def __init__(self, sources: Mapping[str, Source], folder: str | Path) -> None:
        self.sources = sources
        self.folder = Path(folder)
        self._texts: dict[str, str | None] = {}  # source id -> normalised text (None: unreadable)
        self._why: dict[str, str] = {}

    def problem(self, source_id: str, quote: str) -> str | None:
        """Why ``quote`` is not verified in the source's file, or ``None`` when it is (or the
        source has no file to check)."""
        source = self.sources.get(source_id)
        if source is None or not source.file or source.kind == "dataset":
            return None
        if source_id not in self._texts:
            self._texts[source_id] = self._read(source)
        text = self._texts[source_id]
        if text is None:
            return self._why[source_id]
        if normalise_quote(quote) not in text:
            return f"quote not found: {quote[:80]!r}"
        return None

    def _read(self, source: Source) -> str | None:
        path = self.folder / source.file
        if not path.is_file():  # also keeps a FIFO from blocking the read
            self._why[source.id] = f"file {source.file} not found in {self.folder}"
            return None
        try:
            return normalise_quote(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as error:
            self._why[source.id] = f"file {source.file} in {self.folder} cannot be read: {error}"
            return None
