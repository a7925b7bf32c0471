"""Case events of a household: what the case rules need to know, and one recorded, audited event per change."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.domain.collections.cases import EVENT_NAMES, CaseFacts, check_transition, next_state
from core.domain.ledger import summarize
from core.domain.payments import instalment_on_track, instalment_schedule
from data.db.collections import CaseEvent, CaseTransition
from data.db.models import Payment, Unit
from data.db.workflow import Dispute, DunningPlan, InstalmentPlan, Promise
from data.repositories import audit
from data.repositories.households import bill_lines, business_date


def active_instalment(session: Session, unit_id: int) -> InstalmentPlan | None:
    """The newest agreed (active) instalment schedule of a unit."""
    return session.execute(
        select(InstalmentPlan)
        .where(InstalmentPlan.unit_id == unit_id, InstalmentPlan.status == "active")
        .order_by(InstalmentPlan.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def schedule_of(plan: InstalmentPlan) -> list[tuple[date, int]]:
    """The (due date, amount) instalments of an agreed schedule."""
    total = plan.total_cents if plan.total_cents is not None else plan.amount_per_month_cents * plan.months
    return instalment_schedule(total, plan.months, plan.start_date)


def paid_since(session: Session, unit_id: int, start: date) -> int:
    """Money received for a unit since ``start`` (inclusive)."""
    return session.execute(
        select(func.coalesce(func.sum(Payment.amount_cents), 0)).where(
            Payment.unit_id == unit_id, Payment.paid_at >= datetime.combine(start, datetime.min.time())
        )
    ).scalar_one()


def case_facts(session: Session, unit_id: int, day: date | None = None) -> CaseFacts:
    """The household's case as it is in the database right now (read fresh, never cached)."""
    day = business_date(session, day)
    state = session.execute(select(Unit.case_state).where(Unit.id == unit_id)).scalar_one()
    arrears = summarize(bill_lines(session, unit_id), day).arrears_cents
    dispute = (
        session.execute(select(Dispute.id).where(Dispute.unit_id == unit_id, Dispute.status == "open").limit(1)).first()
        is not None
    )
    promise = session.execute(
        select(Promise.promised_date)
        .where(Promise.unit_id == unit_id, Promise.status == "open")
        .order_by(Promise.id.desc())
        .limit(1)
    ).scalar()
    inst = active_instalment(session, unit_id)
    on_track = False
    if inst is not None:
        on_track = instalment_on_track(schedule_of(inst), paid_since(session, unit_id, inst.start_date), day)
    return CaseFacts(
        state=state,
        arrears_cents=arrears,
        open_dispute=dispute,
        open_promise_date=promise,
        instalment_active=inst is not None,
        instalment_on_track=on_track,
    )


LOCK_CHUNK = 5000


def lock_case(session: Session, *unit_ids: int) -> None:
    """Hold the case lock of these households until the transaction ends (commit or rollback).

    Every send (the case check, the delivery and its record) and every case event (payment, refund, dispute,
    promise, instalment, plan decision …) takes it first, so for one household they happen one after the
    other: an event recorded while a send holds the lock waits and lands after the send, and a send that
    waits for an event's lock checks the case again after it. Units are locked in id order (no deadlock
    between two callers locking several). PostgreSQL: ``SELECT … FOR UPDATE`` on the unit rows. SQLite has no
    row locks: a no-op write to the rows takes the database write lock, the same effect for every household.
    Taking it again in the same transaction is free.
    """
    ids = sorted(set(unit_ids))
    if not ids:
        return
    if session.get_bind().dialect.name == "sqlite":  # one write takes the lock of the whole database
        session.execute(
            update(Unit)
            .where(Unit.id == ids[0])
            .values(case_state=Unit.case_state)
            .execution_options(synchronize_session=False)
        )
        return
    for start in range(0, len(ids), LOCK_CHUNK):
        chunk = ids[start : start + LOCK_CHUNK]
        session.execute(select(Unit.id).where(Unit.id.in_(chunk)).order_by(Unit.id).with_for_update()).all()


