"""Machine-coded event datasets (ICEWS, GDELT, POLECAT): read them, and import them into a log of their own.

>>> from eurasia_events.interchange import lookup
>>> lookup("cameo", "057").type
'treaty_signed'
"""

from eurasia_events.interchange.dyad import Dyad, DyadMatch
from eurasia_events.interchange.formats import FORMATS, DatasetFormatError, DatasetRow, ReadStats, read_rows
from eurasia_events.interchange.importer import (
    DATASET_SOURCES,
    BadRow,
    ChangedRow,
    ImportReport,
    build_events,
    event_id,
    import_files,
)
from eurasia_events.interchange.mapping import CAMEO_NAMES, MAPPING, MappingRow, cameo_name, lookup, mapping_markdown

__all__ = [
    "CAMEO_NAMES",
    "DATASET_SOURCES",
    "FORMATS",
    "MAPPING",
    "BadRow",
    "ChangedRow",
    "DatasetFormatError",
    "DatasetRow",
    "Dyad",
    "DyadMatch",
    "ImportReport",
    "MappingRow",
    "ReadStats",
    "build_events",
    "cameo_name",
    "event_id",
    "import_files",
    "lookup",
    "mapping_markdown",
    "read_rows",
]
