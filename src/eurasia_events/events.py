"""The typed events of the log: one frozen, keyword-only attrs class per kind.

Every event shares an envelope (:class:`Event`): a stable id, the historical date (a
:class:`~eurasia_events.dates.PartialDate`), the parties, a title, the sources with
verbatim quotes, and a status separating what happened from what was planned. Fields
are validated at construction, so an invalid event never reaches the log; errors name
the event id and the field.

Mistakes are fixed by appending a :class:`Correction` or a :class:`Retraction`; there is
no API that edits or deletes a record.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar, Final

import attrs

from .dates import Instant, PartialDate
from .errors import EurasiaEventsError, InvalidEventError
from .quantities import UNITS, Quantity

__all__ = [
    "EVENT_TYPES",
    "AgreementEnded",
    "AgreementEvent",
    "AgreementExtended",
    "AgreementRelated",
    "Amendment",
    "Announcement",
    "Citation",
    "CodedInteraction",
    "Correction",
    "DealClosed",
    "Dispute",
    "EnteredIntoForce",
    "Event",
    "Forum",
    "Investment",
    "JointStatement",
    "Loan",
    "Meeting",
    "MembershipJoined",
    "MembershipLeft",
    "Memorandum",
    "PolicyMeasure",
    "ProjectMilestone",
    "Ratified",
    "Record",
    "Retraction",
    "SanctionsDelisted",
    "SanctionsExtended",
    "SanctionsImposed",
    "SanctionsLifted",
    "Statement",
    "Status",
    "SupplyContract",
    "SupplyLevel",
    "SupplyStarted",
    "TradeStatistic",
    "TreatySigned",
]

SLUG_PATTERN: Final = re.compile(r"[a-z0-9][a-z0-9._-]*")
"""The form of every id and slug (event ids, agreements, measures, sources), matched whole."""
ENTITY_PATTERN: Final = re.compile(r"[A-Z]{2}|[a-z0-9][a-z0-9-]*")
"""The form of an entity id: a state's ISO alpha-2 code or a lowercase slug, matched whole."""
_SLUG = SLUG_PATTERN
_ENTITY_ID = ENTITY_PATTERN

COMMODITIES: Final = ("pipeline_gas", "lng", "oil", "oil_products", "coal", "electricity", "grain", "other")


class Status(enum.Enum):
    """Whether an event happened, was only planned or announced, or is unconfirmed."""

    HAPPENED = "happened"
    PLANNED = "planned"
    UNCONFIRMED = "unconfirmed"


# --- field helpers -----------------------------------------------------------------
# Each helper returns an attrs field whose converter checks the JSON-level type and
# raises InvalidEventError naming the event id and the field. The "codec" metadata tells
# the codec how to write the value back; "doc" feeds the event types reference.


def _fail(instance: Any, field: attrs.Attribute[Any], problem: str) -> InvalidEventError:
    return InvalidEventError(problem, event_id=getattr(instance, "id", None), field=field.name)


def _field(codec: str, doc: str, convert: Callable[[Any, Any, attrs.Attribute[Any]], Any], **kwargs: Any) -> Any:
    # "shape" and its details let the codec, the reference docs and the testing strategies
    # know what a field holds without reading the converter.
    metadata = {
        "codec": codec,
        "doc": doc,
        "entity": kwargs.pop("entity", False),
        "shape": kwargs.pop("shape", codec),
        "choices": kwargs.pop("choices", ()),
        "dimensions": kwargs.pop("dimensions", ()),
        "positive": kwargs.pop("positive", True),
        "bounds": kwargs.pop("bounds", None),  # (lowest, highest or None) of a number
        "day": kwargs.pop("day", False),  # a date that must be one day (see is_day)
        "by": kwargs.pop("by", None),  # the choice field choosing a code's form
        "forms": kwargs.pop("forms", {}),  # that choice's values -> the code's pattern
        # A value many events repeat (a place, a slug naming an agreement): loaded rows share one
        # object per distinct value instead of holding a copy each (see eurasia_events._engine).
        "repeated": kwargs.pop("repeated", False),
    }
    return attrs.field(
        converter=attrs.Converter(convert, takes_self=True, takes_field=True),
        metadata=metadata,
        **kwargs,
    )


def _text(doc: str, *, default: str | None = None, required: bool = True, repeated: bool = False) -> Any:
    def convert(value: Any, instance: Any, field: attrs.Attribute[Any]) -> str:
        if not isinstance(value, str):
            raise _fail(instance, field, f"expected text, got {value!r}")
        if required and not value.strip():
            raise _fail(instance, field, "must not be empty")
        return value

    if default is None:
        return _field("text", doc, convert, repeated=repeated)
    return _field("text", doc, convert, default=default, repeated=repeated)


def _slug(doc: str, *, repeated: bool = True) -> Any:
    def convert(value: Any, instance: Any, field: attrs.Attribute[Any]) -> str:
        if not isinstance(value, str) or not _SLUG.fullmatch(value):
            raise _fail(instance, field, f"expected a lowercase slug like 'gazprom-cnpc-2014', got {value!r}")
        return value

    return _field("text", doc, convert, shape="slug", repeated=repeated)


def _slugs(doc: str) -> Any:
    def convert(value: Any, instance: Any, field: attrs.Attribute[Any]) -> tuple[str, ...]:
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) and _SLUG.fullmatch(v) for v in value):
            raise _fail(instance, field, f"expected a list of lowercase slugs, got {value!r}")
        return tuple(value)

    return _field("list", doc, convert, default=(), shape="slugs")


def _choice(doc: str, choices: tuple[str, ...], *, default: str | None = None, optional: bool = False) -> Any:
    def convert(value: Any, instance: Any, field: attrs.Attribute[Any]) -> str | None:
        if value is None and optional:
            return None
        if value not in choices:
            raise _fail(instance, field, f"got {value!r}; expected one of {', '.join(choices)}")
        return str(value)

    doc = f"{doc} One of: {', '.join(f'`{c}`' for c in choices)}."
    if default is None and not optional:
        return _field("text", doc, convert, shape="choice", choices=choices)
    return _field("text", doc, convert, default=default, shape="choice", choices=choices)


