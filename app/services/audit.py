"""Audit trail: append-only, hash-chained events (who did what, when)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.workflow import AuditEvent


def _digest(prev: str, at: datetime, actor: str, action: str, entity: str, entity_id: str, detail: dict) -> str:
    payload = json.dumps([prev, at.isoformat(), actor, action, entity, entity_id, detail],
                         ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def record(session: Session, *, actor: str, action: str, entity: str = "", entity_id: str = "",
           detail: dict | None = None, at: datetime | None = None) -> AuditEvent:
    """Append an audit event chained to the previous one (caller commits)."""
    at = at or datetime.now()
    detail = detail or {}
    prev = session.execute(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).scalar() or ""
    event = AuditEvent(at=at, actor=actor, action=action, entity=entity, entity_id=str(entity_id),
                       detail=detail, prev_hash=prev,
                       hash=_digest(prev, at, actor, action, entity, str(entity_id), detail))
    session.add(event)
    session.flush()
    return event


def verify_chain(session: Session) -> list[int]:
    """Ids of events whose hash or link does not match (empty when the chain is intact)."""
    bad, prev = [], ""
    for ev in session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars():
        expected = _digest(prev, ev.at, ev.actor, ev.action, ev.entity, ev.entity_id, ev.detail)
        if ev.prev_hash != prev or ev.hash != expected:
            bad.append(ev.id)
        prev = ev.hash
    return bad
