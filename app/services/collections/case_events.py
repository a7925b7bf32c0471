"""Case events as use cases: one service for the CLI, the API, the workbench and the bill page.

Each event changes its record (payment, promise, dispute, instalment, consent, contact), is recorded as a
case event that moves the case state, and is audited; dispatch reads the result before every send.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.channels.base import CHANNELS
from app.services import casework
from app.services.casework import CaseConflict
from core.domain.collections.cases import EVENT_NAMES, send_hold
from core.domain.ledger import summarize
from core.domain.money import to_yuan
from core.domain.payments import instalment_schedule
from core.scope import CallerScope
from data.db.models import Payment, Unit
from data.db.workflow import (
    BlacklistEntry,
    ContactAttempt,
    Dispute,
    InstalmentPlan,
    PlanStep,
    Promise,
)
from data.repositories import cases as case_repo
from data.repositories import payments as pay_repo
from data.repositories.households import bill_lines, business_date

MANAGER_ROLES = frozenset({"manager", "admin"})
WRITE_ROLES = frozenset({"steward", "manager", "admin", "system", "owner"})
# Events a person may record directly (the others follow from records: payments, plans, sweeps).
MANUAL_EVENTS = (
    "payment",
    "reduction_requested",
    "reduction_approved",
    "reduction_declined",
    "promise_made",
    "promise_kept",
    "promise_broken",
    "dispute_opened",
    "dispute_resolved",
    "dispute_rejected",
    "instalment_requested",
    "instalment_approved",
    "instalment_declined",
    "opt_out",
    "blacklist_added",
    "blacklist_removed",
    "contact",
)
CONTACT_OUTCOMES = (
    "answered",
    "reached",
    "visited",
    "no_answer",
    "refused",
    "wrong_number",
    "delivered",
    "failed",
    "pending",
)


class EventRefused(PermissionError):
    """The caller's role may not record this event (Chinese message)."""


@dataclass(frozen=True)
class Actor:
    """Who records an event: name, role and project scope."""

    username: str
    role: str
    scope: CallerScope


def _money(cents: int) -> str:
    return f"{to_yuan(cents):.2f}"


def _arrears(session: Session, unit_id: int, day: date | None = None) -> int:
    return summarize(bill_lines(session, unit_id), business_date(session, day)).arrears_cents


def _event_public(ev) -> dict:  # noqa: ANN001
    return {
        "id": ev.id,
        "kind": ev.kind,
        "name": EVENT_NAMES.get(ev.kind, ev.kind),
        "at": ev.at.isoformat(sep=" ", timespec="minutes"),
        "actor": ev.actor,
        "from_state": ev.from_state,
        "to_state": ev.to_state,
        "reason": ev.reason,
        "detail": ev.detail,
    }


def record(
    session: Session,
    actor: Actor,
    household: str,
    kind: str,
    *,
    at: datetime,
    amount_cents: int | None = None,
    promised_date: date | None = None,
    months: int | None = None,
    start_date: date | None = None,
    channel: str | None = None,
    outcome: str | None = None,
    note: str = "",
    reason: str = "",
    ref: str | None = None,
    proof: str | None = None,
) -> dict:
    """Record one case event for a household in the caller's scope (caller commits).

    Raises:
        ScopeError / HouseholdNotFound: outside the caller's projects or unknown.
        EventRefused: the caller's role may not record this event.
        CaseConflict / ValueError: the event contradicts the case (message in Chinese).
    """
    if kind not in MANUAL_EVENTS:
        raise ValueError(f"不支持的案件事件：{kind}（可选：{'、'.join(MANUAL_EVENTS)}）")
    unit = casework.scoped_unit(session, actor.scope, household)  # outside the caller's projects: not found
    if actor.role not in WRITE_ROLES:
        raise EventRefused("当前角色只能查看，不能登记案件事件")
    if kind.startswith("blacklist") and actor.role not in MANAGER_ROLES | {"system"}:
        raise EventRefused("只有经理可以调整黑名单")
    if kind in ("reduction_approved", "reduction_declined") and actor.role not in MANAGER_ROLES | {"system"}:
        raise EventRefused("减免须由经理审批")
    case_repo.lock_case(session, unit.id)  # before any change: serialised with sends (see sending.send_contact)
    handler = _HANDLERS[kind]
    event = handler(
        session,
        unit,
        actor=actor.username,
        at=at,
        amount_cents=amount_cents,
        promised_date=promised_date,
        months=months,
        start_date=start_date,
        channel=channel,
        outcome=outcome,
        note=note.strip()[:500],
        reason=reason.strip()[:500],
        ref=ref,
        proof=proof,
    )
    return _event_public(event)


