"""One error tree. The CLI has one handler that prints `Error: <message>` and the hint, then exits."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    DATA = 1
    USAGE = 2
    DB = 3
    INTERRUPTED = 130


class AispendError(Exception):
    exit_code = ExitCode.DATA

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(AispendError):
    exit_code = ExitCode.USAGE


class PriceFileError(AispendError):
    """A price file breaks the schema: names the file, model and field."""


class FormatError(AispendError):
    """A log file cannot be read as the format it claims."""


class UnknownFormat(AispendError):
    pass


class DatabaseError(AispendError):
    exit_code = ExitCode.DB


class StrictModeError(AispendError):
    """--strict turned soft problems (quarantined records, unpriced calls) into a failure."""
