"""Case state changes of a household: validated by the state machine, stored, audited."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.domain.collections.cases import IllegalTransition, check_transition
from data.db.collections import CaseTransition
from data.db.models import Unit
from data.repositories import audit


def transition_case(
    session: Session, unit_id: int, target: str, *, actor: str, at: datetime, reason: str = ""
) -> CaseTransition:
    """Move a unit's case to ``target`` (caller commits); IllegalTransition when not allowed."""
    current = session.execute(select(Unit.case_state).where(Unit.id == unit_id)).scalar_one_or_none()
    if current is None:
        raise LookupError(f"住户 {unit_id} 不存在")
    check_transition(current, target)
    changed = session.execute(
        update(Unit)
        .where(Unit.id == unit_id, Unit.case_state == current)
        .values(case_state=target)
        .execution_options(synchronize_session="fetch")
    )
    if changed.rowcount != 1:
        raise IllegalTransition("案件状态已被他人修改，请刷新后重试")
    row = CaseTransition(unit_id=unit_id, from_state=current, to_state=target, at=at, actor=actor, reason=reason)
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="case.transition",
        entity="unit",
        entity_id=str(unit_id),
        detail={"from": current, "to": target, "reason": reason},
        at=at,
    )
    return row


def history(session: Session, unit_id: int) -> list[CaseTransition]:
    """Every transition of a unit, oldest first."""
    return list(
        session.execute(
            select(CaseTransition).where(CaseTransition.unit_id == unit_id).order_by(CaseTransition.id)
        ).scalars()
    )