def _choices(doc: str, choices: tuple[str, ...]) -> Any:
    def convert(value: Any, instance: Any, field: attrs.Attribute[Any]) -> tuple[str, ...]:
        if not isinstance(value, (list, tuple)) or not all(v in choices for v in value):
            raise _fail(instance, field, f"got {value!r}; expected a list of: {', '.join(choices)}")
        return tuple(value)

    return _field("list", f"{doc} Any of: {', '.join(f'`{c}`' for c in choices)}.", convert, default=(),
                  shape="choices", choices=choices)


def _flag(doc: str, default: bool) -> Any:
    def convert(value: Any, instance: Any, field: attrs.Attribute[Any]) -> bool:
        if not isinstance(value, bool):
            raise _fail(instance, field, f"expected true or false, got {value!r}")
        return value

    return _field("bool", doc, convert, default=default)


def _number(doc: str, *, maximum: int | None = None) -> Any:
    def convert(value: Any, instance: Any, field: attrs.Attribute[Any]) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 1 or (
                maximum is not None and value > maximum):
            expected = "a positive whole number" if maximum is None else f"a whole number from 1 to {maximum}"
            raise _fail(instance, field, f"expected {expected}, got {value!r}")
        return value

    return _field("int", doc, convert, default=None, bounds=(1, maximum))


def _score(doc: str, *, lowest: float, highest: float) -> Any:
    """An optional number (a score) from ``lowest`` to ``highest``, kept as a float."""

    def convert(value: Any, instance: Any, field: attrs.Attribute[Any]) -> float | None:
        if value is None:
            return None
        # NaN and the infinities fail the range test too.
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not lowest <= value <= highest:
            raise _fail(instance, field, f"expected a number from {lowest:g} to {highest:g}, got {value!r}")
        return float(value)

    return _field("float", doc, convert, default=None, bounds=(lowest, highest))


def is_day(date: PartialDate) -> bool:
    """Whether a date is one day, written as one (``2014-05-21``: no interval, no qualifier)."""
    return date.earliest_ordinal == date.latest_ordinal and not date.interval and not date.qualified


def _date(doc: str, *, optional: bool = False, day: bool = False) -> Any:
    def convert(value: Any, instance: Any, field: attrs.Attribute[Any]) -> PartialDate | None:
        if value is None and optional:
            return None
        if not isinstance(value, PartialDate):
            try:
                value = PartialDate.parse(value)
            except EurasiaEventsError as error:
                raise _fail(instance, field, str(error)) from None
        if day and not is_day(value):
            raise _fail(instance, field, f"expected one day written YYYY-MM-DD, got {str(value)!r}")
        date: PartialDate = value
        return date

    if optional:
        return _field("date", doc, convert, default=None, day=day)
    return _field("date", doc, convert, day=day)


def _code(doc: str, *, by: str, forms: Mapping[str, re.Pattern[str]]) -> Any:
    """A code whose form depends on the value of the choice field ``by`` (declared before it):
    ``forms`` maps each value to the pattern its codes match whole. The field checks only
    that it is text; the type's ``__attrs_post_init__`` checks the form, on full events and
    on the fast decoder's rows alike."""

    def convert(value: Any, instance: Any, field: attrs.Attribute[Any]) -> str:
        if not isinstance(value, str) or not value.strip():
            raise _fail(instance, field, f"expected a code as text, got {value!r}")
        return value

    return _field("text", doc, convert, shape="code", by=by, forms=dict(forms))


def _quantity(doc: str, *, dimensions: tuple[str, ...], optional: bool = True, positive: bool = True) -> Any:
    def convert(value: Any, instance: Any, field: attrs.Attribute[Any]) -> Quantity | None:
        if value is None and optional:
            return None
        if not isinstance(value, Quantity):
            try:
                value = Quantity.parse(value)
            except EurasiaEventsError as error:
                raise _fail(instance, field, str(error)) from None
        if not any(value.dimension.startswith(d) for d in dimensions):
            allowed = [u for u in UNITS if any(UNITS[u].dimension.startswith(d) for d in dimensions)]
            raise _fail(instance, field, f"unit {value.unit!r} does not fit; expected one of {', '.join(allowed)}")
        if positive and value.value <= 0:
            raise _fail(instance, field, f"must be positive, got {value}")
        quantity: Quantity = value
        return quantity

    if optional:
        return _field("quantity", doc, convert, default=None, dimensions=dimensions, positive=positive)
    return _field("quantity", doc, convert, dimensions=dimensions, positive=positive)


def _entity(doc: str, *, optional: bool = False) -> Any:
    def convert(value: Any, instance: Any, field: attrs.Attribute[Any]) -> str | None:
        if value is None and optional:
            return None
        if not isinstance(value, str) or not _ENTITY_ID.fullmatch(value):
            raise _fail(instance, field, f"expected an entity id like 'RU' or 'gazprom', got {value!r}")
        return value

    if optional:
        return _field("text", doc, convert, default=None, entity=True, shape="entity")
    return _field("text", doc, convert, entity=True, shape="entity")


def _entities(doc: str, *, required: bool = False) -> Any:
    def convert(value: Any, instance: Any, field: attrs.Attribute[Any]) -> tuple[str, ...]:
        if not isinstance(value, (list, tuple)) or not all(
            isinstance(v, str) and _ENTITY_ID.fullmatch(v) for v in value
        ):
            raise _fail(instance, field, f"expected a list of entity ids like ['RU', 'CN'], got {value!r}")
        if required and not value:
            raise _fail(instance, field, "must name at least one entity")
        if len(set(value)) != len(value):
            raise _fail(instance, field, f"lists an entity twice: {value!r}")
        return tuple(value)

    if required:
        return _field("list", doc, convert, entity=True, shape="entities")
    return _field("list", doc, convert, default=(), entity=True, shape="entities")


_MONEY = ("money",)
_RATE = ("gas volume per year", "mass per year")
_DURATION = ("duration",)


