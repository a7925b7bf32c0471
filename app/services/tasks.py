"""Steward tasks raised by owners on the bill page (instalment, dispute, invoice, opt-out)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.services import casework
from core.scope import CallerScope
from data.db.models import Project, Unit
from data.db.workbench import StewardTask
from data.repositories import audit

KINDS = {
    "instalment": "分期申请",
    "reduction": "减免申请",
    "dispute": "账单异议",
    "invoice": "开票申请",
    "opt_out": "退订",
    "other": "其他",
}
OWNER_ACTOR = "owner"


class TaskNotFound(LookupError):
    """No such task in the caller's projects."""


def _public(task: StewardTask, household: str) -> dict:
    return {
        "id": task.id,
        "household": household,
        "kind": task.kind,
        "kind_name": KINDS.get(task.kind, task.kind),
        "note": task.note,
        "months": task.months,
        "source": task.source,
        "status": task.status,
        "created_at": task.created_at.isoformat(sep=" ", timespec="minutes"),
        "done_at": task.done_at.isoformat(sep=" ", timespec="minutes") if task.done_at else None,
        "done_by": task.done_by,
    }


def _fingerprint(kind: str, note: str, months: int | None) -> str:
    return hashlib.sha256(json.dumps([kind, note, months], ensure_ascii=False).encode("utf-8")).hexdigest()


def _open_duplicate(session: Session, unit: Unit, fingerprint: str) -> StewardTask | None:
    return session.execute(
        select(StewardTask).where(StewardTask.unit_id == unit.id, StewardTask.open_fingerprint == fingerprint)
    ).scalar_one_or_none()


def owner_request(
    session: Session,
    unit: Unit,
    *,
    kind: str,
    note: str,
    at: datetime,
    months: int | None = None,
    proof: str | None = None,
) -> dict:
    """Turn an owner's bill-page request into a task, the case event it implies, and an audit event.

    Idempotent: while a task for the same request (kind, note, months) of this unit is open, repeating the
    request returns that task and records nothing new; a unique constraint holds this under concurrent posts.
    """
    if kind not in KINDS or kind == "other":
        raise ValueError(f"不支持的申请类型：{kind}")
    note = note.strip()[:500]
    months = max(1, min(12, months or 3)) if kind == "instalment" else None
    household = f"{unit.project.code}/{unit.code}"
    fingerprint = _fingerprint(kind, note, months)
    if (existing := _open_duplicate(session, unit, fingerprint)) is not None:
        return _public(existing, household)
    from app.services.collections import case_events

    owner = case_events.Actor(OWNER_ACTOR, "owner", CallerScope(OWNER_ACTOR))
    try:
        with session.begin_nested():
            task = StewardTask(
                unit_id=unit.id,
                kind=kind,
                note=note,
                source="bill_page",
                status="open",
                created_at=at,
                months=months,
                open_fingerprint=fingerprint,
            )
            session.add(task)
            session.flush()
            if kind == "dispute":
                case_events.record(
                    session, owner, household, "dispute_opened", at=at, note=note or "业主在账单页提出异议", proof=proof
                )
            elif kind == "opt_out":
                case_events.record(session, owner, household, "opt_out", at=at, reason="业主在账单页退订")
            elif kind == "reduction":
                case_events.record(session, owner, household, "reduction_requested", at=at, note=note)
            elif kind == "instalment":
                case_events.record(
                    session,
                    owner,
                    household,
                    "instalment_requested",
                    at=at,
                    months=months,
                    start_date=at.date(),
                    note=note,
                )
    except IntegrityError:
        existing = _open_duplicate(session, unit, fingerprint)
        if existing is None:
            raise
        return _public(existing, household)
    audit.record(
        session,
        actor=OWNER_ACTOR,
        action=f"bill.{kind}_requested",
        entity="steward_task",
        entity_id=str(task.id),
        detail={"household": household},
        at=at,
    )
    return _public(task, household)


