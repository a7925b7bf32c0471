"""Recording payments and settling receivables with them: one path for provider, import and manual entry.

Money goes to the oldest period first; part payments are allowed; written-off amounts are never paid over.
Every settled payment is a ``payment`` case event, so the case (and dispatch) sees it at once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.domain.ledger import summarize
from core.domain.payments import OpenLine, allocate
from data.db.models import Payment, Receivable
from data.db.payments import PaymentAllocation
from data.repositories.cases import lock_case, record_event
from data.repositories.households import bill_lines, business_date


class PaymentRejected(ValueError):
    """The payment cannot be recorded as given (Chinese message)."""


def open_lines(session: Session, unit_id: int) -> list[Receivable]:
    """Receivables of a unit that still take money."""
    rows = session.execute(select(Receivable).where(Receivable.unit_id == unit_id)).scalars().all()
    return [r for r in rows if r.amount_cents - r.paid_cents - r.written_off_cents > 0]


def settle(session: Session, payment: Payment, *, actor: str, at: datetime, reason: str = "") -> list[dict]:
    """Allocate an unsettled payment to the unit's receivables and record the payment event (caller commits).

    A payment already settled is left alone, so a replayed import or notification never pays twice.
    """
    lock_case(session, payment.unit_id)
    if payment.settled_at is not None:
        return []
    rows = {r.id: r for r in open_lines(session, payment.unit_id)}
    lines = [
        OpenLine(r.id, r.period, r.fee_type, r.due_date, r.amount_cents, r.paid_cents, r.written_off_cents)
        for r in rows.values()
    ]
    parts, rest = allocate(lines, payment.amount_cents)
    out = []
    for part in parts:
        rows[part.ref].paid_cents += part.amount_cents
        session.add(
            PaymentAllocation(payment_id=payment.id, receivable_id=part.ref, amount_cents=part.amount_cents, at=at)
        )
        out.append({"period": part.period, "amount_cents": part.amount_cents})
    payment.settled_at, payment.unallocated_cents = at, rest
    session.flush()
    arrears = summarize(bill_lines(session, payment.unit_id), business_date(session)).arrears_cents
    record_event(
        session,
        payment.unit_id,
        "payment",
        actor=actor,
        at=at,
        ref=f"payment:{payment.id}",
        reason=reason or ("结清欠费" if arrears <= 0 else "部分缴费"),
        detail={
            "payment_id": payment.id,
            "amount_cents": payment.amount_cents,
            "channel": payment.channel,
            "allocations": out,
            "unallocated_cents": rest,
            "arrears_cents": arrears,
        },
    )
    return out


def record_payment(
    session: Session, unit_id: int, amount_cents: int, *, channel: str, source_ref: str, paid_at: datetime, actor: str
) -> tuple[Payment, bool]:
    """Store a payment (idempotent on ``source_ref``) and settle it; returns (payment, created)."""
    if amount_cents <= 0:
        raise PaymentRejected("缴费金额须大于 0")
    lock_case(session, unit_id)
    existing = session.execute(select(Payment).where(Payment.source_ref == source_ref)).scalar_one_or_none()
    if existing is not None:
        if existing.unit_id != unit_id or existing.amount_cents != amount_cents:
            raise PaymentRejected(f"流水号 {source_ref} 已用于另一笔缴费")
        settle(session, existing, actor=actor, at=paid_at)
        return existing, False
    payment = Payment(
        unit_id=unit_id,
        amount_cents=amount_cents,
        paid_at=paid_at,
        channel=channel,
        source_ref=source_ref,
        unallocated_cents=0,
    )
    session.add(payment)
    session.flush()
    settle(session, payment, actor=actor, at=paid_at)
    return payment, True


def settle_unsettled(session: Session, *, actor: str, at: datetime, unit_ids: set[int] | None = None) -> int:
    """Settle every payment not yet settled (e.g. just imported), oldest first; returns how many."""
    stmt = select(Payment).where(Payment.settled_at.is_(None)).order_by(Payment.paid_at, Payment.id)
    if unit_ids is not None:
        stmt = stmt.where(Payment.unit_id.in_(unit_ids))
    payments = session.execute(stmt).scalars().all()
    lock_case(session, *{p.unit_id for p in payments})
    done = 0
    for payment in payments:
        settle(session, payment, actor=actor, at=at)
        done += 1
    return done


def refund(
    session: Session, payment: Payment, amount_cents: int, *, actor: str, at: datetime, ref: str, reason: str = ""
) -> list[dict]:
    """Take back ``amount_cents`` of a settled payment: credit first, then the newest periods it paid."""
    lock_case(session, payment.unit_id)
    allocations = (
        session.execute(
            select(PaymentAllocation)
            .where(PaymentAllocation.payment_id == payment.id)
            .order_by(PaymentAllocation.id.desc())
        )
        .scalars()
        .all()
    )
    net: dict[int, int] = {}
    for a in allocations:
        net[a.receivable_id] = net.get(a.receivable_id, 0) + a.amount_cents
    rest = amount_cents
    from_credit = min(rest, payment.unallocated_cents)
    payment.unallocated_cents -= from_credit
    rest -= from_credit
    out = []
    for rid in sorted(net, key=lambda r: session.get(Receivable, r).due_date, reverse=True):
        if rest <= 0:
            break
        take = min(rest, net[rid])
        if take <= 0:
            continue
        rec = session.get(Receivable, rid)
        rec.paid_cents -= take
        session.add(PaymentAllocation(payment_id=payment.id, receivable_id=rid, amount_cents=-take, at=at))
        out.append({"period": rec.period, "amount_cents": -take})
        rest -= take
    if rest > 0:
        raise PaymentRejected("退款金额超过该笔缴费")
    session.flush()
    arrears = summarize(bill_lines(session, payment.unit_id), business_date(session)).arrears_cents
    record_event(
        session,
        payment.unit_id,
        "refund",
        actor=actor,
        at=at,
        ref=ref,
        reason=f"退款：{reason}" if reason else "退款",
        detail={"payment_id": payment.id, "amount_cents": amount_cents, "allocations": out, "arrears_cents": arrears},
    )
    return out
