"""Import error types: file-level failures and row-level findings."""

from __future__ import annotations

from dataclasses import dataclass


class ImportFileError(Exception):
    """The file itself cannot be imported (unreadable, not a table, missing columns); message is Chinese."""


class CellError(ValueError):
    """One cell failed validation; ``reason`` is the Chinese text for the error report."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class RowError:
    """One line of the error report.

    Attributes:
        row: Row number as the user sees it (header row counted, 1-based; the sheet row for .xlsx).
        column: Column header (Chinese) or a combination such as 项目编码+房号.
        value: The offending value, already masked when it is personal data.
        reason: Why the row was rejected, in Chinese.
    """

    row: int
    column: str
    value: str
    reason: str