def find_event(session: Session, ref: str) -> CaseEvent | None:
    """The event recorded under an outside reference, if any."""
    return session.execute(select(CaseEvent).where(CaseEvent.ref == ref)).scalar_one_or_none()


def record_event(
    session: Session,
    unit_id: int,
    kind: str,
    *,
    actor: str,
    at: datetime,
    reason: str = "",
    detail: dict | None = None,
    ref: str | None = None,
    outcome: str = "",
    day: date | None = None,
) -> CaseEvent:
    """Record one case event after its data change and move the case state accordingly (caller commits).

    The state follows ``next_state`` on the facts as they are after the change; the move is checked by the
    state machine, written to case_transitions and units.case_state, and the event is audited. An event with
    a ``ref`` that was already recorded is returned as it is (idempotent).
    """
    lock_case(session, unit_id)
    if ref is not None and (seen := find_event(session, ref)) is not None:
        return seen
    session.flush()
    facts = case_facts(session, unit_id, day)
    target = next_state(facts.state, kind, facts, outcome=outcome)
    if target != facts.state:
        check_transition(facts.state, target)
        session.execute(
            update(Unit)
            .where(Unit.id == unit_id)
            .values(case_state=target)
            .execution_options(synchronize_session="fetch")
        )
        session.add(
            CaseTransition(
                unit_id=unit_id,
                from_state=facts.state,
                to_state=target,
                at=at,
                actor=actor,
                reason=reason or EVENT_NAMES[kind],
            )
        )
    row = CaseEvent(
        unit_id=unit_id,
        kind=kind,
        at=at,
        actor=actor,
        from_state=facts.state,
        to_state=target,
        reason=reason,
        detail=detail or {},
        ref=ref,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action=f"case.{kind}",
        entity="unit",
        entity_id=str(unit_id),
        detail={"event_id": row.id, "from": facts.state, "to": target, "reason": reason, **(detail or {})},
        at=at,
    )
    return row


def events(session: Session, unit_id: int, limit: int | None = None) -> list[CaseEvent]:
    """Events of a unit, oldest first (the newest ``limit`` when given)."""
    stmt = select(CaseEvent).where(CaseEvent.unit_id == unit_id).order_by(CaseEvent.id.desc())
    if limit:
        stmt = stmt.limit(limit)
    return list(reversed(session.execute(stmt).scalars().all()))


def newest_approved_plan(session: Session, unit_id: int) -> DunningPlan | None:
    """The one live plan of a unit: its newest approved plan."""
    return session.execute(
        select(DunningPlan)
        .where(DunningPlan.unit_id == unit_id, DunningPlan.status == "approved")
        .order_by(DunningPlan.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def retire_older_plans(session: Session, plan: DunningPlan, *, actor: str, at: datetime) -> list[int]:
    """After ``plan`` is approved: every older approved plan of the unit is superseded; both are case events."""
    older = (
        session.execute(
            select(DunningPlan.id).where(
                DunningPlan.unit_id == plan.unit_id, DunningPlan.status == "approved", DunningPlan.id != plan.id
            )
        )
        .scalars()
        .all()
    )
    if older:
        session.execute(
            update(DunningPlan)
            .where(DunningPlan.id.in_(older))
            .values(status="superseded")
            .execution_options(synchronize_session="fetch")
        )
    record_event(
        session,
        plan.unit_id,
        "plan_approved",
        actor=actor,
        at=at,
        ref=f"plan-approved:{plan.id}",
        detail={"plan_id": plan.id, "version": plan.version, "retired": list(older)},
    )
    for old in older:
        record_event(
            session,
            plan.unit_id,
            "plan_superseded",
            actor=actor,
            at=at,
            ref=f"plan-superseded:{old}",
            reason=f"被方案 {plan.id}（第 {plan.version} 版）取代",
            detail={"plan_id": old, "by": plan.id},
        )
    return list(older)
