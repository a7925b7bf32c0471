"""Dispatch the approved plan steps that are due on a day, through the contact policy and the channels."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Engine, and_, exists, select
from sqlalchemy.orm import Session, aliased

from app.channels.base import CHANNELS, ChannelAdapter
from app.channels.outbox import OutboxAdapter
from app.services.collections.sending import SendRequest, send_contact
from core.domain.collections.pay_link import PAY_LINK_TOKEN
from core.domain.collections.policy import PolicyConfig
from data.db.models import Project, Unit
from data.db.workflow import DunningPlan, PlanStep

AdapterFactory = Callable[[Session], Sequence[ChannelAdapter]]
LinkFactory = Any
"""Mints the owner's bill link when a message is sent (app.services.bill_links.SendLinks)."""


def outbox_adapters(session: Session) -> list[ChannelAdapter]:
    """The default: every channel goes to the outbox with simulated receipts."""
    return [OutboxAdapter(session)]


@dataclass
class DispatchStats:
    """Outcome counts of one dispatch pass."""

    sent: int = 0
    held: int = 0
    """Held by the case: paid up, disputed, promised, on an instalment schedule, or plan retired."""
    blocked: int = 0
    failed: int = 0
    duplicate: int = 0


def due_steps(
    session: Session, day: date, step_ids: Sequence[int] | None = None
) -> list[tuple[PlanStep, DunningPlan, int, str]]:
    """(step, plan, owner id, household) of each unit's newest approved plan whose step falls on ``day``.

    Only the newest approved plan of a unit is live; an older one that is still marked approved sends nothing.
    ``step_ids`` narrows the answer to those steps (a worker sending one step).
    """
    newer = aliased(DunningPlan)
    live = ~exists().where(
        and_(newer.unit_id == DunningPlan.unit_id, newer.status == "approved", newer.id > DunningPlan.id)
    )
    query = (
        select(PlanStep, DunningPlan, Unit.owner_id, Project.code, Unit.code)
        .join(DunningPlan, DunningPlan.id == PlanStep.plan_id)
        .join(Unit, Unit.id == DunningPlan.unit_id)
        .join(Project, Project.id == Unit.project_id)
        .where(DunningPlan.status == "approved", live, PlanStep.day == day, PlanStep.channel.in_(CHANNELS))
        .order_by(PlanStep.id)
    )
    if step_ids is not None:
        query = query.where(PlanStep.id.in_(list(step_ids)))
    rows = session.execute(query).all()
    return [(step, plan, owner_id, f"{p}/{u}") for step, plan, owner_id, p, u in rows if owner_id is not None]


def _step_request(step: PlanStep, plan: DunningPlan, owner_id: int, day: date, link_for: LinkFactory | None):
    channels = tuple(dict.fromkeys(c for c in (step.channel, step.fallback_channel) if c in CHANNELS))
    return SendRequest(
        key=f"plan-step:{step.id}",
        owner_id=owner_id,
        unit_id=plan.unit_id,
        channels=channels,
        text=step.message,
        at=datetime.combine(day, time.fromisoformat(step.window_start)),
        stage=plan.stage,
        template_id=step.template_id,
        plan_step_id=step.id,
        links=link_for,
    )


_COUNTED = {"sent": "sent", "unsubscribed": "sent", "blocked": "blocked", "duplicate": "duplicate", "held": "held"}


def count_result(stats: DispatchStats, status: str) -> str:
    """Add one send result to ``stats``; returns the counter it went to (sent, held, blocked, duplicate, failed)."""
    name = _COUNTED.get(status, "failed")
    setattr(stats, name, getattr(stats, name) + 1)
    return name


def dispatch_due_steps(
    engine: Engine,
    day: date,
    *,
    adapters: AdapterFactory | None = None,
    policy: PolicyConfig | None,
    progress: Callable[[str, int, int | None], None] | None = None,
    actor: str = "batch",
    link_for: LinkFactory | None = None,
    step_ids: Sequence[int] | None = None,
) -> DispatchStats:
    """Send every due step once (key plan-step:<id>); each step commits on its own.

    The case is read again inside each send, under the household's case lock (see sending.send_contact and
    gate.check_step): a household that paid, disputes, promised or keeps to an instalment schedule a moment
    ago gets nothing, a part payment changes the amount, and a second dispatcher of the same step finds it sent.
    ``link_for`` mints the owner's bill link that replaces the 【缴费链接】 token. ``step_ids`` sends only those
    of the due steps (a worker's share of the night).
    """
    adapters = adapters or outbox_adapters
    stats = DispatchStats()
    with Session(engine) as session:
        work = [_step_request(s, p, owner, day, link_for) for s, p, owner, _key in due_steps(session, day, step_ids)]
    if progress and work:
        progress("dispatch", 0, len(work))
    for req in work:
        with Session(engine) as session:
            result = send_contact(session, req, adapters=adapters(session), policy=policy, actor=actor)
            session.commit()
        count_result(stats, result.status)
        if progress:
            progress("dispatch", 1, None)
    return stats


