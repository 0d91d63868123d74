"""eurasia_events: the China-Russia relationship as an append-only event log.

>>> import eurasia_events as ee
>>> log = ee.load()                       # the bundled, curated log
>>> state = log.as_of("2020-01-01")       # the state at the end of that day
>>> "power-of-siberia" in [row.route for row in state.supply()]
True
"""

import importlib as _importlib
import typing as _typing

from .__about__ import __version__ as __version__
from .dates import Instant, PartialDate, Precision, Relation, query_period, to_day, to_instant
from .entities import Entity, EntityKind, EntityRegistry
from .errors import (
    ConcurrencyError,
    EurasiaEventsError,
    IntegrityError,
    InvalidDateError,
    InvalidEventError,
    InvalidHeadError,
    InvalidQuantityError,
    LogFormatError,
    LogNotFoundError,
    MissingExtraError,
    ReadOnlyLogError,
    TornTailError,
    UnitMismatchError,
    UnknownEntityError,
    UnknownEventError,
)
from .events import (
    EVENT_TYPES,
    AgreementEnded,
    AgreementExtended,
    AgreementRelated,
    Announcement,
    Citation,
    CodedInteraction,
    Correction,
    DealClosed,
    Dispute,
    EnteredIntoForce,
    Event,
    Forum,
    Investment,
    JointStatement,
    Loan,
    Meeting,
    MembershipJoined,
    MembershipLeft,
    Memorandum,
    PolicyMeasure,
    ProjectMilestone,
    Ratified,
    Record,
    Retraction,
    SanctionsDelisted,
    SanctionsExtended,
    SanctionsImposed,
    SanctionsLifted,
    Statement,
    Status,
    SupplyContract,
    SupplyLevel,
    SupplyStarted,
    TradeStatistic,
    TreatySigned,
    json_schema,
)
from .log import Log, bundled_path, load
from .quantities import Quantity
from .sources import Source, SourceRegistry
from .stores import FileStore, MemoryStore, Store

if _typing.TYPE_CHECKING:
    from .combined import CombinedLog
    from .postgres_store import PostgresStore
    from .projections import Projection
    from .query import State
    from .sqlite_store import SQLiteStore
    from .views import Count, Total, View

# Imported on first use: queries, views, the fold, combined logs and the SQLite and PostgreSQL
# stores are not needed to import the package.
_LAZY: _typing.Final = {"CombinedLog": "combined", "Projection": "projections", "State": "query",
                        "Count": "views", "Total": "views", "View": "views",
                        "PostgresStore": "postgres_store", "SQLiteStore": "sqlite_store"}


def __getattr__(name: str) -> _typing.Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})

__all__ = [
    "EVENT_TYPES",
    "AgreementEnded",
    "AgreementExtended",
    "AgreementRelated",
    "Announcement",
    "Citation",
    "CodedInteraction",
    "CombinedLog",
    "ConcurrencyError",
    "Correction",
    "Count",
    "DealClosed",
    "Dispute",
    "EnteredIntoForce",
    "Entity",
    "EntityKind",
    "EntityRegistry",
    "EurasiaEventsError",
    "Event",
    "FileStore",
    "Forum",
    "Instant",
    "IntegrityError",
    "InvalidDateError",
    "InvalidEventError",
    "InvalidHeadError",
    "InvalidQuantityError",
    "Investment",
    "JointStatement",
    "Loan",
    "Log",
    "LogFormatError",
    "LogNotFoundError",
    "Meeting",
    "MembershipJoined",
    "MembershipLeft",
    "Memorandum",
    "MemoryStore",
    "MissingExtraError",
    "PartialDate",
    "PolicyMeasure",
    "PostgresStore",
    "Precision",
    "ProjectMilestone",
    "Projection",
    "Quantity",
    "Ratified",
    "ReadOnlyLogError",
    "Record",
    "Relation",
    "Retraction",
    "SQLiteStore",
    "SanctionsDelisted",
    "SanctionsExtended",
    "SanctionsImposed",
    "SanctionsLifted",
    "Source",
    "SourceRegistry",
    "State",
    "Statement",
    "Status",
    "Store",
    "SupplyContract",
    "SupplyLevel",
    "SupplyStarted",
    "TornTailError",
    "Total",
    "TradeStatistic",
    "TreatySigned",
    "UnitMismatchError",
    "UnknownEntityError",
    "UnknownEventError",
    "View",
    "bundled_path",
    "json_schema",
    "load",
    "query_period",
    "to_day",
    "to_instant",
]