def _payment(
    session: Session,
    unit: Unit,
    *,
    actor: str,
    at: datetime,
    amount_cents: int | None,
    channel: str | None,
    ref: str | None,
    note: str,
    **_: object,
):
    if not amount_cents or amount_cents <= 0:
        raise ValueError("请填写大于 0 的缴费金额")
    payment, _created = pay_repo.record_payment(
        session,
        unit.id,
        amount_cents,
        channel=channel or "管家登记",
        source_ref=ref or f"manual:{uuid.uuid4().hex[:16]}",
        paid_at=at,
        actor=actor,
    )
    return case_repo.find_event(session, f"payment:{payment.id}")


def _promise_made(
    session: Session,
    unit: Unit,
    *,
    actor: str,
    at: datetime,
    amount_cents: int | None,
    promised_date: date | None,
    **_: object,
):
    if promised_date is None:
        raise ValueError("请填写承诺缴费日期")
    arrears = _arrears(session, unit.id)
    if arrears <= 0:
        raise CaseConflict("该住户当前无欠费，无需登记承诺")
    amount = amount_cents or arrears
    for old in session.execute(select(Promise).where(Promise.unit_id == unit.id, Promise.status == "open")).scalars():
        old.status, old.resolved_at = "replaced", at
    casework.record_promise(session, unit, actor=actor, promised_date=promised_date, amount_cents=amount, at=at)
    row = _open_promise(session, unit)
    return case_repo.record_event(
        session,
        unit.id,
        "promise_made",
        actor=actor,
        at=at,
        reason=f"承诺 {promised_date.isoformat()} 前缴纳 {_money(amount)} 元",
        detail={"promise_id": row.id, "date": promised_date.isoformat(), "amount_cents": amount},
    )


def _open_promise(session: Session, unit: Unit) -> Promise:
    row = session.execute(
        select(Promise).where(Promise.unit_id == unit.id, Promise.status == "open").order_by(Promise.id.desc()).limit(1)
    ).scalar_one_or_none()
    if row is None:
        raise CaseConflict("该住户没有未了结的还款承诺")
    return row


def close_promise(
    session: Session,
    promise: Promise,
    status: str,
    *,
    actor: str,
    at: datetime,
    reason: str = "",
    day: date | None = None,
):
    """Mark a promise kept or broken; a broken one sends the case back to the queue with a follow-up step."""
    promise.status, promise.resolved_at = status, at
    session.flush()
    detail = {"promise_id": promise.id, "date": promise.promised_date.isoformat(), "amount_cents": promise.amount_cents}
    if status == "kept":
        return case_repo.record_event(
            session, promise.unit_id, "promise_kept", actor=actor, at=at, reason=reason or "承诺已兑现", detail=detail
        )
    today = business_date(session, day)
    followup = _pull_followup(session, promise.unit_id, today)
    detail["followup"] = followup
    why = reason or f"承诺 {promise.promised_date.isoformat()} 前缴费，到期未缴，重新进入待办"
    if followup is None:
        why += "；现有方案无后续步骤，请重新制定方案"
    return case_repo.record_event(
        session, promise.unit_id, "promise_broken", actor=actor, at=at, reason=why, detail=detail
    )


def _pull_followup(session: Session, unit_id: int, today: date) -> dict | None:
    """Where the live plan has a later step, bring the next one forward to the next day."""
    plan = case_repo.newest_approved_plan(session, unit_id)
    if plan is None:
        return None
    step = session.execute(
        select(PlanStep)
        .where(PlanStep.plan_id == plan.id, PlanStep.day > today, PlanStep.channel.in_(CHANNELS))
        .order_by(PlanStep.day, PlanStep.seq)
        .limit(1)
    ).scalar_one_or_none()
    if step is None:
        return None
    was = step.day
    step.day = min(step.day, today + timedelta(days=1))
    return {
        "plan_id": plan.id,
        "step_id": step.id,
        "seq": step.seq,
        "from": was.isoformat(),
        "to": step.day.isoformat(),
        "channel": step.channel,
    }


