"""The case check before every plan-step send: live plan, case holds, and the words brought up to date.

Read fresh from the database immediately before each send, so a payment, dispute, promise or instalment
recorded a second earlier stops (or changes) the message.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy.orm import Session

from core.domain.collections.cases import send_hold
from core.domain.compliance import amounts
from core.domain.compliance.types import ComplianceContext, OutgoingMessage
from core.domain.money import to_yuan
from data.db.models import Unit
from data.db.workflow import DunningPlan, InstalmentPlan, PlanStep
from data.repositories import cases as case_repo

_AMOUNT = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)(?=\s*元)")
_AMOUNT_AFTER_SIGN = re.compile(r"(?<=[¥￥])(\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)")


@dataclass(frozen=True)
class GateResult:
    """Blocked with a rule and a Chinese reason, or allowed with the text to send."""

    allowed: bool
    text: str = ""
    rule: str | None = None
    reason: str = ""


def _yuan(cents: int) -> str:
    return f"{to_yuan(cents):.2f}"


def _per_month(cents: int) -> dict[int, int]:
    return {m: math.ceil(cents / m) for m in range(2, 13)}


def refresh_amounts(text: str, old_cents: int | None, new_cents: int) -> str:
    """Replace the amount the plan quoted (and its monthly instalments) with today's ledger amount."""
    if old_cents is None or old_cents == new_cents:
        return text
    mapping = {Decimal(old_cents) / 100: _yuan(new_cents)}
    new_month = _per_month(new_cents)
    for months, cents in _per_month(old_cents).items():
        mapping.setdefault(Decimal(cents) / 100, _yuan(new_month[months]))

    def swap(m: re.Match[str]) -> str:
        value = Decimal(m.group(1).replace(",", ""))
        return mapping.get(value, m.group(1))

    return _AMOUNT_AFTER_SIGN.sub(swap, _AMOUNT.sub(swap, text))


def amount_problem(text: str, unit: Unit, arrears_cents: int, step_id: int, day: date) -> str | None:
    """Why the text may not go out with today's ledger (an amount that is not owed), else None."""
    allowed = {to_yuan(unit.monthly_fee_cents)} | {to_yuan(c) for c in _per_month(arrears_cents).values()}
    ctx = ComplianceContext(ledger_amount=to_yuan(arrears_cents), allowed_amounts=frozenset(allowed))
    msg = OutgoingMessage(
        step_id=str(step_id), channel="sms", text=text, send_at=datetime.combine(day, time(10)), stage="预警"
    )
    failures = amounts.check(msg, ctx)
    return failures[0].message if failures else None


def check_step(session: Session, step_id: int, day: date, text: str) -> GateResult:
    """Whether the plan step may go out on ``day``, and with which words (the pay-link token still in them)."""
    step = session.get(PlanStep, step_id)
    if step is None:
        return GateResult(False, rule="plan_retired", reason="方案步骤已不存在")
    plan = session.get(DunningPlan, step.plan_id)
    session.refresh(plan)
    if plan.status != "approved":
        return GateResult(False, rule="plan_retired", reason=f"方案已不再生效（{plan.status}），不发送")
    live = case_repo.newest_approved_plan(session, plan.unit_id)
    if live is not None and live.id != plan.id:
        return GateResult(
            False, rule="superseded", reason=f"已有更新的批准方案（第 {live.version} 版），旧方案不再发送"
        )
    facts = case_repo.case_facts(session, plan.unit_id, day)
    hold = send_hold(facts, day)
    if hold is not None:
        return GateResult(False, rule=hold.rule, reason=hold.reason)
    words = refresh_amounts(text, plan.arrears_cents, facts.arrears_cents)
    problem = amount_problem(words, session.get(Unit, plan.unit_id), facts.arrears_cents, step_id, day)
    if problem is not None:
        return GateResult(False, rule="amount_mismatch", reason=f"{problem}，请按最新账单重新生成方案")
    return GateResult(True, text=words)


def check_instalment(session: Session, instalment_id: int, day: date, text: str) -> GateResult:
    """Whether an agreed schedule's reminder for ``day`` may still go out (read fresh, like check_step)."""
    inst = session.get(InstalmentPlan, instalment_id)
    if inst is not None:
        session.refresh(inst)
    if inst is None or inst.status != "active":
        return GateResult(False, rule="instalment_closed", reason="分期安排已不再生效，不发送分期提醒")
    facts = case_repo.case_facts(session, inst.unit_id, day)
    if facts.open_dispute or facts.state == "异议中":
        return GateResult(False, rule="dispute", reason="业主异议处理中，解决前不发送缴费提醒")
    owed_through = sum(amount for when, amount in case_repo.schedule_of(inst) if when <= day)
    if case_repo.paid_since(session, inst.unit_id, inst.start_date) >= owed_through:
        return GateResult(False, rule="instalment_paid", reason="本期分期已缴纳，不再提醒")
    return GateResult(True, text=text)
