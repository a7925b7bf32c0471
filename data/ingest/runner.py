"""Run one evidence import (bundle, per-kind table or WeChat export) in batches; the caller commits."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from core.scope import SYSTEM_SCOPE, CallerScope, ScopeError
from data.importers.errors import ImportFileError
from data.importers.refs import UnitIndex
from data.importers.report import ErrorReport, report_path
from data.ingest.bundle import read_bundles
from data.ingest.extras import save_extras
from data.ingest.fingerprint import refresh_fingerprints
from data.ingest.households import HouseholdWriter
from data.ingest.model import Evidence, HouseholdIn
from data.ingest.problems import FieldProblem, report_problem, shown
from data.ingest.store import EvidenceWriter
from data.ingest.tables import read_table
from data.ingest.text import read_lines
from data.ingest.wechat import parse_wechat
from data.repositories.households import parse_key

INGEST_KINDS = ("bundle", "chats", "tickets", "claims", "wechat")
KIND_LABELS = {
    "bundle": "住户数据包",
    "chats": "聊天记录",
    "tickets": "工单",
    "claims": "诉求",
    "wechat": "微信聊天导出",
}
BATCH_SIZE = 500


@dataclass
class IngestResult:
    """Outcome of one import.

    Attributes:
        kind: bundle, chats, tickets, claims or wechat.
        lines: Data lines read (bundle: household lines; tables: rows; WeChat: text lines).
        households: Households that received data.
        rejected: Lines/rows rejected as a whole (bundle: whole households).
        problems: Lines of the error report (whole rejections plus single skipped records).
        changed_households: Households whose evidence fingerprint changed.
        counts: Outcome per record type, e.g. ``chats.inserted``, ``tickets.unchanged``, ``households.created``.
        error_report: Path of `<stem>.errors.csv`, or None when nothing was skipped.
    """

    kind: str
    lines: int = 0
    households: int = 0
    rejected: int = 0
    problems: int = 0
    changed_households: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    error_report: str | None = None

    def to_dict(self) -> dict:
        """The JSON shape printed by `steward data import --json`."""
        return asdict(self)


class _Run:
    def __init__(
        self, session: Session, kind: str, source: str, clock: Callable[[], datetime], scope: CallerScope = SYSTEM_SCOPE
    ) -> None:
        self.session, self.kind, self.source, self.clock, self.scope = session, kind, source, clock, scope
        self.index = UnitIndex(session)
        self.report = ErrorReport()
        self.tally: Counter[str] = Counter()
        self.units: set[int] = set()
        self.changed: set[int] = set()
        self.evidence = EvidenceWriter(session, clock)

    def admit(self, household: HouseholdIn) -> None:
        """Refuse the whole import when a parsed record names a project outside the caller's scope.

        The check runs on the parsed project code (the one the record is written under), before anything of that
        household is looked up or written; the caller rolls back what earlier batches wrote.
        """
        try:
            self.scope.check_write(household.project)
        except ScopeError as exc:
            raise ScopeError(f"{exc}（第 {household.line} 行）；整个文件未导入") from exc

    def write(self, items: list[tuple[int, HouseholdIn]]) -> None:
        """Evidence, extras and fingerprints of resolved households."""
        merged: dict[int, Evidence] = {}
        for uid, household in items:
            merged.setdefault(uid, Evidence()).extend(household.evidence)
        self.tally += self.evidence.apply(list(merged.items()))
        save_extras(self.session, self.source, [(uid, h.extras) for uid, h in items], self.clock)
        self.units |= merged.keys()
        self.changed |= refresh_fingerprints(self.session, set(merged))

    def resolve(self, batch: Iterable[HouseholdIn]) -> list[tuple[int, HouseholdIn]]:
        """Unit ids of existing households; unknown ones are reported with every record they carried."""
        out = []
        for household in batch:
            self.admit(household)
            uid = self.index.unit_id(household.project, household.unit)
            if uid is not None:
                out.append((uid, household))
                continue
            ev = household.evidence
            rows = sorted(r.line for r in (*ev.chats, *ev.tickets, *ev.claims))
            self.tally["rejected"] += len(rows)
            reason = (
                f"未知住户：项目 {household.project} 下没有房号 {household.unit}（请先导入业主档案或住户数据包）；"
                f"已跳过该户 {len(rows)} 条记录（第 {'、'.join(map(str, rows[:20]))} 行）"
            )
            self.report.add(rows[0], "项目编码+房号", f"{household.project}/{household.unit}", reason)
        return out

    def result(self, path: Path) -> IngestResult:
        target = report_path(path)
        if self.report.errors:
            error_report = str(self.report.write(target).resolve())
        else:
            target.unlink(missing_ok=True)  # a stale report of an earlier run would mislead
            error_report = None
        counts = {k: v for k, v in sorted(self.tally.items()) if "." in k}
        return IngestResult(
            kind=self.kind,
            lines=self.tally["lines"],
            households=len(self.units),
            rejected=self.tally["rejected"],
            problems=len(self.report.errors),
            changed_households=len(self.changed),
            counts=counts,
            error_report=error_report,
        )


def _bundles(run: _Run, path: Path, batch_size: int) -> None:
    writer = HouseholdWriter(run.session, run.index, run.clock)
    seen: dict[tuple[str, str], int] = {}
    refs: dict[str, int] = {}
    batch: list[HouseholdIn] = []

    def flush() -> None:
        resolved, counts = writer.apply(batch, run.report)
        run.tally += counts
        run.tally["rejected"] += len(batch) - len(resolved)
        run.write(resolved)
        batch.clear()

    for number, household in read_bundles(path, run.report):
        run.tally["lines"] += 1
        if household is None:
            run.tally["rejected"] += 1
            continue
        key = (household.project, household.unit)
        if key in seen:
            problem = FieldProblem("project+unit", "/".join(key), f"与第 {seen[key]} 行是同一户（每户一行）")
            report_problem(run.report, number, problem, "household")
            run.tally["rejected"] += 1
            continue
        run.admit(household)
        seen[key] = number
        _unique_refs(run.report, household, refs)
        batch.append(household)
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()


def _unique_refs(report: ErrorReport, household: HouseholdIn, refs: dict[str, int]) -> None:
    kept = []
    for rec in household.payments:
        if rec["ref"] in refs:
            report.add(
                household.line,
                "payments.ref",
                shown("payments.ref", rec["ref"]),
                f"与第 {refs[rec['ref']]} 行的缴费流水号重复；已跳过该笔缴费",
            )
            continue
        refs[rec["ref"]] = household.line
        kept.append(rec)
    household.payments = kept


def _tables(run: _Run, path: Path, kind: str, batch_size: int) -> None:
    for batch in read_table(path, kind, run.report, run.tally, batch_rows=batch_size * 4):
        run.write(run.resolve(batch))
    run.tally["rejected"] += run.report.rejected_rows - len(
        {e.row for e in run.report.errors if e.column == "项目编码+房号"}
    )


def _wechat(run: _Run, path: Path, household: str | None) -> None:
    if not household:
        raise ImportFileError("导入微信聊天导出需要用 --household 指定住户，例如 --household BJ-PILOT/4-1203")
    try:
        project, unit = parse_key(household)
    except ValueError as exc:
        raise ImportFileError(str(exc)) from exc
    run.admit(HouseholdIn(line=1, project=project, unit=unit))
    if run.index.unit_id(project, unit) is None:
        raise ImportFileError(f"未找到住户 {household}：请先导入业主档案或住户数据包")
    lines = list(read_lines(path))
    run.tally["lines"] += sum(1 for _, line in lines if line.strip())
    parsed = parse_wechat(lines)
    for number, column, value, reason in parsed.problems:
        run.report.add(number, column, shown(column, value), reason)
    run.tally["rejected"] += len(parsed.problems)
    target = HouseholdIn(line=1, project=project, unit=unit, evidence=Evidence(chats=parsed.chats))
    run.write(run.resolve([target]) if parsed.chats else [])


def ingest_file(
    session: Session,
    path: Path | str,
    *,
    kind: str,
    household: str | None = None,
    source: str | None = None,
    batch_size: int = BATCH_SIZE,
    clock: Callable[[], datetime] = datetime.now,
    scope: CallerScope = SYSTEM_SCOPE,
) -> IngestResult:
    """Import households and evidence from another system; nothing is committed here.

    Args:
        session: Open session; the caller commits or rolls back.
        path: A .jsonl bundle file, a .csv/.xlsx per-kind file, or a WeChat .txt export.
        kind: One of INGEST_KINDS.
        household: PROJECT/UNIT the WeChat export belongs to (required for kind wechat).
        source: Name of the sending system, the key under which unknown fields are kept (default: the kind).
        batch_size: Households written per round trip.
        clock: Time source for created/updated stamps.
        scope: Who imports: every parsed record's project must be inside it (the batch and CLI use every project).

    Returns:
        Counts per outcome, the households whose evidence changed and the error report path.

    Raises:
        ImportFileError: The file cannot be read at all, lacks required columns, has ambiguous headers, or the
            household is unknown.
        ScopeError: A parsed record belongs to a project outside ``scope`` (nothing may be committed then).
    """
    if kind not in INGEST_KINDS:
        raise ImportFileError(f"未知的导入类型：{kind}（可选：{'、'.join(INGEST_KINDS)}）")
    path = Path(path)
    run = _Run(session, kind, source or kind, clock, scope)
    if kind == "bundle":
        _bundles(run, path, batch_size)
    elif kind == "wechat":
        _wechat(run, path, household)
    else:
        _tables(run, path, kind, batch_size)
    return run.result(path)