def _promise_kept(session: Session, unit: Unit, *, actor: str, at: datetime, reason: str, **_: object):
    return close_promise(session, _open_promise(session, unit), "kept", actor=actor, at=at, reason=reason)


def _promise_broken(session: Session, unit: Unit, *, actor: str, at: datetime, reason: str, **_: object):
    return close_promise(session, _open_promise(session, unit), "broken", actor=actor, at=at, reason=reason)


def _dispute_opened(
    session: Session, unit: Unit, *, actor: str, at: datetime, note: str, proof: str | None = None, **_: object
):
    made = casework.record_dispute(session, unit, actor=actor, note=note or "业主对账单提出异议", at=at)
    if proof:
        session.get(Dispute, made["id"]).proof = proof
    return case_repo.record_event(
        session,
        unit.id,
        "dispute_opened",
        actor=actor,
        at=at,
        reason=made["note"],
        detail={"dispute_id": made["id"], "proof": proof},
    )


def _close_dispute(status: str):  # noqa: ANN202
    kind = "dispute_resolved" if status == "resolved" else "dispute_rejected"

    def handler(session: Session, unit: Unit, *, actor: str, at: datetime, reason: str, **_: object):
        if not reason:
            raise ValueError("请填写处理结果或驳回理由")
        row = session.execute(
            select(Dispute)
            .where(Dispute.unit_id == unit.id, Dispute.status == "open")
            .order_by(Dispute.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        if row is None:
            raise CaseConflict("该住户没有处理中的异议")
        row.status, row.resolved_at, row.resolved_by, row.resolution = status, at, actor, reason
        session.flush()
        return case_repo.record_event(
            session, unit.id, kind, actor=actor, at=at, reason=reason, detail={"dispute_id": row.id}
        )

    return handler


def _instalment_requested(
    session: Session,
    unit: Unit,
    *,
    actor: str,
    at: datetime,
    months: int | None,
    start_date: date | None,
    note: str,
    **_: object,
):
    casework.record_instalment(
        session, unit, actor=actor, months=months or 3, start_date=start_date or at.date(), at=at
    )
    row = _instalment(session, unit, "requested")
    return case_repo.record_event(
        session,
        unit.id,
        "instalment_requested",
        actor=actor,
        at=at,
        reason=note or f"申请分 {row.months} 期",
        detail={"instalment_id": row.id, "months": row.months},
    )


def _instalment(session: Session, unit: Unit, status: str) -> InstalmentPlan:
    row = session.execute(
        select(InstalmentPlan)
        .where(InstalmentPlan.unit_id == unit.id, InstalmentPlan.status == status)
        .order_by(InstalmentPlan.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if row is None:
        raise CaseConflict("该住户没有待审批的分期申请" if status == "requested" else "该住户没有分期安排")
    return row


def _instalment_approved(
    session: Session,
    unit: Unit,
    *,
    actor: str,
    at: datetime,
    months: int | None,
    start_date: date | None,
    reason: str,
    **_: object,
):
    try:
        row = _instalment(session, unit, "requested")
    except CaseConflict:
        casework.record_instalment(
            session, unit, actor=actor, months=months or 3, start_date=start_date or at.date(), at=at
        )
        row = _instalment(session, unit, "requested")
    arrears = _arrears(session, unit.id)
    if arrears <= 0:
        raise CaseConflict("该住户当前无欠费，无需分期")
    months = months or row.months
    start = start_date or row.start_date
    schedule = instalment_schedule(arrears, months, start)
    for old in session.execute(
        select(InstalmentPlan).where(InstalmentPlan.unit_id == unit.id, InstalmentPlan.status == "active")
    ).scalars():
        old.status = "replaced"
    row.months, row.start_date, row.total_cents = months, start, arrears
    row.amount_per_month_cents = schedule[0][1]
    row.status, row.decided_at, row.decided_by, row.decision_reason = "active", at, actor, reason
    session.flush()
    return case_repo.record_event(
        session,
        unit.id,
        "instalment_approved",
        actor=actor,
        at=at,
        reason=reason or f"同意分 {months} 期，每期 {_money(schedule[0][1])} 元",
        detail={
            "instalment_id": row.id,
            "months": months,
            "schedule": [{"date": d.isoformat(), "amount_cents": c} for d, c in schedule],
        },
    )


def _instalment_declined(session: Session, unit: Unit, *, actor: str, at: datetime, reason: str, **_: object):
    if not reason:
        raise ValueError("请填写不同意分期的理由")
    row = _instalment(session, unit, "requested")
    row.status, row.decided_at, row.decided_by, row.decision_reason = "declined", at, actor, reason
    session.flush()
    return case_repo.record_event(
        session, unit.id, "instalment_declined", actor=actor, at=at, reason=reason, detail={"instalment_id": row.id}
    )


def _opt_out(session: Session, unit: Unit, *, actor: str, at: datetime, channel: str | None, reason: str, **_: object):
    out = casework.record_opt_out(session, unit, actor=actor, channel=channel, reason=reason or "业主要求退订", at=at)
    return case_repo.record_event(
        session,
        unit.id,
        "opt_out",
        actor=actor,
        at=at,
        reason=reason or "业主要求退订",
        detail={"opt_out_id": out["id"], "channel": channel or "all"},
    )


def _blacklist_added(session: Session, unit: Unit, *, actor: str, at: datetime, reason: str, **_: object):
    if unit.owner_id is None:
        raise CaseConflict("该住户没有业主信息")
    if not reason:
        raise ValueError("请填写加入黑名单的原因")
    if session.execute(select(BlacklistEntry).where(BlacklistEntry.owner_id == unit.owner_id)).first():
        raise CaseConflict("业主已在黑名单中")
    session.add(BlacklistEntry(owner_id=unit.owner_id, at=at, reason=reason[:128]))
    session.flush()
    return case_repo.record_event(
        session, unit.id, "blacklist_added", actor=actor, at=at, reason=reason, detail={"owner_id": unit.owner_id}
    )


def _blacklist_removed(session: Session, unit: Unit, *, actor: str, at: datetime, reason: str, **_: object):
    if not reason:
        raise ValueError("请填写移出黑名单的原因")
    gone = session.execute(delete(BlacklistEntry).where(BlacklistEntry.owner_id == (unit.owner_id or -1)))
    if gone.rowcount == 0:
        raise CaseConflict("业主不在黑名单中")
    return case_repo.record_event(
        session, unit.id, "blacklist_removed", actor=actor, at=at, reason=reason, detail={"owner_id": unit.owner_id}
    )


def _contact(
    session: Session,
    unit: Unit,
    *,
    actor: str,
    at: datetime,
    channel: str | None,
    outcome: str | None,
    note: str,
    **_: object,
):
    if not channel:
        raise ValueError("请填写联系渠道")
    if outcome not in CONTACT_OUTCOMES:
        raise ValueError(f"联系结果应为：{'、'.join(CONTACT_OUTCOMES)}")
    row = casework.record_attempt(session, unit, actor=actor, channel=channel, at=at, outcome=outcome, text=note)
    return case_repo.record_event(
        session,
        unit.id,
        "contact",
        actor=actor,
        at=at,
        outcome=outcome,
        reason=note or f"{casework.CHANNEL_NAMES.get(channel, channel)}联系：{outcome}",
        detail={"contact_attempt_id": row["id"], "channel": channel, "outcome": outcome},
    )


def _reduction_requested(
    session: Session, unit: Unit, *, actor: str, at: datetime, amount_cents: int | None, note: str, **_: object
):
    if _arrears(session, unit.id) <= 0:
        raise CaseConflict("该住户当前无欠费，无需减免")
    return case_repo.record_event(
        session,
        unit.id,
        "reduction_requested",
        actor=actor,
        at=at,
        reason=note or "业主申请减免",
        detail={"amount_cents": amount_cents},
    )


def _reduction_approved(
    session: Session, unit: Unit, *, actor: str, at: datetime, amount_cents: int | None, reason: str, **_: object
):
    """A manager's reduction: written off oldest period first, kept apart from payments (write_offs)."""
    from core.domain.payments import OpenLine, allocate
    from data.db.models import WriteOff

    if not amount_cents or amount_cents <= 0:
        raise ValueError("请填写大于 0 的减免金额")
    if not reason:
        raise ValueError("请填写减免理由")
    rows = {r.id: r for r in pay_repo.open_lines(session, unit.id)}
    lines = [
        OpenLine(r.id, r.period, r.fee_type, r.due_date, r.amount_cents, r.paid_cents, r.written_off_cents)
        for r in rows.values()
    ]
    parts, rest = allocate(lines, amount_cents)
    if rest > 0:
        raise CaseConflict("减免金额超过待缴金额")
    for part in parts:
        rows[part.ref].written_off_cents += part.amount_cents
        session.add(WriteOff(receivable_id=part.ref, amount_cents=part.amount_cents, reason=reason[:128], at=at))
    session.flush()
    return case_repo.record_event(
        session,
        unit.id,
        "reduction_approved",
        actor=actor,
        at=at,
        reason=reason,
        detail={
            "amount_cents": amount_cents,
            "write_offs": [{"period": p.period, "amount_cents": p.amount_cents} for p in parts],
        },
    )


def _reduction_declined(session: Session, unit: Unit, *, actor: str, at: datetime, reason: str, **_: object):
    if not reason:
        raise ValueError("请填写不同意减免的理由")
    return case_repo.record_event(session, unit.id, "reduction_declined", actor=actor, at=at, reason=reason)


_HANDLERS = {
    "payment": _payment,
    "reduction_requested": _reduction_requested,
    "reduction_approved": _reduction_approved,
    "reduction_declined": _reduction_declined,
    "promise_made": _promise_made,
    "promise_kept": _promise_kept,
    "promise_broken": _promise_broken,
    "dispute_opened": _dispute_opened,
    "dispute_resolved": _close_dispute("resolved"),
    "dispute_rejected": _close_dispute("rejected"),
    "instalment_requested": _instalment_requested,
    "instalment_approved": _instalment_approved,
    "instalment_declined": _instalment_declined,
    "opt_out": _opt_out,
    "blacklist_added": _blacklist_added,
    "blacklist_removed": _blacklist_removed,
    "contact": _contact,
}


def review_promises(session: Session, day: date, *, actor: str = "batch", at: datetime | None = None) -> dict:
    """The nightly case review of promises, instalment schedules and settled cases.

    Promises past their date are kept when paid since they were made, else broken; schedules are done, or
    lapsed when an instalment is missed; a settled case with a new overdue bill is reopened.
    """
    at = at or datetime.combine(day, datetime.min.time())
    _lock_review(session, day)
    kept = broken = 0
    due = (
        session.execute(
            select(Promise).where(Promise.status == "open", Promise.promised_date < day).order_by(Promise.id)
        )
        .scalars()
        .all()
    )
    for promise in due:
        paid = case_repo.paid_since(session, promise.unit_id, promise.created_at.date())
        if paid >= promise.amount_cents or _arrears(session, promise.unit_id, day) <= 0:
            close_promise(session, promise, "kept", actor=actor, at=at, day=day)
            kept += 1
        else:
            close_promise(session, promise, "broken", actor=actor, at=at, day=day)
            broken += 1
    lapsed = 0
    for inst in session.execute(select(InstalmentPlan).where(InstalmentPlan.status == "active")).scalars().all():
        facts = case_repo.case_facts(session, inst.unit_id, day)
        if facts.arrears_cents <= 0:
            inst.status = "done"
        elif not facts.instalment_on_track:
            inst.status = "lapsed"
            session.flush()
            case_repo.record_event(
                session,
                inst.unit_id,
                "instalment_lapsed",
                actor=actor,
                at=at,
                reason="分期到期未按约缴纳，恢复正常跟进",
                detail={"instalment_id": inst.id},
            )
            lapsed += 1
    reopened = 0
    settled = session.execute(select(Unit.id).where(Unit.case_state.in_(("已结清", "开票", "归档")))).scalars().all()
    for unit_id in settled:
        arrears = _arrears(session, unit_id, day)
        if arrears > 0:
            case_repo.record_event(
                session,
                unit_id,
                "reopened",
                actor=actor,
                at=at,
                day=day,
                reason=f"新账单逾期未缴 {_money(arrears)} 元，重新跟进",
                detail={"arrears_cents": arrears},
            )
            reopened += 1
    return {"kept": kept, "broken": broken, "instalments_lapsed": lapsed, "reopened": reopened}


def _lock_review(session: Session, day: date) -> None:
    """The case locks of every household the review may change, in one go and in id order (no deadlock)."""
    promises = select(Promise.unit_id).where(Promise.status == "open", Promise.promised_date < day)
    schedules = select(InstalmentPlan.unit_id).where(InstalmentPlan.status == "active")
    settled = select(Unit.id).where(Unit.case_state.in_(("已结清", "开票", "归档")))
    ids = set(session.execute(promises.union(schedules, settled)).scalars())
    case_repo.lock_case(session, *ids)


def case_view(session: Session, scope: CallerScope, household: str, day: date | None = None) -> dict:
    """State, arrears, open promise, dispute, instalment, contacts, events, next step and why."""
    unit = casework.scoped_unit(session, scope, household)
    today = business_date(session, day)
    facts = case_repo.case_facts(session, unit.id, today)
    promise = session.execute(
        select(Promise).where(Promise.unit_id == unit.id, Promise.status == "open").order_by(Promise.id.desc()).limit(1)
    ).scalar_one_or_none()
    dispute = session.execute(
        select(Dispute).where(Dispute.unit_id == unit.id).order_by(Dispute.id.desc()).limit(1)
    ).scalar_one_or_none()
    inst = session.execute(
        select(InstalmentPlan).where(InstalmentPlan.unit_id == unit.id).order_by(InstalmentPlan.id.desc()).limit(1)
    ).scalar_one_or_none()
    contacts = (
        session.execute(
            select(ContactAttempt).where(ContactAttempt.unit_id == unit.id).order_by(ContactAttempt.at.desc()).limit(20)
        )
        .scalars()
        .all()
    )
    plan = case_repo.newest_approved_plan(session, unit.id)
    hold = send_hold(facts, today)
    next_step = None
    if plan is not None:
        sent = set(
            session.execute(
                select(ContactAttempt.plan_step_id).where(
                    ContactAttempt.unit_id == unit.id,
                    ContactAttempt.plan_step_id.is_not(None),
                    ContactAttempt.outcome.in_(("delivered", "answered")),
                )
            ).scalars()
        )
        step = next(
            (s for s in sorted(plan.steps, key=lambda s: (s.day, s.seq)) if s.day >= today and s.id not in sent), None
        )
        if step is not None:
            next_step = {
                "plan_id": plan.id,
                "step_id": step.id,
                "seq": step.seq,
                "date": step.day.isoformat(),
                "channel": step.channel,
                "action": step.action,
                "will_send": hold is None and step.channel in CHANNELS,
            }
    if hold is not None:
        why = hold.reason
    elif next_step is None:
        why = "没有已批准的方案，请生成并批准方案" if plan is None else "已批准方案没有后续步骤，请重新制定方案"
    else:
        why = f"按已批准方案（第 {plan.version} 版）于 {next_step['date']} 执行第 {next_step['seq']} 步"
    payments = (
        session.execute(select(Payment).where(Payment.unit_id == unit.id).order_by(Payment.paid_at.desc()).limit(5))
        .scalars()
        .all()
    )
    return {
        "household": household,
        "as_of": today.isoformat(),
        "state": facts.state,
        "arrears": _money(facts.arrears_cents),
        "arrears_cents": facts.arrears_cents,
        "promise": {"date": promise.promised_date.isoformat(), "amount": _money(promise.amount_cents)}
        if promise
        else None,
        "dispute": {
            "status": dispute.status,
            "note": dispute.note,
            "resolution": dispute.resolution,
            "proof": dispute.proof,
            "opened_at": dispute.opened_at.isoformat(sep=" ", timespec="minutes"),
        }
        if dispute
        else None,
        "instalment": {
            "status": inst.status,
            "months": inst.months,
            "amount_per_month": _money(inst.amount_per_month_cents),
            "start_date": inst.start_date.isoformat(),
            "decision_reason": inst.decision_reason,
            "on_track": facts.instalment_on_track if inst.status == "active" else None,
        }
        if inst
        else None,
        "hold": {"rule": hold.rule, "reason": hold.reason} if hold else None,
        "next_step": next_step,
        "why": why,
        "plan": {"id": plan.id, "version": plan.version} if plan else None,
        "contacts": [
            {"at": c.at.isoformat(sep=" ", timespec="minutes"), "channel": c.channel, "outcome": c.outcome}
            for c in contacts
        ],
        "payments": [
            {
                "paid_at": p.paid_at.isoformat(sep=" ", timespec="minutes"),
                "amount": _money(p.amount_cents),
                "channel": p.channel,
            }
            for p in payments
        ],
        "events": [_event_public(e) for e in case_repo.events(session, unit.id, limit=30)],
    }
