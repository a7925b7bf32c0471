"""Audit search and CSV export (compliance), and the audited reveal of masked personal data."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.csvsafe import safe_row
from data.db.models import Contact, Owner, Unit
from data.db.workflow import AuditEvent
from data.repositories import audit

CSV_COLUMNS = ("id", "at", "actor", "action", "entity", "entity_id", "detail", "hash")


def search(
    session: Session,
    *,
    actor: str | None = None,
    action: str | None = None,
    entity: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 200,
) -> list[dict]:
    """Audit events matching every given filter (action matches by prefix), newest first."""
    stmt = select(AuditEvent)
    if actor:
        stmt = stmt.where(AuditEvent.actor == actor)
    if action:
        stmt = stmt.where(AuditEvent.action.startswith(action))
    if entity:
        stmt = stmt.where(AuditEvent.entity == entity)
    if since:
        stmt = stmt.where(AuditEvent.at >= since)
    if until:
        stmt = stmt.where(AuditEvent.at <= until)
    rows = session.execute(stmt.order_by(AuditEvent.id.desc()).limit(limit)).scalars()
    return [
        {
            "id": e.id,
            "at": e.at.isoformat(sep=" ", timespec="seconds"),
            "actor": e.actor,
            "action": e.action,
            "entity": e.entity,
            "entity_id": e.entity_id,
            "detail": e.detail,
            "hash": e.hash,
        }
        for e in rows
    ]


def to_csv(events: list[dict]) -> str:
    """CSV text (UTF-8 with BOM so spreadsheet tools show Chinese correctly)."""
    buf = io.StringIO()
    buf.write("\ufeff")
    writer = csv.writer(buf)
    writer.writerow(CSV_COLUMNS)
    for e in events:
        writer.writerow(
            safe_row(
                [e["id"], e["at"], e["actor"], e["action"], e["entity"], e["entity_id"], str(e["detail"]), e["hash"]]
            )
        )
    return buf.getvalue()


def reveal_contacts(session: Session, unit: Unit, *, actor: str, reason: str, at: datetime | None = None) -> dict:
    """The owner's unmasked name and contacts; every reveal is an audit event ``pii.reveal`` (caller commits)."""
    owner = session.get(Owner, unit.owner_id) if unit.owner_id else None
    contacts = session.execute(select(Contact).where(Contact.owner_id == (unit.owner_id or -1))).scalars().all()
    audit.record(
        session,
        actor=actor,
        action="pii.reveal",
        entity="unit",
        entity_id=str(unit.id),
        detail={
            "household": f"{unit.project.code}/{unit.code}",
            "reason": reason or "未填写",
            "fields": ["name"] + [c.kind for c in contacts],
        },
        at=at,
    )
    return {"name": owner.name if owner else "", "contacts": [{"kind": c.kind, "value": c.value} for c in contacts]}