def list_tasks(
    session: Session,
    scope: CallerScope,
    *,
    status: str | None = "open",
    household: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[dict]]:
    """(total, one page of tasks) in the caller's projects, newest first."""
    stmt = (
        select(StewardTask, Project.code, Unit.code)
        .join(Unit, StewardTask.unit_id == Unit.id)
        .join(Project, Unit.project_id == Project.id)
    )
    if scope.projects is not None:
        stmt = stmt.where(Project.code.in_(sorted(scope.projects)))
    if status:
        stmt = stmt.where(StewardTask.status == status)
    if household:
        unit = casework.scoped_unit(session, scope, household)
        stmt = stmt.where(StewardTask.unit_id == unit.id)
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    rows = session.execute(stmt.order_by(StewardTask.id.desc()).limit(limit).offset(offset))
    return total, [_public(task, f"{p}/{u}") for task, p, u in rows]


def complete_task(session: Session, scope: CallerScope, task_id: int, *, actor: str, at: datetime) -> dict:
    """Mark a task done (TaskNotFound outside the caller's projects)."""
    row = session.execute(
        select(StewardTask, Project.code, Unit.code)
        .join(Unit, StewardTask.unit_id == Unit.id)
        .join(Project, Unit.project_id == Project.id)
        .where(StewardTask.id == task_id)
    ).first()
    if row is None or (scope.projects is not None and row[1] not in scope.projects):
        raise TaskNotFound(f"未找到任务 {task_id}")
    task = row[0]
    if task.status != "done":
        task.status, task.done_at, task.done_by = "done", at, actor
        task.open_fingerprint = None  # the same request may be made again once this one is handled
        audit.record(session, actor=actor, action="task.done", entity="steward_task", entity_id=str(task.id), at=at)
    return _public(task, f"{row[1]}/{row[2]}")


def owner_status(session: Session, unit: Unit) -> list[dict]:
    """What the owner sees of their requests on the bill page: instalment, dispute and invoice decisions."""
    from data.db.workflow import Dispute, InstalmentPlan

    out = []
    inst = session.execute(
        select(InstalmentPlan).where(InstalmentPlan.unit_id == unit.id).order_by(InstalmentPlan.id.desc()).limit(1)
    ).scalar_one_or_none()
    if inst is not None:
        text = {
            "requested": f"分期申请（{inst.months} 期）审核中",
            "active": f"分期已批准：共 {inst.months} 期，每期 {inst.amount_per_month_cents / 100:.2f} 元，"
            f"自 {inst.start_date.isoformat()} 起每月缴纳",
            "declined": "分期申请未获批准",
            "lapsed": "分期未按约缴纳，已恢复正常缴费",
            "done": "分期已全部缴清",
        }.get(inst.status, f"分期：{inst.status}")
        out.append({"kind": "instalment", "title": "分期申请", "text": text, "reason": inst.decision_reason or ""})
    dispute = session.execute(
        select(Dispute).where(Dispute.unit_id == unit.id).order_by(Dispute.id.desc()).limit(1)
    ).scalar_one_or_none()
    if dispute is not None:
        text = {
            "open": "异议核实中，期间不会向您发送缴费提醒",
            "resolved": "异议已处理",
            "rejected": "经核实，账单无误",
        }.get(dispute.status, dispute.status)
        out.append({"kind": "dispute", "title": "账单异议", "text": text, "reason": dispute.resolution or ""})
    from data.db.collections import CaseEvent

    reduction = session.execute(
        select(CaseEvent)
        .where(
            CaseEvent.unit_id == unit.id,
            CaseEvent.kind.in_(("reduction_requested", "reduction_approved", "reduction_declined")),
        )
        .order_by(CaseEvent.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if reduction is not None:
        if reduction.kind == "reduction_approved":
            text = f"减免已批准：减免 {(reduction.detail.get('amount_cents') or 0) / 100:.2f} 元"
        else:
            text = "减免申请审核中" if reduction.kind == "reduction_requested" else "减免申请未获批准"
        out.append(
            {
                "kind": "reduction",
                "title": "减免申请",
                "text": text,
                "reason": "" if reduction.kind == "reduction_requested" else reduction.reason,
            }
        )
    invoice = session.execute(
        select(StewardTask)
        .where(StewardTask.unit_id == unit.id, StewardTask.kind == "invoice")
        .order_by(StewardTask.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if invoice is not None:
        out.append(
            {
                "kind": "invoice",
                "title": "开票申请",
                "text": "发票已开具" if invoice.status == "done" else "开票申请处理中",
                "reason": "",
            }
        )
    return out