# --- citations ---------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Citation:
    """A source cited by an event: a document's verbatim words (``quote``) or a dataset's
    record (``record``), exactly one of the two.

    Which one a source takes depends on its kind (see :class:`~eurasia_events.Source`);
    the log checks that when it resolves the source.

    >>> Citation(source="icews", record="21563720@2014-05-20", locator="story 28235806, sentence 2").to_json()
    {'source': 'icews', 'record': '21563720@2014-05-20', 'locator': 'story 28235806, sentence 2'}
    """

    source: str
    """Id of a source in the source registry."""
    quote: str = ""
    """Verbatim excerpt of a document (compared after whitespace normalisation)."""
    locator: str = ""
    """Where in the source, optional: page or paragraph of a document; for a dataset record,
    the story and sentence (``story 28235806, sentence 2``) or the article's URL."""
    record: str = ""
    """The dataset's key of the record cited (ICEWS ``EVENTID@YYYY-MM-DD``, GDELT ``GLOBALEVENTID``)."""

    def __attrs_post_init__(self) -> None:
        problem = self.problem(self.source, self.quote, self.record, self.locator)
        if problem is not None:
            raise InvalidEventError(problem, field="sources")

    @staticmethod
    def problem(source: Any, quote: Any, record: Any, locator: Any = "") -> str | None:
        """Why these values make no citation, or ``None``: a source id, text fields, and exactly
        one of ``quote`` and ``record``, not blank. The one rule, for events built in Python
        and for records read from a log."""
        if not isinstance(source, str) or not source.strip():
            return f"a source needs a 'source' id, got {source!r:.80}"
        for name, value in (("quote", quote), ("record", record), ("locator", locator)):
            if not isinstance(value, str):
                return f"source {source!r}: {name!r} must be text, got {value!r:.80}"
        if quote and record:
            return (f"source {source!r}: give a verbatim 'quote' (a document) or a 'record' (a dataset's record), "
                    f"not both")
        if not (quote or record).strip():
            if record:
                return f"source {source!r}: 'record' must not be blank"
            return f"source {source!r} needs a verbatim 'quote' (or, for a dataset, its 'record')"
        return None

    def to_json(self) -> dict[str, str]:
        data = {"source": self.source}
        if self.quote:
            data["quote"] = self.quote
        if self.record:
            data["record"] = self.record
        if self.locator:
            data["locator"] = self.locator
        return data


DISPUTE_RANKS: Final = ("normal", "deprecated")
"""How far a dispute counts: see :attr:`Dispute.rank`."""


@attrs.frozen(kw_only=True)
class Dispute:
    """A source that disagrees with a value the event records."""

    field: str
    """The disputed field, e.g. ``date`` or ``annual_volume``."""
    value: str
    """The other value, as text (EDTF for a date, ``"NUMBER UNIT"`` for a quantity)."""
    source: str
    """Id of the source that gives the other value."""
    note: str = ""
    """Why, or what the source says."""
    rank: str = "normal"
    """``normal``: the other value may be right, so answers that depend on the field are
    uncertain between the two (a disputed date widens the event's possible days).
    ``deprecated``: better sources refute it; it is kept and shown, but no answer uses it
    (Wikidata's ranks)."""

    def to_json(self) -> dict[str, str]:
        data = {"field": self.field, "value": self.value, "source": self.source}
        if self.note:
            data["note"] = self.note
        if self.rank != "normal":
            data["rank"] = self.rank
        return data


_CITATION_KEYS: Final = frozenset({"source", "quote", "record", "locator"})


def _citations(value: Any, instance: Any, field: attrs.Attribute[Any]) -> tuple[Citation, ...]:
    if not isinstance(value, (list, tuple)) or not value:
        raise _fail(instance, field, "needs at least one source: [{'source': ID, 'quote': '...'}]")
    citations = []
    for item in value:
        if isinstance(item, Citation):
            citations.append(item)
            continue
        if not isinstance(item, Mapping) or set(item) - _CITATION_KEYS:
            raise _fail(instance, field, f"a source must be {{'source', 'quote' or 'record', 'locator'?}}, "
                                         f"got {item!r}")
        values: dict[str, Any] = {"source": item.get("source"), "quote": item.get("quote", ""),
                                  "record": item.get("record", ""), "locator": item.get("locator", "")}
        problem = Citation.problem(**values)
        if problem is not None:
            raise _fail(instance, field, problem)
        citations.append(Citation(**values))
    return tuple(citations)


def _disputes(value: Any, instance: Any, field: attrs.Attribute[Any]) -> tuple[Dispute, ...]:
    if not isinstance(value, (list, tuple)):
        raise _fail(instance, field, f"expected a list, got {value!r}")
    disputes = []
    for item in value:
        if isinstance(item, Dispute):
            disputes.append(item)
            continue
        keys = {"field", "value", "source", "note", "rank"}
        if not isinstance(item, Mapping) or set(item) - keys or not all(
            isinstance(item.get(k), str) and item.get(k) for k in ("field", "value", "source")
        ):
            raise _fail(instance, field,
                        f"a dispute must be {{'field', 'value', 'source', 'note'?, 'rank'?}}, got {item!r}")
        if item.get("rank", "normal") not in DISPUTE_RANKS:
            raise _fail(instance, field, f"a dispute's rank must be one of {', '.join(DISPUTE_RANKS)}, "
                                         f"got {item.get('rank')!r}")
        if item["field"] == "date":
            try:
                PartialDate.parse(item["value"])
            except EurasiaEventsError as error:
                raise _fail(instance, field, f"disputed date: {error}") from None
        disputes.append(Dispute(field=item["field"], value=item["value"], source=item["source"],
                                note=item.get("note", ""), rank=item.get("rank", "normal")))
    return tuple(disputes)


def _status(value: Any, instance: Any, field: attrs.Attribute[Any]) -> Status:
    try:
        return Status(value)
    except ValueError:
        raise _fail(instance, field, f"got {value!r}; expected happened, planned or unconfirmed") from None


