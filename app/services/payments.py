"""Paying a bill: provider orders, the notification handler, refunds, manual entry and daily reconciliation.

Provider, import and a steward's entry all settle receivables through data.repositories.payments.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.payments.base import PaymentProvider, ProviderError, SignatureError
from app.services.users import Caller
from core.domain.ledger import summarize
from core.domain.money import to_yuan
from data.db.models import Payment, Project, Receivable, Unit
from data.db.payments import PaymentAllocation, PaymentNotification, PaymentOrder
from data.repositories import audit
from data.repositories import payments as pay_repo
from data.repositories.cases import lock_case
from data.repositories.households import bill_lines, business_date

PROVIDER_ACTOR = "payment-provider"


class OrderRefused(ValueError):
    """An order that cannot be created (Chinese message)."""


def owed_cents(session: Session, unit_id: int) -> int:
    """Everything still owed on the unit (overdue or not), net of write-offs."""
    rows = session.execute(select(Receivable).where(Receivable.unit_id == unit_id)).scalars()
    return sum(max(0, r.amount_cents - r.paid_cents - r.written_off_cents) for r in rows)


def create_order(
    session: Session,
    provider: PaymentProvider,
    unit: Unit,
    *,
    at: datetime,
    notify_url: str,
    return_url: str,
    amount_cents: int | None = None,
) -> tuple[PaymentOrder, str]:
    """Create an order for the overdue amount (or a part of what is owed); returns (order, pay URL)."""
    owed = owed_cents(session, unit.id)
    if amount_cents is None:
        amount_cents = summarize(bill_lines(session, unit.id), business_date(session)).arrears_cents or owed
    if amount_cents <= 0 or owed <= 0:
        raise OrderRefused("当前没有待缴费用")
    if amount_cents > owed:
        raise OrderRefused(f"缴费金额不能超过待缴金额 {to_yuan(owed):.2f} 元")
    order_no = f"ST{at:%Y%m%d%H%M%S}{secrets.token_hex(4).upper()}"
    subject = f"物业服务费 {unit.label or unit.code}"
    made = provider.create_order(
        order_no, amount_cents, subject, notify_url=notify_url, return_url=return_url.replace("{order_no}", order_no)
    )
    row = PaymentOrder(
        order_no=order_no,
        unit_id=unit.id,
        provider=provider.name,
        amount_cents=amount_cents,
        status="created",
        created_at=at,
        refunded_cents=0,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor="owner",
        action="payment.order_created",
        entity="payment_order",
        entity_id=order_no,
        detail={"unit_id": unit.id, "amount_cents": amount_cents, "provider": provider.name},
        at=at,
    )
    return row, made.pay_url


def _reject(
    session: Session,
    provider: str,
    at: datetime,
    reason: str,
    payload: dict,
    order_no: str = "",
    txn_id: str = "",
    amount: int | None = None,
    outcome: str = "rejected",
) -> tuple[str, str]:
    session.add(
        PaymentNotification(
            provider=provider,
            order_no=order_no,
            provider_txn_id=txn_id,
            amount_cents=amount,
            received_at=at,
            outcome=outcome,
            reason=reason,
            payload=payload,
        )
    )
    audit.record(
        session,
        actor=PROVIDER_ACTOR,
        action=f"payment.notify_{outcome}",
        entity="payment_order",
        entity_id=order_no,
        detail={"reason": reason, "txn_id": txn_id, "amount_cents": amount, "provider": provider},
        at=at,
    )
    return outcome, reason


def handle_notification(
    session: Session, provider: PaymentProvider, headers: Mapping[str, str], body: bytes, *, at: datetime
) -> tuple[str, str]:
    """Verify, check and apply one notification (caller commits); returns (accepted|duplicate|rejected, reason).

    Rejected: a bad signature, an unknown order, an amount that differs from the order, or an order already
    paid by another transaction. A replay of an accepted transaction is a duplicate and settles nothing.
    """
    raw = {"body": body.decode("utf-8", "replace")[:2000]}
    try:
        note = provider.verify_notification(headers, body)
    except SignatureError as exc:
        return _reject(session, provider.name, at, str(exc), raw)
    order = session.execute(
        select(PaymentOrder).where(PaymentOrder.order_no == note.order_no).with_for_update()
    ).scalar_one_or_none()
    args = {"order_no": note.order_no, "txn_id": note.txn_id, "amount": note.amount_cents}
    if order is None or order.provider != provider.name:
        return _reject(session, provider.name, at, "订单不存在", raw, **args)
    if note.status != "success":
        return _reject(session, provider.name, at, "支付未成功", raw, **args)
    if note.amount_cents != order.amount_cents:
        return _reject(
            session,
            provider.name,
            at,
            f"金额 {note.amount_cents} 与订单金额 {order.amount_cents} 不符（分）",
            raw,
            **args,
        )
    if order.provider_txn_id is not None:
        if order.provider_txn_id == note.txn_id:
            return _reject(session, provider.name, at, "重复通知，已处理过", raw, outcome="duplicate", **args)
        return _reject(session, provider.name, at, "订单已由另一笔交易支付", raw, **args)
    payment, _ = pay_repo.record_payment(
        session,
        order.unit_id,
        order.amount_cents,
        channel=provider.name,
        source_ref=f"{provider.name}:{note.txn_id}",
        paid_at=at,
        actor=PROVIDER_ACTOR,
    )
    order.status, order.paid_at, order.provider_txn_id, order.payment_id = "paid", at, note.txn_id, payment.id
    session.add(
        PaymentNotification(
            provider=provider.name,
            order_no=order.order_no,
            provider_txn_id=note.txn_id,
            amount_cents=note.amount_cents,
            received_at=at,
            outcome="accepted",
            reason="",
            payload=raw,
        )
    )
    audit.record(
        session,
        actor=PROVIDER_ACTOR,
        action="payment.notify_accepted",
        entity="payment_order",
        entity_id=order.order_no,
        detail={"txn_id": note.txn_id, "amount_cents": note.amount_cents, "payment_id": payment.id},
        at=at,
    )
    session.flush()
    return "accepted", ""


def order_status(session: Session, provider: PaymentProvider, order_no: str) -> dict:
    """Our record and the provider's view of one order."""
    order = session.execute(select(PaymentOrder).where(PaymentOrder.order_no == order_no)).scalar_one_or_none()
    if order is None:
        raise LookupError("订单不存在")
    try:
        remote = provider.query(order_no)
    except ProviderError as exc:
        remote = {"error": str(exc)}
    return {
        "order_no": order_no,
        "status": order.status,
        "amount": f"{to_yuan(order.amount_cents):.2f}",
        "paid_at": order.paid_at.isoformat(sep=" ", timespec="minutes") if order.paid_at else None,
        "provider": remote,
        "unit_id": order.unit_id,
    }


