"""Read household bundles (JSON Lines, one household per line) into validated records.

Rejection policy: a problem with what identifies the household (project, unit, owner name or mobile) or an
unreadable line rejects the whole line; a problem inside one record (a chat, ticket, claim, bill, payment, a
ticket event or claim record, an owner tag or optional owner field) skips only that record. Every skip is one
line of the error report naming the field and what was skipped.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

from data.importers import identity as ident
from data.importers import parsers as p
from data.importers.payments import PaymentsHandler
from data.importers.receivables import ReceivablesHandler
from data.importers.report import ErrorReport
from data.ingest import fields as f
from data.ingest.ids import payment_ref
from data.ingest.model import HouseholdIn, OwnerIn
from data.ingest.problems import FieldProblem, mask_digits, report_problem
from data.ingest.text import read_lines

HOUSEHOLD_KEYS = frozenset(
    {
        "project",
        "project_name",
        "city",
        "unit",
        "area",
        "monthly_fee",
        "owner",
        "bills",
        "payments",
        "chats",
        "tickets",
        "claims",
    }
)
OWNER_KEYS = frozenset({"name", "mobile", "tags", "id_number", "email", "wechat"})
BILL_KEYS = frozenset({"period", "fee_type", "amount", "due_date", "paid", "written_off", "ref"})
PAYMENT_KEYS = frozenset({"period", "amount", "paid_at", "channel", "id", "ref"})
OPTIONAL_OWNER = {"id_number": ident.parse_id_number, "email": ident.parse_email, "wechat": ident.parse_wechat}


def read_bundles(path: Path, report: ErrorReport) -> Iterator[tuple[int, HouseholdIn | None]]:
    """Yield (line number, household or None when the line was rejected) for every non-blank line."""
    for number, raw in read_lines(path):
        if raw.strip():
            yield number, parse_line(number, raw, report)


class DuplicateKey(ValueError):
    """A JSON object names one key twice: which value counts would be a guess."""


def _unique_keys(pairs: list[tuple[str, object]]) -> dict:
    out: dict = {}
    for key, value in pairs:
        if key in out:
            raise DuplicateKey(key)
        out[key] = value
    return out


def parse_line(line: int, raw: str, report: ErrorReport) -> HouseholdIn | None:
    """Parse one bundle line; problems go to ``report``. A key given twice in one object rejects the line."""
    try:
        obj = json.loads(raw, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        report.add(
            line, "整行", mask_digits(raw[:40]), f"不是合法的 JSON（第 {exc.colno} 个字符：{exc.msg}）；整户未导入"
        )
        return None
    except DuplicateKey as exc:
        report.add(line, str(exc), "", f"字段 {exc} 出现了两次，无法判断以哪个为准；整户未导入")
        return None
    try:
        household = _household(line, f.need_object(obj, "整行"))
    except FieldProblem as problem:
        report_problem(report, line, problem, "household")
        return None
    _records(household, obj, report)
    return household


def _household(line: int, obj: dict) -> HouseholdIn:
    optional = partial(p.parse_text, max_len=128)
    household = HouseholdIn(
        line=line,
        project=f.cell(partial(p.parse_code, max_len=32), obj.get("project"), "project"),
        unit=f.cell(ident.parse_unit, obj.get("unit"), "unit"),
        project_name=f.cell(optional, obj["project_name"], "project_name") if obj.get("project_name") else None,
        city=f.cell(partial(p.parse_text, max_len=32), obj["city"], "city") if obj.get("city") else None,
    )
    if obj.get("area") is not None:
        household.area_m2 = f.cell(p.parse_area, obj["area"], "area")
    if obj.get("monthly_fee") is not None:
        household.monthly_fee_cents = f.cell(p.parse_amount, obj["monthly_fee"], "monthly_fee")
    if obj.get("owner") is not None:
        owner = f.need_object(obj["owner"], "owner")
        household.owner = OwnerIn(
            name=f.cell(ident.parse_owner_name, owner.get("name"), "owner.name"),
            mobile=f.cell(ident.parse_mobile, owner.get("mobile"), "owner.mobile"),
        )
    household.extras["household"] = f.extras(obj, HOUSEHOLD_KEYS)
    return household


def _records(household: HouseholdIn, obj: dict, report: ErrorReport) -> None:
    if household.owner is not None:
        _owner_details(household, obj["owner"], report)
    sections: dict[str, tuple[str, Callable[[HouseholdIn, object, str, ErrorReport], None]]] = {
        "bills": ("bill", _bill),
        "payments": ("payment", _payment),
        "chats": ("chat", _chat),
        "tickets": ("ticket", _ticket),
        "claims": ("claim", _claim),
    }
    for key, (kind, add) in sections.items():
        try:
            items = f.need_list(obj, key, key)
        except FieldProblem as problem:
            report_problem(report, household.line, problem, "section")
            continue
        for n, item in enumerate(items):
            try:
                add(household, item, f"{key}[{n}]", report)
            except FieldProblem as problem:
                label = str(item.get("id") or "") if isinstance(item, dict) else ""
                report_problem(report, household.line, problem, kind, label)
    f.finish_chats(household.evidence.chats)
    _drop_duplicates(household, report)
    for chat in household.evidence.chats:
        if chat.extra:
            household.extras.setdefault("chats", {})[chat.ext_id] = chat.extra


def _owner_details(household: HouseholdIn, owner: dict, report: ErrorReport) -> None:
    line = household.line
    tags = owner.get("tags") or []
    for n, tag in enumerate(tags if isinstance(tags, list) else [tags]):
        if tag in ident.OWNER_TAGS:
            household.owner.tags.append(tag)
        else:
            reason = f"未知业主标签（可选：{'、'.join(ident.OWNER_TAGS)}）"
            report_problem(report, line, FieldProblem(f"owner.tags[{n}]", tag, reason), "tag")
    for key, parse in OPTIONAL_OWNER.items():
        if owner.get(key):
            try:
                setattr(household.owner, key, f.cell(parse, owner[key], f"owner.{key}"))
            except FieldProblem as problem:
                report_problem(report, line, problem, "field")
    household.extras["owner"] = f.extras(owner, OWNER_KEYS)


def _keep_extras(household: HouseholdIn, section: str, key: str, obj: dict, known: frozenset[str]) -> None:
    extra = f.extras(obj, known)
    if extra:
        household.extras.setdefault(section, {})[key] = extra


def _bill(household: HouseholdIn, obj: object, field: str, _report: ErrorReport) -> None:
    obj = f.need_object(obj, field)
    rec = {
        "_row": household.line,
        "project": household.project,
        "unit": household.unit,
        "period": f.cell(p.parse_period, obj.get("period"), f"{field}.period"),
        "fee_type": f.short(obj.get("fee_type"), f"{field}.fee_type", 16),
        "amount": f.cell(p.parse_amount, obj.get("amount"), f"{field}.amount"),
        "due_date": f.cell(p.parse_date, obj.get("due_date"), f"{field}.due_date"),
    }
    for key in ("paid", "written_off"):
        if obj.get(key) is not None:
            rec[key] = f.cell(p.parse_amount, obj[key], f"{field}.{key}")
    if obj.get("ref"):
        rec["ref"] = f.ext_id(obj["ref"], f"{field}.ref")
    for key, reason in ReceivablesHandler.refine(rec):
        raise FieldProblem(f"{field}.{key}", obj.get(key), reason)
    household.bills.append(rec)
    _keep_extras(household, "bills", f"{rec['period']}/{rec['fee_type']}", obj, BILL_KEYS)


def _payment(household: HouseholdIn, obj: object, field: str, _report: ErrorReport) -> None:
    obj = f.need_object(obj, field)
    rec = {
        "_row": household.line,
        "project": household.project,
        "unit": household.unit,
        "amount": f.cell(p.parse_amount, obj.get("amount"), f"{field}.amount"),
        "paid_at": f.when(obj.get("paid_at"), f"{field}.paid_at"),
        "channel": f.cell(ident.parse_pay_channel, obj.get("channel"), f"{field}.channel"),
    }
    if obj.get("period"):
        rec["period"] = f.cell(p.parse_period, obj["period"], f"{field}.period")
    given = obj.get("ref") or obj.get("id")
    rec["ref"] = f.ext_id(given, f"{field}.ref") if given else payment_ref(household.project, household.unit, rec)
    for key, reason in PaymentsHandler.refine(rec):
        raise FieldProblem(f"{field}.{key}", obj.get(key), reason)
    household.payments.append(rec)
    _keep_extras(household, "payments", rec["ref"], obj, PAYMENT_KEYS)


def _chat(household: HouseholdIn, obj: object, field: str, _report: ErrorReport) -> None:
    chat = f.parse_chat(obj, field, household.line)
    chat.extra = f.extras(obj, f.CHAT_KEYS)
    household.evidence.chats.append(chat)


def _ticket(household: HouseholdIn, obj: object, field: str, report: ErrorReport) -> None:
    ticket = f.parse_ticket(obj, field, household.line)
    for n, event in enumerate(obj.get("events") or []):
        try:
            ticket.events.append(f.parse_event(event, f"{field}.events[{n}]"))
        except FieldProblem as problem:
            report_problem(report, household.line, problem, "event", f"（工单 {ticket.ext_id}）")
            continue
        _keep_extras(
            household, "ticket_events", f"{ticket.ext_id}@{ticket.events[-1].at.isoformat()}", event, f.EVENT_KEYS
        )
    household.evidence.tickets.append(ticket)
    _keep_extras(household, "tickets", ticket.ext_id, obj, f.TICKET_KEYS)


def _claim(household: HouseholdIn, obj: object, field: str, report: ErrorReport) -> None:
    claim = f.parse_claim(obj, field, household.line)
    for n, record in enumerate(obj.get("records") or []):
        try:
            claim.records.append(f.parse_record(record, f"{field}.records[{n}]"))
        except FieldProblem as problem:
            report_problem(report, household.line, problem, "record", f"（诉求 {claim.ext_id}）")
            continue
        _keep_extras(
            household, "claim_records", f"{claim.ext_id}@{claim.records[-1].at.isoformat()}", record, f.RECORD_KEYS
        )
    household.evidence.claims.append(claim)
    _keep_extras(household, "claims", claim.ext_id, obj, f.CLAIM_KEYS)


def _drop_duplicates(household: HouseholdIn, report: ErrorReport) -> None:
    """Keep the first record of each id within the line; report the repeats."""
    ev = household.evidence
    for name, kind, records, key in (
        ("chats", "chat", ev.chats, lambda r: r.ext_id),
        ("tickets", "ticket", ev.tickets, lambda r: r.ext_id),
        ("claims", "claim", ev.claims, lambda r: r.ext_id),
        ("bills", "bill", household.bills, lambda r: f"{r['period']}/{r['fee_type']}"),
        ("payments", "payment", household.payments, lambda r: r["ref"]),
    ):
        seen: set[str] = set()
        kept = []
        for record in records:
            if key(record) in seen:
                problem = FieldProblem(name, key(record), "同一户中编号重复（只导入第一条）")
                report_problem(report, household.line, problem, kind, key(record))
                continue
            seen.add(key(record))
            kept.append(record)
        records[:] = kept