def send_step_now(
    session: Session,
    scope,
    household: str,
    step_id: int,
    *,
    actor: str,
    at: datetime,  # noqa: ANN001
    policy: PolicyConfig | None,
    adapters: Sequence[ChannelAdapter] | None = None,
    link_for: LinkFactory | None = None,
):  # noqa: ANN201 - a SendResult
    """Send one step of the household's approved plan now, through the same case check and contact policy.

    The key is the batch's (plan-step:<id>), so a step sent now is never sent again by the night run.
    Raises LookupError when the step is not in the household's plans.
    """
    from app.services.casework import scoped_unit

    unit = scoped_unit(session, scope, household)
    row = session.execute(
        select(PlanStep, DunningPlan)
        .join(DunningPlan, DunningPlan.id == PlanStep.plan_id)
        .where(PlanStep.id == step_id, DunningPlan.unit_id == unit.id)
    ).first()
    if row is None:
        raise LookupError(f"未找到该住户方案的步骤 {step_id}")
    step, plan = row
    if step.channel not in CHANNELS:
        raise LookupError("该步骤为线下动作（上门、书面等），请执行后登记联系记录")
    if unit.owner_id is None:
        raise LookupError("该住户没有业主信息")
    channels = tuple(dict.fromkeys(c for c in (step.channel, step.fallback_channel) if c in CHANNELS))
    req = SendRequest(
        key=f"plan-step:{step.id}",
        owner_id=unit.owner_id,
        unit_id=unit.id,
        channels=channels,
        text=step.message,
        at=at,
        stage=plan.stage,
        template_id=step.template_id,
        plan_step_id=step.id,
        links=link_for,
    )
    return send_contact(
        session,
        req,
        adapters=adapters if adapters is not None else outbox_adapters(session),
        policy=policy,
        actor=actor,
    )


def instalment_reminders(session: Session, day: date) -> list[tuple[SendRequest, str]]:
    """(request, household) for each agreed schedule with an instalment due on ``day`` that is not yet paid."""
    from core.domain.money import to_yuan
    from data.db.models import Owner
    from data.db.workflow import InstalmentPlan
    from data.repositories.cases import paid_since, schedule_of

    out = []
    rows = session.execute(
        select(InstalmentPlan, Unit, Project.code)
        .join(Unit, Unit.id == InstalmentPlan.unit_id)
        .join(Project, Project.id == Unit.project_id)
        .where(InstalmentPlan.status == "active")
    ).all()
    for inst, unit, project in rows:
        schedule = schedule_of(inst)
        due = [(i, when, amount) for i, (when, amount) in enumerate(schedule, start=1) if when == day]
        if not due or unit.owner_id is None:
            continue
        seq, _when, amount = due[0]
        owed_through = sum(a for w, a in schedule if w <= day)
        if paid_since(session, unit.id, inst.start_date) >= owed_through:
            continue  # paid ahead: nothing to remind
        owner = session.get(Owner, unit.owner_id)
        title = owner.title if owner and owner.title else "业主"
        text = (
            f"{title}您好，您的物业费分期第 {seq}/{len(schedule)} 期 {to_yuan(amount):.2f}元 今日到期，"
            f"缴费链接 {PAY_LINK_TOKEN} 。如已缴纳请忽略。回T退订"
        )
        out.append(
            (
                SendRequest(
                    key=f"instalment:{inst.id}:{seq}",
                    owner_id=unit.owner_id,
                    unit_id=unit.id,
                    channels=("sms", "wechat"),
                    text=text,
                    at=datetime.combine(day, time(10)),
                    template_id="instalment_due",
                    instalment_id=inst.id,
                ),
                f"{project}/{unit.code}",
            )
        )
    return out


def dispatch_instalment_reminders(
    engine: Engine,
    day: date,
    *,
    adapters: AdapterFactory | None = None,
    policy: PolicyConfig | None,
    link_for: LinkFactory | None = None,
    actor: str = "batch",
) -> DispatchStats:
    """An agreed instalment schedule sends its own reminder on each due date (through the contact policy).

    Like a plan step, the reminder is checked again under the case lock (still active, not yet paid, no
    dispute) and carries a freshly minted bill link in place of the 【缴费链接】 token.
    """
    from dataclasses import replace

    adapters = adapters or outbox_adapters
    stats = DispatchStats()
    with Session(engine) as session:
        work = instalment_reminders(session, day)
    for req, _household in work:
        req = replace(req, links=link_for)
        with Session(engine) as session:
            result = send_contact(session, req, adapters=adapters(session), policy=policy, actor=actor)
            session.commit()
        count_result(stats, result.status)
    return stats