REFUND_ROLES = frozenset({"manager", "admin"})
"""Who may give money back: managers (the finance role of a property company) and administrators."""
REPORT_ROLES = REFUND_ROLES | {"compliance"}
"""Who may read the reconciliation report."""


class RefundRefused(PermissionError):
    """The caller may not refund (Chinese message)."""


def refund_order(
    session: Session,
    provider: PaymentProvider,
    order_no: str,
    amount_cents: int,
    *,
    caller: Caller,
    reason: str,
    at: datetime,
) -> dict:
    """Refund part or all of a paid order with the provider and take the money back off the receivables.

    The one refund path of the API and the workbench (caller commits). Only managers and administrators may
    refund, only orders of their own projects, at most what was paid and not yet refunded, and always with a
    reason; the refund is audited with it and recorded as a case event (the case reopens when money is owed
    again).

    Raises:
        RefundRefused: the caller's role may not refund.
        LookupError / ScopeError: unknown order, or one outside the caller's projects.
        OrderRefused: not paid, nothing left to refund, an amount out of range, or no reason.
        ProviderError: the provider refused.
    """
    from app.services.casework import scoped_unit

    if caller.role not in REFUND_ROLES:
        raise RefundRefused("只有经理或管理员可以退款")
    order = session.execute(
        select(PaymentOrder).where(PaymentOrder.order_no == order_no).with_for_update()
    ).scalar_one_or_none()
    if order is None:
        raise LookupError("订单不存在")
    scoped_unit(session, caller.scope, household_of(session, order.unit_id))
    lock_case(session, order.unit_id)
    if order.status not in ("paid", "refunded") or order.payment_id is None:
        raise OrderRefused("订单未支付，不能退款")
    reason = (reason or "").strip()[:200]
    if not reason:
        raise OrderRefused("请填写退款原因")
    left = order.amount_cents - order.refunded_cents
    if left <= 0:
        raise OrderRefused("该订单已全额退款")
    if amount_cents <= 0 or amount_cents > left:
        raise OrderRefused(f"退款金额应大于 0 且不超过可退金额 {to_yuan(left):.2f} 元")
    refund_no = f"RF{order_no}-{order.refunded_cents + amount_cents}"
    result = provider.refund(order_no, order.provider_txn_id or "", amount_cents, refund_no)
    payment = session.get(Payment, order.payment_id)
    pay_repo.refund(
        session, payment, result.amount_cents, actor=caller.username, at=at, ref=f"refund:{refund_no}", reason=reason
    )
    order.refunded_cents += result.amount_cents
    order.status = "refunded"
    audit.record(
        session,
        actor=caller.username,
        action="payment.refunded",
        entity="payment_order",
        entity_id=order_no,
        detail={"amount_cents": result.amount_cents, "refund_no": refund_no, "reason": reason, "role": caller.role},
        at=at,
    )
    arrears = summarize(bill_lines(session, order.unit_id), business_date(session)).arrears_cents
    return {
        "order_no": order_no,
        "refunded": f"{to_yuan(order.refunded_cents):.2f}",
        "refund_no": refund_no,
        "arrears": f"{to_yuan(arrears):.2f}",
        "case_state": session.get(Unit, order.unit_id).case_state,
    }


