"""Run one import: read rows, validate cells, drop in-file duplicates, upsert in batches, report errors."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy.orm import Session

from core.scope import SYSTEM_SCOPE, CallerScope, ScopeError
from data.importers.columns import Column, infer_kind, map_headers
from data.importers.errors import CellError
from data.importers.owners import OwnersHandler
from data.importers.parsers import is_blank
from data.importers.payments import PaymentsHandler
from data.importers.reader import open_table
from data.importers.receivables import ReceivablesHandler
from data.importers.refs import UnitIndex
from data.importers.report import ErrorReport, report_path

BATCH_SIZE = 2000


class Handler(Protocol):
    """What each import kind provides to the runner."""

    columns: tuple[Column, ...]
    key_label: str

    def key(self, record: dict) -> tuple[str, ...]: ...  # noqa: D102

    def refine(self, record: dict) -> list[tuple[str, str]]: ...  # noqa: D102

    def apply(self, batch: list[dict], report: ErrorReport) -> Counter[str]: ...  # noqa: D102


@dataclass
class ImportResult:
    """Outcome of one import; every data row is exactly one of inserted/updated/unchanged/errors."""

    kind: str
    rows: int
    inserted: int
    updated: int
    unchanged: int
    errors: int
    error_report: str | None
    source: str = ""

    def to_dict(self) -> dict:
        """The JSON shape printed by `steward data import --json`."""
        data = asdict(self)
        data.pop("source")
        return data


def make_handler(kind: str, session: Session, clock: Callable[[], datetime], *, settle: bool = False) -> Handler:
    """The handler of an import kind, sharing one unit index."""
    index = UnitIndex(session)
    if kind == "owners":
        return OwnersHandler(session, index, clock)
    if kind == "receivables":
        return ReceivablesHandler(session, index)
    return PaymentsHandler(session, index, settle=settle)


def parse_row(
    number: int, cells: list[object], handler: Handler, positions: dict[str, int], report: ErrorReport
) -> dict | None:
    """Parse the cells of one row into a record, or report every problem of it and return None."""
    record: dict = {"_row": number}
    failed = False
    for col in handler.columns:
        if col.key not in positions:
            continue
        raw = cells[positions[col.key]] if positions[col.key] < len(cells) else None
        if is_blank(raw):
            if col.required:
                report.add(number, col.header, "", "必填项为空")
                failed = True
            else:
                record[col.key] = None
            continue
        try:
            record[col.key] = col.parse(raw)
        except CellError as exc:
            report.add(number, col.header, raw, exc.reason)
            failed = True
    if failed:
        return None
    problems = handler.refine(record)
    headers = {col.key: col.header for col in handler.columns}
    for key, reason in problems:
        raw = cells[positions[key]] if positions[key] < len(cells) else None
        report.add(number, headers[key], raw, reason)
    return None if problems else record


def import_file(
    session: Session,
    path: Path | str,
    *,
    kind: str | None = None,
    batch_size: int = BATCH_SIZE,
    clock: Callable[[], datetime] = datetime.now,
    scope: CallerScope = SYSTEM_SCOPE,
    settle: bool = False,
) -> ImportResult:
    """Import a billing-system export into the database (the caller commits).

    Args:
        session: Open session; nothing is committed here, so the caller decides the transaction.
        path: A .csv (UTF-8, UTF-8 BOM, GBK/GB18030, UTF-16) or .xlsx file.
        kind: owners, receivables or payments; inferred from the headers when None.
        batch_size: Rows validated and written per round trip (memory stays bounded by it).
        clock: Time source for created_at stamps.
        scope: Who imports: every parsed row's project must be inside it (the CLI without --user: every project).
        settle: Payments only: settle receivables with each new payment (oldest period first), for exports
            whose receivables do not already carry the paid amounts.

    Returns:
        Counts per outcome and the path of the error report (None when no row failed).

    Raises:
        ImportFileError: The file cannot be read as a table, lacks required columns or has ambiguous headers.
        ScopeError: A parsed row belongs to a project outside ``scope`` (the caller rolls back).
    """
    path = Path(path)
    table = open_table(path)
    report, counts, rows = ErrorReport(), Counter[str](), 0
    try:
        kind = kind or infer_kind(table.headers)
        positions = map_headers(table.headers, kind)
        handler = make_handler(kind, session, clock, settle=settle)
        seen: dict[tuple[str, ...], int] = {}
        batch: list[dict] = []
        for number, cells in table.rows:
            if cells is not None and all(is_blank(c) for c in cells):
                continue
            rows += 1
            if cells is None:
                report.add(number, "整行", "", "该行无法解析：单元格过长（超过 100 万字符）或引号不配对")
                continue
            record = parse_row(number, cells, handler, positions, report)
            if record is None:
                continue
            try:
                scope.check_write(record["project"])
            except ScopeError as exc:
                raise ScopeError(f"{exc}（第 {number} 行）；整个文件未导入") from exc
            key = handler.key(record)
            if key in seen:
                report.add(number, handler.key_label, "/".join(key), f"与第 {seen[key]} 行重复")
                continue
            seen[key] = number
            batch.append(record)
            if len(batch) >= batch_size:
                counts += handler.apply(batch, report)
                batch = []
        if batch:
            counts += handler.apply(batch, report)
    finally:
        table.close()
    return ImportResult(
        kind=kind,
        rows=rows,
        inserted=counts["inserted"],
        updated=counts["updated"],
        unchanged=counts["unchanged"],
        errors=report.rejected_rows,
        error_report=_write_report(report, report_path(path)),
        source=table.source,
    )


def _write_report(report: ErrorReport, target: Path) -> str | None:
    if not report.errors:
        target.unlink(missing_ok=True)  # a stale report of an earlier run would mislead
        return None
    return str(report.write(target).resolve())