# --- the envelope --------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Event:
    """The envelope every event shares. Not stored by itself: use a subclass."""

    TYPE: ClassVar[str] = ""
    """The ``type`` tag written in the log."""

    id: str = _slug("Stable slug, unique in the log, e.g. `2014-05-21-eastern-route-contract`.", repeated=False)
    date: PartialDate = _date("When it happened (EDTF). For a plan or announcement: when it was announced.")
    title: str = _text("Short human title.")
    sources: tuple[Citation, ...] = _field(
        "citations", "Non-empty list of `{source, quote or record, locator?}`: a document's verbatim words "
                     "(`quote`), or a dataset's record key (`record`).", _citations
    )
    parties: tuple[str, ...] = _entities("Entity ids of the actors involved.")
    status: Status = _field(
        "status",
        "`happened` (default), `planned` or `unconfirmed`.",
        _status,
        default=Status.HAPPENED,
    )
    disputes: tuple[Dispute, ...] = _field(
        "disputes", "Other values given by other sources: `{field, value, source, note?}`.", _disputes, default=()
    )
    related: tuple[str, ...] = _slugs("Ids of earlier events this one confirms, changes or cancels.")
    notes: str = _text("Curator's notes.", default="", required=False)

    def _repr_html_(self) -> str:
        from .notebook import event_html  # the notebook display: fields, sources and quotes

        return event_html(self)

    def entity_refs(self) -> Iterator[tuple[str, str]]:
        """Every ``(field, entity id)`` the event refers to."""
        for field in attrs.fields(type(self)):
            if not field.metadata.get("entity"):
                continue
            value = getattr(self, field.name)
            if isinstance(value, str):
                yield field.name, value
            elif isinstance(value, tuple):
                for item in value:
                    yield field.name, item

    @property
    def span(self) -> tuple[int, int]:
        """The possible days, as ordinals ``(earliest, latest)``: the date, widened by disputed dates."""
        lo, hi = self.date.earliest_ordinal, self.date.latest_ordinal
        for other in self.disputed_dates():
            lo, hi = min(lo, other.earliest_ordinal), max(hi, other.latest_ordinal)
        return lo, hi

    def disputed_dates(self) -> tuple[PartialDate, ...]:
        """Dates that other sources give for this event (deprecated ones left out)."""
        return tuple(PartialDate.parse(value) for value in self.disputed_values("date"))

    def disputed_values(self, field: str) -> tuple[str, ...]:
        """The values other sources give for a field, as text (EDTF for a date); a deprecated
        dispute (refuted by better sources) is left out, as no answer may use it."""
        return tuple(d.value for d in self.disputes if d.field == field and d.rank != "deprecated")


@attrs.frozen(kw_only=True)
class Meeting(Event):
    """A summit, state visit, talks or call between leaders or officials."""

    TYPE: ClassVar[str] = "meeting"
    kind: str = _choice("What sort of meeting.", ("summit", "visit", "talks", "call"))
    location: str = _text("Where (city), if known.", default="", required=False, repeated=True)


@attrs.frozen(kw_only=True)
class Forum(Event):
    """A multilateral forum (e.g. a Belt and Road Forum); parties are the attendees."""

    TYPE: ClassVar[str] = "forum"
    name: str = _text("The forum's name.")
    edition: int | None = _number("Which edition (1 for the first), if numbered.")
    location: str = _text("Where (city), if known.", default="", required=False, repeated=True)


@attrs.frozen(kw_only=True)
class AgreementEvent(Event):
    """Base of the events that sign an agreement; ``agreement`` names the agreement."""

    agreement: str = _slug("Slug of the agreement itself, shared by its later events (in force, extended, ended).")
    supersedes: tuple[str, ...] = _slugs("Agreements this one replaces or firms up (their volumes stop counting).")
    term: Quantity | None = _quantity("Duration, e.g. `20 years`.", dimensions=_DURATION)

    binding: ClassVar[bool]
    in_force_on_signature: ClassVar[bool]
    term_from: ClassVar[str]


@attrs.frozen(kw_only=True)
class TreatySigned(AgreementEvent):
    """A treaty, intergovernmental agreement or protocol was signed."""

    TYPE: ClassVar[str] = "treaty_signed"
    kind: str = _choice("Kind of instrument.", ("treaty", "agreement", "protocol"), default="agreement")
    binding: bool = _flag("Whether it binds the parties.", True)  # type: ignore[misc]
    term_from: str = _choice(  # type: ignore[misc]
        "What the term counts from.", ("entry_into_force", "signature"), default="entry_into_force"
    )
    in_force_on_signature: bool = _flag("Whether it takes effect when signed.", False)  # type: ignore[misc]
    founds: str | None = _entity(
        "Organisation this treaty founds (its parties are the founding members).", optional=True
    )


@attrs.frozen(kw_only=True)
class JointStatement(AgreementEvent):
    """A joint statement or declaration: in effect on signature, not binding."""

    TYPE: ClassVar[str] = "joint_statement"
    binding: ClassVar[bool] = False
    in_force_on_signature: ClassVar[bool] = True
    term_from: ClassVar[str] = "signature"


@attrs.frozen(kw_only=True)
class Memorandum(AgreementEvent):
    """A memorandum of understanding, framework agreement or heads of agreement."""

    TYPE: ClassVar[str] = "memorandum"
    kind: str = _choice(
        "Kind of document.",
        ("memorandum", "framework", "heads_of_agreement", "agreement_in_principle"),
        default="memorandum",
    )
    binding: bool = _flag("Whether it binds the parties (usually not).", False)  # type: ignore[misc]
    in_force_on_signature: ClassVar[bool] = True
    term_from: ClassVar[str] = "signature"
    commodity: str | None = _choice("Commodity, if it concerns supply.", COMMODITIES, optional=True)
    route: str | None = _entity("Route or project (entity id).", optional=True)
    annual_volume: Quantity | None = _quantity("Annual volume stated, e.g. `30 bcm/yr`.", dimensions=_RATE)


