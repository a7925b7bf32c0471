"""Audit trail: append-only, hash-chained events (who did what, when), with a locked chain head."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from data.db.security import AuditAnchor
from data.db.workflow import AuditEvent

HEAD = "head"
PRUNE = "prune"
PRUNE_ACTION = "audit.prune"


def _digest(prev: str, at: datetime, actor: str, action: str, entity: str, entity_id: str, detail: dict) -> str:
    payload = json.dumps(
        [prev, at.isoformat(), actor, action, entity, entity_id, detail],
        ensure_ascii=False,
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def event_digest(ev, prev: str) -> str:  # noqa: ANN001 - an AuditEvent or an event row
    """The hash an event must carry when it follows ``prev``."""
    return _digest(prev, ev.at, ev.actor, ev.action, ev.entity, ev.entity_id, ev.detail)


def _lock_head(session: Session, at: datetime) -> tuple[int, str]:
    """Take the chain head under a write lock; return (head row id, previous hash).

    The UPDATE comes first: on PostgreSQL it row-locks the head until commit, on SQLite it takes the database
    write lock (like BEGIN IMMEDIATE), so concurrent appends queue up instead of forking the chain.
    """
    locked = session.execute(
        update(AuditAnchor)
        .where(AuditAnchor.kind == HEAD)
        .values(events=AuditAnchor.events + 0)
        .execution_options(synchronize_session=False)
    )
    row = session.execute(select(AuditAnchor.id, AuditAnchor.hash).where(AuditAnchor.kind == HEAD)).first()
    if locked.rowcount and row is not None:
        return row.id, row.hash
    last = session.execute(select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).first()
    head = AuditAnchor(
        kind=HEAD, through_id=last.id if last else 0, hash=last.hash if last else "", events=0, at=at, note=""
    )
    session.add(head)
    session.flush()
    return head.id, head.hash


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str = "",
    entity_id: str = "",
    detail: dict | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Append an audit event chained to the previous one and move the chain head (caller commits)."""
    at = at or datetime.now()
    detail = detail or {}
    head_id, prev = _lock_head(session, at)
    event = AuditEvent(
        at=at,
        actor=actor,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        detail=detail,
        prev_hash=prev,
        hash=_digest(prev, at, actor, action, entity, str(entity_id), detail),
    )
    session.add(event)
    session.flush()
    session.execute(
        update(AuditAnchor)
        .where(AuditAnchor.id == head_id)
        .values(through_id=event.id, hash=event.hash, events=AuditAnchor.events + 1)
        .execution_options(synchronize_session=False)
    )
    return event


@dataclass(frozen=True)
class ChainReport:
    """Outcome of a chain verification."""

    checked: int
    first_broken: int | None = None
    reason: str = ""
    bad: tuple[int, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether the chain is intact."""
        return self.first_broken is None


def latest_prune(session: Session) -> AuditAnchor | None:
    """The prune anchor the remaining chain starts from (None when nothing was pruned)."""
    return session.execute(
        select(AuditAnchor).where(AuditAnchor.kind == PRUNE).order_by(AuditAnchor.through_id.desc()).limit(1)
    ).scalar()


_EVENT_COLUMNS = (
    AuditEvent.id,
    AuditEvent.at,
    AuditEvent.actor,
    AuditEvent.action,
    AuditEvent.entity,
    AuditEvent.entity_id,
    AuditEvent.detail,
    AuditEvent.prev_hash,
    AuditEvent.hash,
)


def _events_after(session: Session, after: int, batch: int = 2000) -> Iterator:
    """Event rows (not ORM objects, so memory stays flat) with id > ``after``, in chain order."""
    last = after
    while True:
        rows = session.execute(
            select(*_EVENT_COLUMNS).where(AuditEvent.id > last).order_by(AuditEvent.id).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].id


def _check_prune_anchor(session: Session, anchor: AuditAnchor) -> str:
    """Empty when the prune anchor matches the audit.prune event that recorded it."""
    for ev in session.execute(
        select(AuditEvent).where(AuditEvent.action == PRUNE_ACTION).order_by(AuditEvent.id.desc())
    ).scalars():
        if ev.detail.get("through_id") == anchor.through_id:
            return "" if ev.detail.get("through_hash") == anchor.hash else "归档锚点的哈希与归档事件不符"
    return "归档锚点没有对应的归档事件（锚点可能被伪造）"


def verify(session: Session) -> ChainReport:
    """Walk the chain from the last prune anchor to the head; name the first event that does not fit."""
    anchor = latest_prune(session)
    start, prev = (anchor.through_id, anchor.hash) if anchor else (0, "")
    problem = _check_prune_anchor(session, anchor) if anchor else ""
    bad: list[int] = []
    first, reason, checked, last_id = None, problem, 0, start
    for ev in _events_after(session, start):
        checked += 1
        if ev.prev_hash != prev or ev.hash != event_digest(ev, prev):
            bad.append(ev.id)
            if first is None:
                first = ev.id
                reason = reason or ("记录内容被修改" if ev.prev_hash == prev else "前一条记录被删除或修改")
        prev, last_id = ev.hash, ev.id
    head = session.execute(select(AuditAnchor).where(AuditAnchor.kind == HEAD)).scalar()
    if head is None and checked:
        reason = reason or "缺少审计链头（链头记录被删除）"
        first = first or last_id
    elif head is not None and (head.through_id != last_id or head.hash != prev):
        missing = head.through_id if head.through_id > last_id else last_id
        reason = reason or f"链尾与链头不符：事件 #{missing} 被删除或修改"
        first = first or missing
    if problem and first is None:
        first = start
    return ChainReport(checked=checked, first_broken=first, reason=reason, bad=tuple(bad))


def verify_chain(session: Session) -> list[int]:
    """Ids of events whose hash or link does not match, or of a missing tail event (empty when intact)."""
    report = verify(session)
    ids = list(report.bad)
    if report.first_broken is not None and report.first_broken not in ids:
        ids.append(report.first_broken)
    return ids