def reconcile(session: Session, day: date, projects: frozenset[str] | None = None) -> list[dict]:
    """Orders, notifications and settlements of ``day`` that do not match, one line each (Chinese reasons).

    ``projects`` limits the report to those projects' households (a notification for an unknown order then
    belongs to nobody and is left out).
    """
    rows = _reconcile(session, day)
    if projects is None:
        return [{k: v for k, v in r.items() if k != "unit_id"} for r in rows]
    allowed = set(
        session.execute(
            select(Unit.id).join(Project, Project.id == Unit.project_id).where(Project.code.in_(sorted(projects)))
        ).scalars()
    )
    return [{k: v for k, v in r.items() if k != "unit_id"} for r in rows if r.get("unit_id") in allowed]


MISMATCH_NAMES = {
    "order_without_payment": "已支付未入账",
    "amount_mismatch": "金额不符",
    "settlement_mismatch": "核销不符",
    "unpaid_order": "未支付订单",
    "rejected_notification": "拒绝的通知",
    "notification_without_order": "通知与订单不符",
    "unsettled_payment": "未核销缴费",
    "credit": "多缴挂账",
}
ORDER_KINDS = frozenset({"order_without_payment", "amount_mismatch", "settlement_mismatch", "unpaid_order"})
ORDER_STATUS_NAMES = {"created": "待支付", "paid": "已支付", "refunded": "已退款"}


def reconciliation_report(session: Session, day: date, projects: frozenset[str] | None = None) -> dict:
    """The day's provider orders with their result, the lines that do not match (``reconcile``) and totals.

    An order is 已对平 when the day's reconciliation has no line about the order itself: paid, recorded once as a
    payment of the same amount and settled to the receivables (net of refunds). Rejected notifications are
    listed as lines of their own.
    """
    mismatches = [{**m, "name": MISMATCH_NAMES.get(m["kind"], m["kind"])} for m in reconcile(session, day, projects)]
    by_ref: dict[str, list[str]] = {}
    for m in mismatches:
        if m["kind"] in ORDER_KINDS:  # a rejected forgery or replay naming an order says nothing of the order
            by_ref.setdefault(m["ref"], []).append(m["reason"])
    lo, hi = datetime.combine(day, datetime.min.time()), datetime.combine(day + timedelta(days=1), datetime.min.time())
    stmt = (
        select(PaymentOrder, Project.code, Unit.code)
        .join(Unit, Unit.id == PaymentOrder.unit_id)
        .join(Project, Project.id == Unit.project_id)
        .where(
            ((PaymentOrder.created_at >= lo) & (PaymentOrder.created_at < hi))
            | ((PaymentOrder.paid_at >= lo) & (PaymentOrder.paid_at < hi))
        )
        .order_by(PaymentOrder.id)
    )
    if projects is not None:
        stmt = stmt.where(Project.code.in_(sorted(projects)))
    orders = []
    for order, project, unit in session.execute(stmt).all():
        problems = by_ref.get(order.order_no, [])
        orders.append(
            {
                "order_no": order.order_no,
                "household": f"{project}/{unit}",
                "amount": f"{to_yuan(order.amount_cents):.2f}",
                "status": ORDER_STATUS_NAMES.get(order.status, order.status),
                "paid_at": order.paid_at.isoformat(sep=" ", timespec="minutes") if order.paid_at else "",
                "refunded": f"{to_yuan(order.refunded_cents):.2f}",
                "refundable_cents": order.amount_cents - order.refunded_cents if order.payment_id else 0,
                "result": "；".join(problems) if problems else ("已对平" if order.payment_id else "未支付"),
                "matched": not problems and order.payment_id is not None,
            }
        )
    paid = [o for o in orders if o["status"] != "待支付"]
    return {
        "date": day.isoformat(),
        "orders": orders,
        "mismatches": mismatches,
        "summary": {
            "orders": len(orders),
            "paid": len(paid),
            "matched": sum(o["matched"] for o in orders),
            "mismatches": len(mismatches),
            "paid_amount": f"{sum(Decimal(o['amount']) for o in paid):.2f}",
            "refunded_amount": f"{sum(Decimal(o['refunded']) for o in orders):.2f}",
        },
    }


