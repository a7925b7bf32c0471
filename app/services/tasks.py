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

KINDS = {"instalment": "分期申请", "dispute": "账单异议", "invoice": "开票申请", "opt_out": "退订", "other": "其他"}
OWNER_ACTOR = "owner"


class TaskNotFound(LookupError):
    """No such task in the caller's projects."""


def _public(task: StewardTask, household: str) -> dict:
    return {"id": task.id, "household": household, "kind": task.kind, "kind_name": KINDS.get(task.kind, task.kind),
            "note": task.note, "months": task.months, "source": task.source, "status": task.status,
            "created_at": task.created_at.isoformat(sep=" ", timespec="minutes"),
            "done_at": task.done_at.isoformat(sep=" ", timespec="minutes") if task.done_at else None,
            "done_by": task.done_by}


def _fingerprint(kind: str, note: str, months: int | None) -> str:
    return hashlib.sha256(json.dumps([kind, note, months], ensure_ascii=False).encode("utf-8")).hexdigest()


def _open_duplicate(session: Session, unit: Unit, fingerprint: str) -> StewardTask | None:
    return session.execute(select(StewardTask).where(StewardTask.unit_id == unit.id,
                                                     StewardTask.open_fingerprint == fingerprint)).scalar_one_or_none()


def owner_request(session: Session, unit: Unit, *, kind: str, note: str, at: datetime,
                  months: int | None = None) -> dict:
    """Turn an owner's bill-page request into a task (plus the record it implies) and an audit event.

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
    try:
        with session.begin_nested():
            task = StewardTask(unit_id=unit.id, kind=kind, note=note, source="bill_page", status="open",
                               created_at=at, months=months, open_fingerprint=fingerprint)
            session.add(task)
            session.flush()
            if kind == "dispute":
                casework.record_dispute(session, unit, actor=OWNER_ACTOR, note=note or "业主在账单页提出异议", at=at)
            elif kind == "opt_out":
                casework.record_opt_out(session, unit, actor=OWNER_ACTOR, channel=None, reason="业主在账单页退订",
                                        at=at)
            elif kind == "instalment":
                casework.record_instalment(session, unit, actor=OWNER_ACTOR, months=months, start_date=at.date(),
                                           at=at)
    except IntegrityError:
        existing = _open_duplicate(session, unit, fingerprint)
        if existing is None:
            raise
        return _public(existing, household)
    audit.record(session, actor=OWNER_ACTOR, action=f"bill.{kind}_requested", entity="steward_task",
                 entity_id=str(task.id), detail={"household": household}, at=at)
    return _public(task, household)


def list_tasks(session: Session, scope: CallerScope, *, status: str | None = "open", household: str | None = None,
               limit: int = 50, offset: int = 0) -> tuple[int, list[dict]]:
    """(total, one page of tasks) in the caller's projects, newest first."""
    stmt = (select(StewardTask, Project.code, Unit.code).join(Unit, StewardTask.unit_id == Unit.id)
            .join(Project, Unit.project_id == Project.id))
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
    row = session.execute(select(StewardTask, Project.code, Unit.code).join(Unit, StewardTask.unit_id == Unit.id)
                          .join(Project, Unit.project_id == Project.id).where(StewardTask.id == task_id)).first()
    if row is None or (scope.projects is not None and row[1] not in scope.projects):
        raise TaskNotFound(f"未找到任务 {task_id}")
    task = row[0]
    if task.status != "done":
        task.status, task.done_at, task.done_by = "done", at, actor
        task.open_fingerprint = None  # the same request may be made again once this one is handled
        audit.record(session, actor=actor, action="task.done", entity="steward_task", entity_id=str(task.id), at=at)
    return _public(task, f"{row[1]}/{row[2]}")
