"""Per-kind CSV/.xlsx files of chats, tickets and claims keyed by 项目编码 + 房号 (one row = one record)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from functools import partial
from pathlib import Path

from data.importers import parsers as p
from data.importers.columns import PROJECT, UNIT, Column, normalize_header, refuse_ambiguous
from data.importers.errors import CellError, ImportFileError
from data.importers.identity import parse_unit
from data.importers.reader import open_table
from data.importers.report import ErrorReport
from data.importers.runner import parse_row
from data.ingest import fields as f
from data.ingest.ids import assign_chat_ids
from data.ingest.model import ChatIn, ClaimIn, EventIn, HouseholdIn, RecordIn, TicketIn
from data.ingest.problems import FieldProblem

_ENTRY = re.compile(
    r"^\s*(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}日?(?:[ T]+\d{1,2}:\d{2}(?::\d{2})?)?)"
    r"\s*[：:]?\s*(.+)$"
)


def _cell_text(value: object, max_len: int = f.MAX_TEXT) -> str:
    try:
        return f.free_text(value, "", max_len=max_len)
    except FieldProblem as problem:
        raise CellError(problem.reason) from problem


def _satisfaction(value: object) -> int | None:
    try:
        return f.parse_satisfaction(value, "")
    except FieldProblem as problem:
        raise CellError(problem.reason) from problem


def parse_timeline(value: object) -> list[tuple[object, str]]:
    """Entries `2024-08-01 09:35 内容`, one per line (Alt+Enter in Excel), into (datetime, text)."""
    entries = []
    for n, line in enumerate(x for x in p.as_str(value).splitlines() if x.strip()):
        match = _ENTRY.match(line)
        if not match:
            raise CellError(f"第 {n + 1} 条格式不正确，应为“2024-08-01 09:35 内容”，多条用换行分隔")
        when = p.parse_datetime(match[1].replace("年", "-").replace("月", "-").replace("日", ""))
        entries.append((when, _cell_text(match[2], 2000)))
    return entries


def parse_items(value: object) -> list[str]:
    """Claim items separated by line breaks or ；."""
    return [_cell_text(item, 500) for item in re.split(r"[\n；;]+", p.as_str(value)) if item.strip()]


CODE = partial(p.parse_code, max_len=64)
CHATS: tuple[Column, ...] = (
    PROJECT,
    UNIT,
    Column("ext_id", "消息编号", CODE, False, ("消息ID", "消息id", "记录编号")),
    Column("time", "时间", p.parse_datetime, True, ("发送时间", "消息时间", "聊天时间")),
    Column("speaker", "发言人", partial(p.parse_text, max_len=64), True, ("发送人", "发言者", "说话人")),
    Column("text", "内容", _cell_text, True, ("消息内容", "聊天内容")),
)
TICKETS: tuple[Column, ...] = (
    PROJECT,
    UNIT,
    Column("ext_id", "工单编号", CODE, True, ("工单号", "工单ID", "工单id")),
    Column("type", "工单类型", partial(p.parse_text, max_len=32), False, ("类型", "报修类型", "工单分类")),
    Column("description", "工单描述", _cell_text, True, ("描述", "问题描述", "报修内容", "内容")),
    Column("status", "工单状态", partial(p.parse_text, max_len=16), False, ("状态", "处理状态")),
    Column("created_at", "创建时间", p.parse_datetime, True, ("报修时间", "受理时间", "提交时间")),
    Column("closed_at", "完成时间", p.parse_datetime, False, ("关闭时间", "结单时间", "办结时间")),
    Column("satisfaction", "满意度", _satisfaction, False, ("评分", "满意度评分")),
    Column("events", "处理记录", parse_timeline, False, ("跟进记录", "处理过程")),
)
CLAIMS: tuple[Column, ...] = (
    PROJECT,
    UNIT,
    Column("ext_id", "诉求编号", CODE, True, ("诉求号", "诉求ID", "诉求id")),
    Column("type", "诉求类型", partial(p.parse_text, max_len=32), True, ("类型", "诉求分类")),
    Column("items", "诉求事项", parse_items, False, ("诉求内容", "事项", "内容")),
    Column("created_at", "提出时间", p.parse_datetime, False, ("创建时间", "诉求时间")),
    Column("records", "协商记录", parse_timeline, False, ("沟通记录", "协商过程")),
)
TABLE_KINDS = {"chats": CHATS, "tickets": TICKETS, "claims": CLAIMS}
TABLE_NAMES = {"chats": "聊天记录", "tickets": "工单", "claims": "诉求"}


class _Spec:
    """What parse_row needs: the columns and a refine step (unit code, time order)."""

    def __init__(self, columns: tuple[Column, ...]) -> None:
        self.columns = columns

    @staticmethod
    def refine(record: dict) -> list[tuple[str, str]]:
        try:
            record["unit"] = parse_unit(record["unit"])
        except CellError as exc:
            return [("unit", exc.reason)]
        if record.get("closed_at") and record["closed_at"] < record["created_at"]:
            return [("closed_at", "完成时间早于创建时间")]
        return []


def map_columns(headers: list[object], kind: str) -> tuple[dict[str, int], dict[int, str]]:
    """Known column positions and the unknown columns (position → header), which are kept as extras.

    Raises:
        ImportFileError: A required column is missing, or two columns name the same field.
    """
    refuse_ambiguous(headers, TABLE_KINDS[kind], TABLE_NAMES[kind])
    names = {normalize_header(n): c for c in TABLE_KINDS[kind] for n in (c.header, *c.synonyms)}
    found: dict[str, int] = {}
    unknown: dict[int, str] = {}
    for position, cell in enumerate(headers):
        col = names.get(normalize_header(cell))
        if col is not None and col.key not in found:
            found[col.key] = position
        elif col is None and cell not in (None, ""):
            unknown[position] = str(cell).strip()
    missing = [c.header for c in TABLE_KINDS[kind] if c.required and c.key not in found]
    if missing:
        raise ImportFileError(f"{TABLE_NAMES[kind]}文件缺少必填列：{'、'.join(missing)}")
    return found, unknown


def _to_record(kind: str, rec: dict, row: int) -> ChatIn | TicketIn | ClaimIn:
    if kind == "chats":
        return ChatIn(rec.get("ext_id") or "", rec["time"], rec["speaker"], rec["text"], line=row)
    if kind == "tickets":
        closed = rec.get("closed_at")
        return TicketIn(
            rec["ext_id"],
            rec.get("type") or "其他",
            rec["description"],
            rec.get("status") or ("已完成" if closed else "已受理"),
            rec["created_at"],
            closed,
            rec.get("satisfaction"),
            [EventIn(at, f.EVENT_STATUS, t) for at, t in rec.get("events") or []],
            line=row,
        )
    return ClaimIn(
        rec["ext_id"],
        rec["type"],
        rec.get("items") or [],
        rec.get("created_at"),
        [RecordIn(at, t) for at, t in rec.get("records") or []],
        line=row,
    )


def read_table(
    path: Path, kind: str, report: ErrorReport, tally: Counter[str], batch_rows: int = 2000
) -> Iterator[list[HouseholdIn]]:
    """Yield batches of households (rows grouped by project + unit); bad rows go to ``report``.

    ``tally["lines"]`` counts the data rows read.

    Raises:
        ImportFileError: Unreadable file or missing required columns.
    """
    table = open_table(path)
    spec = _Spec(TABLE_KINDS[kind])
    occurrences: Counter = Counter()
    seen: dict[tuple[str, str, str], int] = {}
    try:
        positions, unknown = map_columns(table.headers, kind)
        groups: dict[tuple[str, str], HouseholdIn] = {}
        count = 0
        for number, cells in table.rows:
            if cells is not None and all(p.is_blank(c) for c in cells):
                continue
            tally["lines"] += 1
            if cells is None:
                report.add(number, "整行", "", "该行无法解析：单元格过长或引号不配对；已跳过该行")
                continue
            rec = parse_row(number, cells, spec, positions, report)
            if rec is None:
                continue
            record = _to_record(kind, rec, number)
            if isinstance(record, ChatIn):
                assign_chat_ids([record], occurrences)
            key = (rec["project"], rec["unit"], record.ext_id)
            if key in seen:
                report.add(number, "项目编码+房号+编号", "/".join(key), f"与第 {seen[key]} 行重复；已跳过该行")
                continue
            seen[key] = number
            household = groups.setdefault(key[:2], HouseholdIn(line=number, project=key[0], unit=key[1]))
            getattr(household.evidence, kind).append(record)
            extra = {unknown[i]: p.as_str(cells[i]) for i in unknown if i < len(cells) and not p.is_blank(cells[i])}
            if extra:
                household.extras.setdefault(kind, {})[record.ext_id] = extra
            count += 1
            if count >= batch_rows:
                yield list(groups.values())
                groups, count = {}, 0
        if groups:
            yield list(groups.values())
    finally:
        table.close()
