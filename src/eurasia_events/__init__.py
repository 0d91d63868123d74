"""eurasia_events: the China-Russia relationship as an append-only event log.

>>> import eurasia_events as ee
>>> log = ee.load()                       # the bundled, curated log
>>> state = log.as_of("2020-01-01")       # the state at the end of that day
>>> "power-of-siberia" in [row.route for row in state.supply()]
True
"""

from .dates import Instant, PartialDate, Precision, Relation, to_day, to_instant
from .entities import Entity, EntityKind, EntityRegistry
from .errors import (
    ConcurrencyError,
    EurasiaEventsError,
    IntegrityError,
    InvalidDateError,
    InvalidEventError,
    InvalidQuantityError,
    LogFormatError,
    MissingExtraError,
    TornTailError,
    UnitMismatchError,
    UnknownEntityError,
    UnknownEventError,
)
from .events import (
    EVENT_TYPES,
    AgreementEnded,
    AgreementExtended,
    Announcement,
    Citation,
    Correction,
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
    ProjectMilestone,
    Record,
    Retraction,
    SanctionsExtended,
    SanctionsImposed,
    SanctionsLifted,
    Status,
    SupplyContract,
    SupplyStarted,
    TradeStatistic,
    TreatySigned,
)
from .log import Log, bundled_path, load
from .projections import Projection
from .quantities import Quantity
from .query import State
from .sources import Source, SourceRegistry
from .sqlite_store import SQLiteStore
from .stores import FileStore, MemoryStore, Store
from .views import Total, View

__all__ = [
    "EVENT_TYPES",
    "AgreementEnded",
    "AgreementExtended",
    "Announcement",
    "Citation",
    "ConcurrencyError",
    "Correction",
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
    "InvalidQuantityError",
    "Investment",
    "JointStatement",
    "Loan",
    "Log",
    "LogFormatError",
    "Meeting",
    "MembershipJoined",
    "MembershipLeft",
    "Memorandum",
    "MemoryStore",
    "MissingExtraError",
    "PartialDate",
    "Precision",
    "ProjectMilestone",
    "Projection",
    "Quantity",
    "Record",
    "Relation",
    "Retraction",
    "SQLiteStore",
    "SanctionsExtended",
    "SanctionsImposed",
    "SanctionsLifted",
    "Source",
    "SourceRegistry",
    "State",
    "Status",
    "Store",
    "SupplyContract",
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
    "load",
    "to_day",
    "to_instant",
]
