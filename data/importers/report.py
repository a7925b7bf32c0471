"""Collect row errors and write them as `<stem>.errors.csv` (UTF-8 with BOM, opens cleanly in Excel)."""

from __future__ import annotations

import csv
from pathlib import Path

from core.csvsafe import safe_row
from data.importers import pii
from data.importers.errors import RowError
from data.importers.parsers import FORMULA_PREFIXES, as_str

REPORT_HEADER = ("行号", "列", "值", "原因")
MAX_VALUE_CHARS = 60


def report_path(source: Path) -> Path:
    """Where the error report of ``source`` goes: next to it, named `<stem>.errors.csv`."""
    return source.with_name(f"{source.stem}.errors.csv")


def display_value(column: str, value: object) -> str:
    """The value as shown in the report: masked if personal, clipped if long, formula-neutralised."""
    text = "" if value is None else as_str(value)
    text = pii.mask(column, text)
    if len(text) > MAX_VALUE_CHARS:
        text = f"{text[:MAX_VALUE_CHARS]}…（共 {len(text)} 个字符）"
    if text.startswith(FORMULA_PREFIXES):
        text = "'" + text  # Excel shows the text instead of evaluating it
    return text


class ErrorReport:
    """Row errors of one import; counts rejected rows (a row may have several errors)."""

    def __init__(self) -> None:
        self.errors: list[RowError] = []
        self._rows: set[int] = set()

    def add(self, row: int, column: str, value: object, reason: str) -> None:
        """Record one problem of a row."""
        self.errors.append(RowError(row, column, display_value(column, value), reason))
        self._rows.add(row)

    @property
    def rejected_rows(self) -> int:
        """Number of distinct rows that were rejected."""
        return len(self._rows)

    def write(self, path: Path) -> Path:
        """Write the report sorted by row; returns the path written."""
        with path.open("w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(REPORT_HEADER)
            for err in sorted(self.errors, key=lambda e: e.row):
                writer.writerow(safe_row((err.row, err.column, err.value, err.reason)))
        return path