@attrs.frozen(kw_only=True)
class SupplyContract(AgreementEvent):
    """A supply contract: who sells what to whom, how much a year, from when, for how long."""

    TYPE: ClassVar[str] = "supply_contract"
    commodity: str = _choice("What is supplied.", COMMODITIES)
    annual_volume: Quantity = _quantity(
        "Contracted annual volume, e.g. `38 bcm/yr`.", dimensions=_RATE, optional=False
    )
    seller: str | None = _entity("Seller (entity id).", optional=True)
    buyer: str | None = _entity("Buyer (entity id).", optional=True)
    route: str | None = _entity("Route or pipeline (project entity id).", optional=True)
    start: PartialDate | None = _date("Planned start of deliveries.", optional=True)
    term_from: str = _choice(  # type: ignore[misc]
        "What the term counts from.", ("signature", "entry_into_force", "start"), default="start")
    binding: bool = _flag("Whether it is a binding contract.", True)  # type: ignore[misc]
    in_force_on_signature: bool = _flag("Whether it takes effect when signed.", True)  # type: ignore[misc]


@attrs.frozen(kw_only=True)
class EnteredIntoForce(Event):
    """An agreement entered into force."""

    TYPE: ClassVar[str] = "entered_into_force"
    agreement: str = _slug("The agreement's slug.")


@attrs.frozen(kw_only=True)
class AgreementExtended(Event):
    """An agreement's term was extended, by a duration or until a date."""

    TYPE: ClassVar[str] = "agreement_extended"
    agreement: str = _slug("The agreement's slug.")
    term: Quantity | None = _quantity("Length of the extension, e.g. `5 years`.", dimensions=_DURATION)
    until: PartialDate | None = _date("New expiry, if given as a date.", optional=True)

    def __attrs_post_init__(self) -> None:
        if (self.term is None) == (self.until is None):
            raise InvalidEventError("give exactly one of 'term' or 'until'", event_id=self.id, field="term")


@attrs.frozen(kw_only=True)
class AgreementEnded(Event):
    """An agreement expired, was terminated, suspended or superseded."""

    TYPE: ClassVar[str] = "agreement_ended"
    agreement: str = _slug("The agreement's slug.")
    reason: str = _choice("How it ended.", ("expired", "terminated", "suspended", "superseded"))


RELATIONS: Final = ("restates", "implements", "amends", "supersedes", "replaces")


@attrs.frozen(kw_only=True)
class AgreementRelated(Event):
    """A later agreement restates, implements, amends, supersedes or replaces an earlier one.

    ``date`` is when the relation took effect (usually the later agreement's signature).
    The volume views count each lineage once: ``restates`` and ``implements`` take over the
    earlier agreement's annual volume (or ``part`` of it) and leave it in force; ``amends``
    makes the later document part of the earlier agreement (the newest amendment stating a
    volume counts for both); ``supersedes`` and ``replaces`` end the earlier agreement.
    """

    TYPE: ClassVar[str] = "agreement_related"
    agreement: str = _slug("The later agreement's slug.")
    relation: str = _choice("How the later agreement relates to the earlier one.", RELATIONS)
    earlier: str = _slug("The earlier agreement's slug.")
    part: Quantity | None = _quantity(
        "The part of the earlier agreement's annual volume taken over (`restates`, `implements`), "
        "if not all that remains, e.g. `38 bcm/yr`.", dimensions=_RATE)

    def __attrs_post_init__(self) -> None:
        if self.agreement == self.earlier:
            raise InvalidEventError(f"an agreement cannot relate to itself ({self.agreement!r})",
                                    event_id=self.id, field="earlier")


@attrs.frozen(kw_only=True)
class SupplyStarted(Event):
    """Deliveries started on a route: its first deliveries, which open it.

    ``capacity`` is the route's design capacity, which deliveries usually reach only
    later: record that, and every later level, as a :class:`SupplyLevel`.
    """

    TYPE: ClassVar[str] = "supply_started"
    commodity: str = _choice("What is delivered.", COMMODITIES)
    route: str = _entity("Route or pipeline (project entity id).")
    capacity: Quantity | None = _quantity(
        "The route's design capacity, where known (not the rate of the first deliveries).", dimensions=_RATE)
    seller: str | None = _entity("Seller.", optional=True)
    buyer: str | None = _entity("Buyer.", optional=True)


LEVEL_STAGES: Final = ("ramp_up", "plateau", "reduced", "halted")


@attrs.frozen(kw_only=True)
class SupplyLevel(Event):
    """Deliveries on a route reached a level: ramping up, at plateau, reduced or halted.

    ``date`` is when the level was reached. It never opens the route (its first
    ``supply_started`` does): the supply view shows the latest level by the day beside
    the opening date.
    """

    TYPE: ClassVar[str] = "supply_level"
    route: str = _entity("Route or pipeline (project entity id), as in its `supply_started` event.")
    commodity: str = _choice("What is delivered.", COMMODITIES)
    stage: str = _choice(
        "Where deliveries stand: rising towards the design capacity, at it (or at the contract maximum), "
        "cut back, or stopped.", LEVEL_STAGES)
    level: Quantity | None = _quantity(
        "Rate of deliveries reached, e.g. `38 bcm/yr`; left out for `halted`, or when the source gives no figure.",
        dimensions=_RATE)
    capacity: Quantity | None = _quantity(
        "The route's design capacity from this date, when it changed (a new line, an expansion); "
        "left out when unchanged.", dimensions=_RATE)
    seller: str | None = _entity("Seller.", optional=True)
    buyer: str | None = _entity("Buyer.", optional=True)

    def __attrs_post_init__(self) -> None:
        # Also run on sketches (see the sketch module): read only the fields.
        if self.stage == "halted" and self.level is not None:
            raise InvalidEventError(f"a halted route delivers nothing: leave 'level' out, got {self.level}",
                                    event_id=self.id, field="level")


@attrs.frozen(kw_only=True)
class Loan(Event):
    """A loan or credit line."""

    TYPE: ClassVar[str] = "loan"
    lender: str = _entity("Who lends.")
    borrower: str = _entity("Who borrows.")
    amount: Quantity = _quantity("Amount, in its currency.", dimensions=_MONEY, optional=False)
    kind: str = _choice("Loan or credit line.", ("loan", "credit_line"), default="loan")
    project: str | None = _entity("Project financed, if any.", optional=True)
    purpose: str = _text("What for.", default="", required=False)
    completion: str | None = _choice(
        "What `date` is: `signed` (the deal was signed; a later `deal_closed` event closes it) or `closed` "
        "(it closed: stake transferred, loan drawn). Left out: not stated (counted as possibly closed).",
        ("signed", "closed"), optional=True)