def _reconcile(session: Session, day: date) -> list[dict]:
    lo, hi = datetime.combine(day, datetime.min.time()), datetime.combine(day + timedelta(days=1), datetime.min.time())
    out: list[dict] = []
    orders = (
        session.execute(
            select(PaymentOrder).where(
                ((PaymentOrder.created_at >= lo) & (PaymentOrder.created_at < hi))
                | ((PaymentOrder.paid_at >= lo) & (PaymentOrder.paid_at < hi))
            )
        )
        .scalars()
        .all()
    )
    for order in orders:
        payment = session.get(Payment, order.payment_id) if order.payment_id else None
        if order.status in ("paid", "refunded") and payment is None:
            out.append(
                {
                    "kind": "order_without_payment",
                    "ref": order.order_no,
                    "reason": "订单已支付但没有入账记录",
                    "unit_id": order.unit_id,
                }
            )
        elif payment is not None and payment.amount_cents != order.amount_cents:
            out.append(
                {
                    "kind": "amount_mismatch",
                    "ref": order.order_no,
                    "reason": f"入账 {payment.amount_cents} 分与订单 {order.amount_cents} 分不符",
                    "unit_id": order.unit_id,
                }
            )
        elif payment is not None:
            allocated = session.execute(
                select(func.coalesce(func.sum(PaymentAllocation.amount_cents), 0)).where(
                    PaymentAllocation.payment_id == payment.id
                )
            ).scalar_one()
            expected = payment.amount_cents - payment.unallocated_cents - order.refunded_cents
            if payment.settled_at is None or allocated != expected:
                out.append(
                    {
                        "kind": "settlement_mismatch",
                        "ref": order.order_no,
                        "reason": f"核销 {allocated} 分，应为 {expected} 分",
                        "unit_id": order.unit_id,
                    }
                )
        elif order.status == "created" and order.created_at < hi - timedelta(hours=2):
            out.append(
                {
                    "kind": "unpaid_order",
                    "ref": order.order_no,
                    "reason": "订单创建后未收到支付通知",
                    "unit_id": order.unit_id,
                }
            )
    notes = (
        session.execute(
            select(PaymentNotification)
            .where(PaymentNotification.received_at >= lo, PaymentNotification.received_at < hi)
            .order_by(PaymentNotification.id)
        )
        .scalars()
        .all()
    )
    for note in notes:
        order = session.execute(select(PaymentOrder).where(PaymentOrder.order_no == note.order_no)).scalar()
        unit_id = order.unit_id if order is not None else None
        if note.outcome == "rejected":
            out.append(
                {
                    "kind": "rejected_notification",
                    "ref": note.order_no or f"#{note.id}",
                    "reason": f"拒绝的支付通知：{note.reason}",
                    "unit_id": unit_id,
                }
            )
        elif note.outcome == "accepted" and (order is None or order.provider_txn_id != note.provider_txn_id):
            out.append(
                {
                    "kind": "notification_without_order",
                    "ref": note.order_no,
                    "reason": "已接受的通知与订单不一致",
                    "unit_id": unit_id,
                }
            )
    for payment in session.execute(select(Payment).where(Payment.paid_at >= lo, Payment.paid_at < hi)).scalars():
        if payment.settled_at is None:
            out.append(
                {
                    "kind": "unsettled_payment",
                    "ref": payment.source_ref or f"#{payment.id}",
                    "reason": "缴费未核销到账单",
                    "unit_id": payment.unit_id,
                }
            )
        elif payment.unallocated_cents:
            out.append(
                {
                    "kind": "credit",
                    "ref": payment.source_ref or f"#{payment.id}",
                    "reason": f"多缴 {to_yuan(payment.unallocated_cents):.2f} 元，挂账待处理",
                    "unit_id": payment.unit_id,
                }
            )
    return out


def household_of(session: Session, unit_id: int) -> str:
    """The household key of a unit."""
    p, u = session.execute(
        select(Project.code, Unit.code).join(Unit, Unit.project_id == Project.id).where(Unit.id == unit_id)
    ).one()
    return f"{p}/{u}"
