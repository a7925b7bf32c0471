"""Parse the JSON records of a bundle (chats, tickets, claims, bills, payments) into validated records."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from data.importers import parsers as p
from data.importers.errors import CellError
from data.ingest.ids import assign_chat_ids
from data.ingest.model import ChatIn, ClaimIn, EventIn, RecordIn, TicketIn
from data.ingest.problems import FieldProblem

MAX_TEXT = 4000
EVENT_STATUS = "处理记录"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

CHAT_KEYS = frozenset({"id", "time", "speaker", "text"})
TICKET_KEYS = frozenset({"id", "type", "description", "status", "created_at", "closed_at", "satisfaction", "events"})
EVENT_KEYS = frozenset({"time", "text", "status"})
CLAIM_KEYS = frozenset({"id", "type", "items", "records", "created_at"})
RECORD_KEYS = frozenset({"time", "text"})


def free_text(value: object, field: str, *, max_len: int = MAX_TEXT) -> str:
    """Evidence text: non-empty, control characters removed, undecodable text and overlong text rejected."""
    if value is None or isinstance(value, (dict, list, bool)):
        raise FieldProblem(field, value, "必填项为空" if value is None else "应为文本")
    text = _CONTROL.sub("", str(value).replace("\r\n", "\n")).strip()
    if not text:
        raise FieldProblem(field, value, "必填项为空")
    if "\ufffd" in text:
        raise FieldProblem(field, value, "含无法解码的字符（文件编码不一致）")
    if len(text) > max_len:
        raise FieldProblem(field, text, f"内容过长：{len(text)} 个字符，最多 {max_len} 个")
    return text


def cell(parse: Callable[[Any], Any], value: object, field: str) -> Any:
    """Run an importer cell parser, turning its CellError into a FieldProblem of ``field``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise FieldProblem(field, value, "必填项为空")
    if isinstance(value, (dict, list)):
        raise FieldProblem(field, value, "应为单个值")
    try:
        return parse(value)
    except CellError as exc:
        raise FieldProblem(field, value, exc.reason) from exc


def ext_id(value: object, field: str) -> str:
    """A source id (消息/工单/诉求编号): ≤ 64 characters, no spaces."""
    return cell(lambda v: p.parse_code(v, max_len=64), value, field)


def short(value: object, field: str, max_len: int) -> str:
    """A short label such as a ticket type or status."""
    return cell(lambda v: p.parse_text(v, max_len=max_len), value, field)


def when(value: object, field: str) -> datetime:
    """A timestamp such as 2024-08-01T09:30:00, 2024-08-01 09:30 or 2024-08-05."""
    return cell(p.parse_datetime, value, field)


def extras(obj: dict, known: frozenset[str]) -> dict:
    """The fields of ``obj`` this import does not model (kept, not dropped)."""
    return {k: v for k, v in obj.items() if k not in known}


def need_object(obj: object, field: str) -> dict:
    """``obj`` itself, or a FieldProblem when it is not a JSON object."""
    if not isinstance(obj, dict):
        raise FieldProblem(field, obj, "应为 JSON 对象")
    return obj


def need_list(obj: dict, key: str, field: str) -> list:
    """The list under ``key`` (missing → empty), or a FieldProblem when it is not a list."""
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise FieldProblem(field, value, "应为列表")
    return value


def parse_chat(obj: object, field: str, line: int) -> ChatIn:
    """One chat line; a missing id is derived later from date + speaker + text."""
    obj = need_object(obj, field)
    chat_id = ext_id(obj["id"], f"{field}.id") if obj.get("id") not in (None, "") else ""
    return ChatIn(
        ext_id=chat_id,
        sent_at=when(obj.get("time"), f"{field}.time"),
        speaker=short(obj.get("speaker"), f"{field}.speaker", 64),
        text=free_text(obj.get("text"), f"{field}.text"),
        line=line,
    )


def parse_satisfaction(value: object, field: str) -> int | None:
    """Satisfaction score 1–5, or None when absent."""
    if value is None or value == "":
        return None
    try:
        score = float(str(value).strip())
    except ValueError as exc:
        raise FieldProblem(field, value, "满意度应为 1—5 的整数") from exc
    if not score.is_integer() or not 1 <= score <= 5:
        raise FieldProblem(field, value, "满意度应为 1—5 的整数")
    return int(score)


def parse_event(obj: object, field: str) -> EventIn:
    """One ticket follow-up: time and text, optional status."""
    obj = need_object(obj, field)
    status = short(obj["status"], f"{field}.status", 16) if obj.get("status") else EVENT_STATUS
    return EventIn(
        at=when(obj.get("time"), f"{field}.time"), status=status, note=free_text(obj.get("text"), f"{field}.text")
    )


def parse_ticket(obj: object, field: str, line: int) -> TicketIn:
    """One ticket without its events (they are parsed one by one so a bad event skips only itself)."""
    obj = need_object(obj, field)
    closed = when(obj["closed_at"], f"{field}.closed_at") if obj.get("closed_at") else None
    status = short(obj["status"], f"{field}.status", 16) if obj.get("status") else ("已完成" if closed else "已受理")
    ticket = TicketIn(
        ext_id=ext_id(obj.get("id"), f"{field}.id"),
        type=short(obj["type"], f"{field}.type", 32) if obj.get("type") else "其他",
        description=free_text(obj.get("description"), f"{field}.description"),
        status=status,
        created_at=when(obj.get("created_at"), f"{field}.created_at"),
        closed_at=closed,
        satisfaction=parse_satisfaction(obj.get("satisfaction"), f"{field}.satisfaction"),
        line=line,
    )
    if closed and closed < ticket.created_at:
        raise FieldProblem(f"{field}.closed_at", obj.get("closed_at"), "完成时间早于创建时间")
    need_list(obj, "events", f"{field}.events")
    return ticket


def parse_items(value: object, field: str) -> list[str]:
    """Claim items: a list of texts (a single text is one item)."""
    if value is None:
        return []
    values = value if isinstance(value, list) else [value]
    return [free_text(v, f"{field}[{n}]", max_len=500) for n, v in enumerate(values)]


def parse_claim(obj: object, field: str, line: int) -> ClaimIn:
    """One claim without its records (parsed one by one)."""
    obj = need_object(obj, field)
    created = when(obj["created_at"], f"{field}.created_at") if obj.get("created_at") else None
    claim = ClaimIn(
        ext_id=ext_id(obj.get("id"), f"{field}.id"),
        type=short(obj.get("type"), f"{field}.type", 32),
        items=parse_items(obj.get("items"), f"{field}.items"),
        created_at=created,
        line=line,
    )
    need_list(obj, "records", f"{field}.records")
    return claim


def parse_record(obj: object, field: str) -> RecordIn:
    """One negotiation record: time (a date is enough) and text."""
    obj = need_object(obj, field)
    return RecordIn(at=when(obj.get("time"), f"{field}.time"), text=free_text(obj.get("text"), f"{field}.text"))


def finish_chats(chats: list[ChatIn]) -> None:
    """Give chats without a source id their stable derived id."""
    assign_chat_ids(chats)