@attrs.frozen(kw_only=True)
class Investment(Event):
    """An investment or the acquisition of a stake in a project or company."""

    TYPE: ClassVar[str] = "investment"
    investor: str = _entity("Who invests.")
    project: str = _entity("In what (project or company entity id).")
    amount: Quantity | None = _quantity("Amount, if known.", dimensions=_MONEY)
    stake: Quantity | None = _quantity("Share acquired, e.g. `9.9 %`.", dimensions=("share",))
    seller: str | None = _entity("Who sold the stake, if known.", optional=True)
    completion: str | None = _choice(
        "What `date` is: `signed` (the deal was signed; a later `deal_closed` event closes it) or `closed` "
        "(it closed: stake transferred, loan drawn). Left out: not stated (counted as possibly closed).",
        ("signed", "closed"), optional=True)

    def __attrs_post_init__(self) -> None:
        if self.stake is not None and self.stake.value > 100:
            raise InvalidEventError(f"a stake cannot exceed 100 %, got {self.stake}", event_id=self.id, field="stake")


STAGES: Final = ("proposed", "planned", "construction_started", "completed", "opened", "suspended", "cancelled")


@attrs.frozen(kw_only=True)
class ProjectMilestone(Event):
    """A stage reached by an infrastructure or investment project."""

    TYPE: ClassVar[str] = "project_milestone"
    project: str = _entity("The project (entity id).")
    stage: str = _choice("Stage reached.", STAGES)
    capacity: Quantity | None = _quantity("Capacity, where known.", dimensions=_RATE)
    length: Quantity | None = _quantity("Length, where known.", dimensions=("length",))


SECTORS: Final = ("energy", "finance", "payments", "trade", "technology", "individuals", "transport", "defence")


@attrs.frozen(kw_only=True)
class SanctionsImposed(Event):
    """Sanctions adopted (``date``) and taking effect (``effective``, if later)."""

    TYPE: ClassVar[str] = "sanctions_imposed"
    measure: str = _slug("Slug naming the measure or package, shared by its extensions and lifting.")
    imposer: str = _entity("Who imposes them.")
    targets: tuple[str, ...] = _entities(
        "Who they target: the country, and each bank, company, organisation or person the act designates "
        "by name (an entity id each).", required=True)
    description: str = _text("What the measure does.")
    sectors: tuple[str, ...] = _choices("Sectors the measure bears on.", SECTORS)
    effective: PartialDate | None = _date("When it takes effect, if not on adoption.", optional=True)
    until: PartialDate | None = _date("When it expires, if it has an end date.", optional=True)
    persons: int | None = _number("How many persons (individuals) the act designates, where it says.")

    def __attrs_post_init__(self) -> None:
        start = self.effective or self.date
        if self.until is not None and self.until.latest_ordinal < start.earliest_ordinal:
            raise InvalidEventError(f"ends ({self.until}) before it starts ({start})", event_id=self.id, field="until")


@attrs.frozen(kw_only=True)
class SanctionsExtended(Event):
    """Sanctions renewed until a new date, or widened to more targets, sectors or persons.

    Targets added are designated from ``effective`` (or ``date``). An extension that adds
    targets, sectors or persons and gives no ``until`` leaves the expiry as it was; one that
    adds nothing and gives no ``until`` renews the measure without an end date.
    """

    TYPE: ClassVar[str] = "sanctions_extended"
    measure: str = _slug("The measure's slug.")
    until: PartialDate | None = _date("New expiry.", optional=True)
    effective: PartialDate | None = _date("When the extension takes effect.", optional=True)
    targets: tuple[str, ...] = _entities("Entities designated under the measure by this extension.")
    sectors: tuple[str, ...] = _choices("Sectors the extension adds.", SECTORS)
    persons: int | None = _number("How many more persons it designates, where the act says.")


@attrs.frozen(kw_only=True)
class SanctionsLifted(Event):
    """Sanctions lifted."""

    TYPE: ClassVar[str] = "sanctions_lifted"
    measure: str = _slug("The measure's slug.")
    effective: PartialDate | None = _date("When the lifting takes effect.", optional=True)


@attrs.frozen(kw_only=True)
class MembershipJoined(Event):
    """A state became a member of an organisation; ``date`` is when membership took effect."""

    TYPE: ClassVar[str] = "membership_joined"
    organisation: str = _entity("The organisation.")
    member: str = _entity("The new member.")


@attrs.frozen(kw_only=True)
class MembershipLeft(Event):
    """A member left an organisation; ``date`` is when it took effect."""

    TYPE: ClassVar[str] = "membership_left"
    organisation: str = _entity("The organisation.")
    member: str = _entity("The member leaving.")


@attrs.frozen(kw_only=True)
class TradeStatistic(Event):
    """A reported trade figure for a period."""

    TYPE: ClassVar[str] = "trade_statistic"
    period: PartialDate = _date("Period covered, e.g. `2017` or `2023-01/2023-09`.")
    flow: str = _choice("Which flow.", ("total", "exports", "imports"))
    value: Quantity = _quantity("The figure.", dimensions=("money", "mass", "gas volume"), optional=False)
    exporter: str | None = _entity("Exporting side, for a one-way flow.", optional=True)
    importer: str | None = _entity("Importing side, for a one-way flow.", optional=True)
    change: Quantity | None = _quantity("Year-on-year change, e.g. `29.5 %`.", dimensions=("share",), positive=False)
    reporter: str | None = _entity("Who reported it (e.g. `china-customs`).", optional=True)
    commodity: str = _text("Goods covered, if not all trade.", default="", required=False, repeated=True)


@attrs.frozen(kw_only=True)
class Announcement(Event):
    """A plan, expectation or announcement: what was expected, and by when."""

    TYPE: ClassVar[str] = "announcement"
    status: Status = _field("status", "`planned` (default) or `unconfirmed`.", _status, default=Status.PLANNED)
    subject: str = _text("What it is about: an entity id or an agreement slug.", repeated=True)
    expected: str = _text("What was expected, in words.")
    expected_by: PartialDate | None = _date("When it was expected, if stated.", optional=True)
    amount: Quantity | None = _quantity(
        "Amount or volume stated, if any.", dimensions=("money", "gas", "mass", "length")
    )


