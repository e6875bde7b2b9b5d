"""One exception hierarchy for cellchain.

Every error a user can cause derives from :class:`CellchainError`. The CLI prints such an
error as one line (message and hint) and exits with code 1; anything else is a bug.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


class CellchainError(Exception):
    """Base class of all user-facing errors.

    Parameters
    ----------
    message : str
        What was wrong, naming the bad value.
    hint : str, optional
        How to fix it.
    """

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} Hint: {self.hint}"


class UnknownValueError(CellchainError, ValueError):
    """A name, code or id that is not among the valid choices."""


class NoDataError(UnknownValueError):
    """A valid question whose answer has no rows; the message says what data there is."""


class InvalidInputError(CellchainError, ValueError):
    """A value of the right kind but impossible (negative, out of range, malformed)."""


class TooLargeError(InvalidInputError):
    """A request or file over a size limit (the web API answers 413)."""


class OutputError(CellchainError):
    """Output could not be written (a full disk, a closed or full standard output)."""


class DataError(CellchainError):
    """A bundle, registry or overlay file is missing, corrupt or inconsistent."""


class ValidationError(DataError):
    """One or more data problems found by validation; ``problems`` lists them."""

    def __init__(self, message: str, problems: list | None = None, hint: str | None = None):
        super().__init__(message, hint)
        self.problems = problems or []


#: Longest user value echoed in an error message [characters].
MAX_SHOWN = 80


def unknown(kind: str, value: object, choices: Iterable[object], max_listed: int = 12):
    """Build an :class:`UnknownValueError` naming ``value`` and the nearest valid choices.

    Parameters
    ----------
    kind : str
        What the value is ("material", "HS code", "country", ...).
    value : object
        The value the user gave.
    choices : iterable
        All valid values.
    max_listed : int
        How many valid values to list when there is no close match.
    """
    options = sorted({str(c) for c in choices})
    text = str(value)
    if len(text) > MAX_SHOWN:  # no fuzzy matching on (or echoing of) a huge value
        shown = f"{text[:MAX_SHOWN]}... ({len(text):,} characters)"
        return UnknownValueError(f"Unknown {kind} {shown!r}.",
                                 f"Valid choices include: {', '.join(options[:max_listed])}.")
    close = difflib.get_close_matches(str(value), options, n=3, cutoff=0.6)
    if not close:
        lowered = {o.lower(): o for o in options}
        close = [
            lowered[m] for m in difflib.get_close_matches(str(value).lower(), lowered, n=3)
        ]
    if close:
        hint = "Did you mean: " + ", ".join(close) + "?"
    elif len(options) <= max_listed:
        hint = "Valid choices: " + ", ".join(options) + "."
    else:
        shown = ", ".join(options[:max_listed])
        hint = f"Valid choices include: {shown}, ... ({len(options)} in all)."
    return UnknownValueError(f"Unknown {kind} {str(value)!r}.", hint)


@dataclass(frozen=True)
class Problem:
    """One data problem: where it is (file, row or line, field), what, and how to fix it.

    ``row_label`` says how rows are counted: ``line`` for text files (1 = header),
    ``row`` for 0-based rows of a Parquet file.
    """

    file: str
    row: int | None
    field: str | None
    message: str
    hint: str
    row_label: str = "line"

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", {self.row_label} {self.row}"
        if self.field:
            where += f", field {self.field}"
        return " ".join(f"{where}: {self.message} ({self.hint})".split())  # one line
