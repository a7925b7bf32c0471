"""Helpers for the case-loop scenarios: a reachable household in arrears, an approved plan, a dispatch pass."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from app.channels import OutboxAdapter, ReceiptSimulator
from app.services.bill_links import SendLinks
from app.services.collections.case_events import Actor
from app.services.collections.dispatch import dispatch_due_steps
from core.domain.collections.pay_link import PAY_LINK_TOKEN
from core.domain.collections.policy import PolicyConfig
from core.domain.ledger import summarize
from core.scope import CallerScope
from data.db.collections import OutboxMessage
from data.db.models import Contact, OwnerPreference, OwnerTag, Project, Unit
from data.db.workflow import BlacklistEntry, Dispute, DunningPlan, OptOut, PlanStep, Promise
from data.repositories import plans
from data.repositories.households import bill_lines

ALWAYS = {c: (1.0, 0.0, 0.0, 0.0) for c in ("sms", "wechat", "email", "phone", "visit")}
STEWARD = Actor("li", "steward", CallerScope("li"))
MANAGER = Actor("boss", "manager", CallerScope("boss"))
LINK = PAY_LINK_TOKEN


def reachable_household(session, skip: int = 0) -> tuple[str, Unit, int]:
    """A household in arrears (≥ 2 bill lines) whose owner can be texted: key, unit, arrears in cents."""
    mobile = select(Contact.owner_id).where(Contact.kind == "mobile", Contact.valid.is_(True))
    units = session.execute(
        select(Unit)
        .where(
            Unit.owner_id.in_(mobile),
            ~Unit.owner_id.in_(select(OptOut.owner_id)),
            ~Unit.owner_id.in_(select(BlacklistEntry.owner_id)),
            ~Unit.owner_id.in_(select(OwnerTag.owner_id)),
            ~Unit.id.in_(select(Dispute.unit_id)),
            ~Unit.id.in_(select(Promise.unit_id)),
        )
        .order_by(Unit.id)
    ).scalars()
    found = 0
    for unit in units:
        summary = summarize(bill_lines(session, unit.id), date(2024, 9, 3))
        if len(summary.overdue_lines) >= 2 and unit.owner_id:
            if found == skip:
                pref = session.get(OwnerPreference, unit.owner_id)
                if pref:
                    pref.window_start = pref.window_end = None
                code = session.get(Project, unit.project_id).code
                session.commit()
                return f"{code}/{unit.code}", unit, summary.arrears_cents
            found += 1
    raise AssertionError("no reachable household in arrears in the sample")


def yuan(cents: int) -> str:
    return f"{cents / 100:.2f}"


def approve_plan(
    session,
    unit: Unit,
    arrears_cents: int,
    days: list[date],
    *,
    user: str = "li",
    at: datetime = datetime(2024, 9, 2, 9),
) -> DunningPlan:
    """Draft and approve a plan with one SMS step per day, quoting the ledger amount and the link placeholder."""
    plan = DunningPlan(
        unit_id=unit.id,
        version=1,
        status="awaiting_approval",
        stage="预警",
        strategy="standard",
        created_at=at,
        arrears_cents=arrears_cents,
    )
    for seq, day in enumerate(days, start=1):
        plan.steps.append(
            PlanStep(
                seq=seq,
                day=day,
                window_start="10:00",
                window_end="12:00",
                channel="sms",
                action="短信提醒",
                role="steward",
                message=f"您好，您家物业费 {yuan(arrears_cents)}元 待缴，缴费链接 {LINK} 。回T退订",
            )
        )
    session.add(plan)
    session.flush()
    plans.decide(session, plan_id=plan.id, decision="accept", username=user, at=at)
    session.commit()
    return plan


LINK_SECRET = "a-test-secret-of-at-least-32-bytes-long"
LINKS = SendLinks(LINK_SECRET, "http://bill.test", timedelta(days=7))
"""Mints real, stored bill links under http://bill.test/bill/<token>."""


def dispatch(engine, day: date, links: dict | None = None):
    """One dispatch pass with always-delivering channels; each message gets a freshly minted bill link."""
    return dispatch_due_steps(
        engine,
        day,
        adapters=lambda s: [OutboxAdapter(s, ReceiptSimulator(rates=ALWAYS))],
        policy=PolicyConfig(),
        link_for=LINKS,
    )


def sent_link_unit(session, text: str) -> int:
    """The unit id behind the bill link in a sent message (TokenError when it is not a live stored link)."""
    import re

    from app.services import bill_links

    [token] = re.findall(r"http://bill\.test/bill/([A-Za-z0-9_.-]+)", text)
    return bill_links.resolve(session, LINK_SECRET, token)[1].id


def outbox(session, unit: Unit) -> list[OutboxMessage]:
    session.expire_all()
    return (
        session.execute(select(OutboxMessage).where(OutboxMessage.unit_id == unit.id).order_by(OutboxMessage.id))
        .scalars()
        .all()
    )