@attrs.frozen(kw_only=True)
class Statement(Event):
    """A claim someone made: a ranking, forecast, assessment or statement of fact.

    ``date`` is when it was said. No view counts a statement as a change of state (the
    timeline shows it): the claim is evidence of what was said, not of what happened.
    """

    TYPE: ClassVar[str] = "statement"
    speaker: str = _entity("Who said it (a person, state, company or organisation).")
    subject: str = _text("What it is about: an entity id, an agreement slug or a few words.", repeated=True)
    claim: str = _text("What was claimed, in words.")
    figure: Quantity | None = _quantity(
        "A figure stated, if any, e.g. `200 billion USD` or `25 %`.",
        dimensions=("money", "gas", "mass", "length", "share", "duration"), positive=False)


@attrs.frozen(kw_only=True)
class Ratified(Event):
    """One party ratified (or approved) an agreement; ``date`` is the ratifying act's.

    A stage of one party, as the UN Treaty Collection lists them: entry into force, for
    the agreement as a whole, is still its own ``entered_into_force`` event.
    """

    TYPE: ClassVar[str] = "ratified"
    agreement: str = _slug("The agreement's slug.")
    party: str = _entity("The ratifying party (usually a state).")
    body: str = _text("The organ that ratified, e.g. `State Duma`, `NPC Standing Committee`, `President`.")


@attrs.frozen(kw_only=True)
class PolicyMeasure(Event):
    """A unilateral measure one state grants another, such as a visa-free regime.

    ``date`` is when it was announced or decreed; the measure applies from ``effective``
    (or ``date``) to ``until`` inclusive. A later event with the same ``measure`` adds a
    further term (a renewal or extension).
    """

    TYPE: ClassVar[str] = "policy_measure"
    measure: str = _slug("Slug naming the measure, shared by its renewals.")
    imposer: str = _entity("Who grants or imposes it.")
    beneficiary: str = _entity("Whom it applies to (a state, for its citizens).")
    description: str = _text("What the measure does, if the title does not say.", default="", required=False)
    effective: PartialDate | None = _date("When it takes effect, if not on `date`.", optional=True)
    until: PartialDate | None = _date("Last day it applies, if it has an end date.", optional=True)

    def __attrs_post_init__(self) -> None:
        start = self.effective or self.date
        if self.until is not None and self.until.latest_ordinal < start.earliest_ordinal:
            raise InvalidEventError(f"ends ({self.until}) before it starts ({start})", event_id=self.id, field="until")


@attrs.frozen(kw_only=True)
class SanctionsDelisted(Event):
    """Named targets removed from a sanctions measure (a delisting), from ``effective`` or ``date``."""

    TYPE: ClassVar[str] = "sanctions_delisted"
    measure: str = _slug("The measure's slug.")
    targets: tuple[str, ...] = _entities("The entities delisted.", required=True)
    persons: int | None = _number("How many persons the act delists, where it says.")
    effective: PartialDate | None = _date("When the delisting takes effect, if not on `date`.", optional=True)


@attrs.frozen(kw_only=True)
class DealClosed(Event):
    """A loan or investment signed earlier closed: the stake changed hands, the loan was drawn.

    ``date`` is the closing (completion, drawdown). The finance view counts a stake as held,
    and money as paid or drawn, from its closing only.
    """

    TYPE: ClassVar[str] = "deal_closed"
    deal: str = _slug("Id of the `loan` or `investment` event that signed the deal.")
    amount: Quantity | None = _quantity("Amount paid or drawn at closing, if it differs from the deal's.",
                                        dimensions=_MONEY)


CODE_SCHEMES: Final = ("cameo", "plover")
"""The event coding schemes a :class:`CodedInteraction` can carry."""

PLOVER_TYPES: Final = ("agree", "consult", "support", "concede", "cooperate", "aid", "retreat", "request",
                       "accuse", "reject", "threaten", "protest", "sanction", "mobilize", "coerce", "assault")
"""The 16 PLOVER event types, as POLECAT writes them (lowercase). The list of the PLOVER
maintainers' R package for POLECAT, github.com/andybega/rpolecat ``data-raw/types.R``; the
PLOVER codebook (github.com/openeventdata/PLOVER ``PLOVER_MANUAL.tex``, draft 0.8) defines
the same categories, naming ``request`` DEMAND."""

CODE_FORMS: Final[Mapping[str, re.Pattern[str]]] = {
    # CAMEO: the root (01 to 20) and up to two more digits, as text: "042", "0874", "163", "20".
    "cameo": re.compile(r"(0[1-9]|1[0-9]|20)[0-9]{0,2}"),
    "plover": re.compile("|".join(PLOVER_TYPES)),
}
"""The form of a code in each scheme, matched whole."""


