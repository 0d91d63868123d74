"""The library's error tree.

Every error raised on purpose derives from :class:`EurasiaEventsError`, and each leaf
also derives from the builtin it resembles, so ``except ValueError`` keeps working.
"""

from __future__ import annotations

__all__ = [
    "ConcurrencyError",
    "EurasiaEventsError",
    "IntegrityError",
    "InvalidDateError",
    "InvalidEventError",
    "InvalidHeadError",
    "InvalidQuantityError",
    "LogFormatError",
    "LogNotFoundError",
    "MissingExtraError",
    "ReadOnlyLogError",
    "TornTailError",
    "UnitMismatchError",
    "UnknownEntityError",
    "UnknownEventError",
]


class EurasiaEventsError(Exception):
    """Root of every error this library raises on purpose."""


class InvalidDateError(EurasiaEventsError, ValueError):
    """A text is not a partial date this library accepts."""


class InvalidQuantityError(EurasiaEventsError, ValueError):
    """A text or value is not a quantity with a known unit."""


class UnitMismatchError(EurasiaEventsError, TypeError):
    """Two quantities with incompatible units were combined."""


class UnknownEntityError(EurasiaEventsError, KeyError):
    """A name matches no entity id or alias in the registry."""

    def __str__(self) -> str:
        # KeyError's str() adds quotes around the message; keep it readable.
        return str(self.args[0]) if self.args else ""


class UnknownEventError(EurasiaEventsError, KeyError):
    """An event id is not in the log."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class InvalidEventError(EurasiaEventsError, ValueError):
    """An event (or the record holding it) fails validation.

    The message names, as far as known, the file and line, the event id and the field;
    the same facts are attributes, for programs.
    """

    def __init__(
        self,
        problem: str,
        *,
        event_id: str | None = None,
        field: str | None = None,
        file: str | None = None,
        line: int | None = None,
    ) -> None:
        super().__init__(problem)
        self.problem = problem
        self.event_id = event_id
        self.field = field
        self.file = file
        self.line = line

    def __str__(self) -> str:
        return _where(self.file, self.line, self.event_id, self.field) + self.problem

    def located(self, file: str | None, line: int | None) -> InvalidEventError:
        """The same error, also naming the file and line it was read from."""
        return type(self)(
            self.problem,
            event_id=self.event_id,
            field=self.field,
            file=file if file is not None else self.file,
            line=line if line is not None else self.line,
        )


class LogFormatError(EurasiaEventsError, ValueError):
    """A line of a stored log cannot be read as a record."""


class LogNotFoundError(LogFormatError, FileNotFoundError):
    """No log at the path given: no such file, or a folder holding no ``log.jsonl`` nor
    ``log.sqlite``. ``load(path, create=True)`` (``append --create``) starts a new log there."""


class IntegrityError(EurasiaEventsError, ValueError):
    """The stored log was altered: a hash, a link or a sequence number does not match."""


class InvalidHeadError(EurasiaEventsError, ValueError):
    """A pinned head is not written ``SEQ:HASH`` (as :attr:`Log.head <eurasia_events.Log.head>` gives it)."""


class TornTailError(IntegrityError):
    """The log's last record is incomplete, as a crash mid-write leaves it.

    ``eurasia-events repair`` removes it (and only it).
    """


class ConcurrencyError(EurasiaEventsError, RuntimeError):
    """Another writer appended first: ``expected_last_seq`` no longer matches."""


class ReadOnlyLogError(EurasiaEventsError, TypeError):
    """An append to a log that several logs make up (:class:`~eurasia_events.CombinedLog`): append to one of them."""


class MissingExtraError(EurasiaEventsError, ImportError):
    """An optional dependency is needed for this feature and is not installed."""


def _where(file: str | None, line: int | None, event_id: str | None, field: str | None) -> str:
    parts = []
    if file is not None:
        parts.append(f"{file}:{line}" if line is not None else file)
    elif line is not None:
        parts.append(f"line {line}")
    if event_id is not None:
        parts.append(f"event {event_id!r}")
    if field is not None:
        parts.append(f"field {field!r}")
    return (", ".join(parts) + ": ") if parts else ""