@attrs.frozen(kw_only=True)
class CodedInteraction(Event):
    """An interaction as a machine-coded event dataset records it: who did what to whom, by its CAMEO or PLOVER code.

    Imported from ICEWS, GDELT or POLECAT, each record keeps the dataset's coding, so
    nothing is thrown away; it cites the dataset's record (``record``) rather than a quote.
    It changes no as-of view (agreements, supply, members, sanctions...): the timeline,
    ``between``, ``since`` and ``history`` list it like any event. ``date`` is one day, as
    the datasets date every record.

    >>> event = CodedInteraction(id="icews-21563720-20140520", date="2014-05-20", title="Consult",
    ...     sources=[{"source": "icews", "record": "21563720@2014-05-20"}], parties=["CN", "RU"],
    ...     scheme="cameo", code="042", initiator="CN", recipient="RU", intensity=1.9, quad_class=1)
    >>> event.code, event.intensity
    ('042', 1.9)
    """

    TYPE: ClassVar[str] = "coded_interaction"
    date: PartialDate = _date("The day of the interaction, as the dataset dates it (`YYYY-MM-DD`).", day=True)
    scheme: str = _choice("The coding scheme of `code`.", CODE_SCHEMES)
    code: str = _code(
        "The event code: CAMEO as text with its leading zeros (`042`, `0874`, `163`), or a PLOVER event "
        "type in lowercase (`consult`, `agree`, `sanction`).", by="scheme", forms=CODE_FORMS)
    mode: str = _text("The PLOVER mode, if any (`visit`, `phone`...).", default="", required=False)
    context: tuple[str, ...] = _slugs("The PLOVER contexts, if any (`economic`, `military`...).")
    initiator: str | None = _entity("The initiating side (source actor), where the entity registry knows it.",
                                    optional=True)
    recipient: str | None = _entity("The recipient side (target actor), where the entity registry knows it.",
                                    optional=True)
    initiator_name: str = _text("The initiating actor as the dataset names it.", default="", required=False)
    recipient_name: str = _text("The recipient actor as the dataset names it.", default="", required=False)
    intensity: float | None = _score(
        "ICEWS intensity or GDELT Goldstein score: -10 (most hostile) to 10 (most cooperative).",
        lowest=-10, highest=10)
    quad_class: int | None = _number(
        "Quad class: 1 verbal cooperation, 2 material cooperation, 3 verbal conflict, 4 material conflict.",
        maximum=4)
    text: str = _text("The dataset's event text (ICEWS Event Text), if any.", default="", required=False)
    place: str = _text("Where, as the dataset names the place, if it does.", default="", required=False)

    def __attrs_post_init__(self) -> None:
        # Also run on the fast decoder's rows (see the decode module): read only the fields.
        if not CODE_FORMS[self.scheme].fullmatch(self.code):
            expected = ("2 to 4 digits, the root 01 to 20, leading zeros kept (e.g. '042')" if self.scheme == "cameo"
                        else f"one of {', '.join(PLOVER_TYPES)}")
            raise InvalidEventError(f"{self.code!r} is not a {self.scheme.upper()} code: expected {expected}",
                                    event_id=self.id, field="code")


def json_schema(type_: str) -> dict[str, Any]:
    """The JSON Schema of one event type's data, generated from its declaration (the same as
    ``eurasia-events schema event.TYPE``).

    >>> json_schema("meeting")["properties"]["kind"]["enum"]
    ['summit', 'visit', 'talks', 'call']
    """
    from .schema import event_schema  # imported when asked: the schemas module reads every view

    return event_schema(type_)

# --- amendments ----------------------------------------------------------------------


def _changes(value: Any, instance: Any, field: attrs.Attribute[Any]) -> tuple[tuple[str, Any], ...]:
    if isinstance(value, tuple):
        return value
    if not isinstance(value, Mapping) or not value:
        raise _fail(instance, field, "expected a non-empty object {field: new value}")
    for key in value:
        if key in ("id", "type"):
            raise _fail(instance, field, f"cannot change {key!r}: retract the event and append a new one")
    return _FrozenMap(sorted((str(k), _freeze(v)) for k, v in value.items()))


class _FrozenMap(tuple):  # type: ignore[type-arg]
    """A JSON object made hashable: sorted (key, value) pairs, told apart from a list."""


def _freeze(value: Any) -> Any:
    # Nested JSON made hashable, so amendments stay frozen values.
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, dict):
        return _FrozenMap(sorted((k, _freeze(v)) for k, v in value.items()))
    return value


@attrs.frozen(kw_only=True)
class Amendment:
    """Base of :class:`Correction` and :class:`Retraction`: records about other records."""

    TYPE: ClassVar[str] = ""
    id: str = _slug("Stable slug of the amendment itself.", repeated=False)
    target: str = _slug("Id of the event amended.", repeated=False)
    reason: str = _text("Why.")
    sources: tuple[Citation, ...] = _field(
        "citations", "Sources for the amendment, if any.", lambda v, i, f: _citations(v, i, f) if v else (), default=()
    )
    notes: str = _text("Curator's notes.", default="", required=False)


@attrs.frozen(kw_only=True)
class Correction(Amendment):
    """Replaces fields of an earlier event, from the moment the correction was recorded."""

    TYPE: ClassVar[str] = "correction"
    changes: tuple[tuple[str, Any], ...] = _field(
        "changes", "Object `{field: new value}` in the log's JSON form.", _changes
    )

    def changes_dict(self) -> dict[str, Any]:
        """The changes as plain JSON values."""
        return self.thaw(self.changes)

    @staticmethod
    def thaw(changes: tuple[tuple[str, Any], ...]) -> dict[str, Any]:
        """Frozen changes back to plain JSON values."""
        return {k: _thaw(v) for k, v in changes}


def _thaw(value: Any) -> Any:
    if isinstance(value, _FrozenMap):
        return {k: _thaw(v) for k, v in value}
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    return value


@attrs.frozen(kw_only=True)
class Retraction(Amendment):
    """Withdraws an earlier event, from the moment the retraction was recorded."""

    TYPE: ClassVar[str] = "retraction"


EVENT_TYPES: Final[dict[str, type[Event] | type[Amendment]]] = {
    cls.TYPE: cls
    for cls in (
        Meeting, Forum, TreatySigned, JointStatement, Memorandum, SupplyContract, EnteredIntoForce,
        AgreementExtended, AgreementEnded, AgreementRelated, SupplyStarted, SupplyLevel, Loan, Investment,
        ProjectMilestone, SanctionsImposed, SanctionsExtended, SanctionsLifted, MembershipJoined, MembershipLeft,
        TradeStatistic, Announcement, Statement, Ratified, PolicyMeasure, SanctionsDelisted, DealClosed,
        CodedInteraction, Correction, Retraction,
    )
}
"""Every stored type, by its ``type`` tag."""


@attrs.frozen(kw_only=True)
class Record:
    """One line of the log: an event (or amendment) and when and where it was recorded."""

    seq: int
    """Position in the log, from 1, without gaps."""
    recorded: Instant
    """The :class:`~eurasia_events.dates.Instant` the record was appended."""
    schema: int
    """Schema version the record was written with (older ones are upcast when read)."""
    event: Event | Amendment
    """The event."""
    hash: str
    """SHA-256 (hex) of the record's canonical bytes, which include the previous hash."""

