"""Dispatch the approved plan steps that are due on a day, through the contact policy and the channels."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.channels.base import CHANNELS, ChannelAdapter
from app.channels.outbox import OutboxAdapter
from app.services.collections.sending import SendRequest, send_contact
from core.domain.collections.policy import PolicyConfig
from data.db.models import Unit
from data.db.workflow import DunningPlan, PlanStep

AdapterFactory = Callable[[Session], Sequence[ChannelAdapter]]


def outbox_adapters(session: Session) -> list[ChannelAdapter]:
    """The default: every channel goes to the outbox with simulated receipts."""
    return [OutboxAdapter(session)]


@dataclass
class DispatchStats:
    """Outcome counts of one dispatch pass."""

    sent: int = 0
    blocked: int = 0
    failed: int = 0
    duplicate: int = 0


def due_steps(session: Session, day: date) -> list[tuple[PlanStep, DunningPlan, int]]:
    """(step, plan, owner id) of approved plans whose step falls on ``day`` and goes out through a channel."""
    rows = session.execute(
        select(PlanStep, DunningPlan, Unit.owner_id).join(DunningPlan, DunningPlan.id == PlanStep.plan_id)
        .join(Unit, Unit.id == DunningPlan.unit_id)
        .where(DunningPlan.status == "approved", PlanStep.day == day, PlanStep.channel.in_(CHANNELS))
        .order_by(PlanStep.id)).all()
    return [(step, plan, owner_id) for step, plan, owner_id in rows if owner_id is not None]


def dispatch_due_steps(engine: Engine, day: date, *, adapters: AdapterFactory | None = None,
                       policy: PolicyConfig, progress: Callable[[str, int, int | None], None] | None = None,
                       actor: str = "batch") -> DispatchStats:
    """Send every due step once (key plan-step:<id>); each step commits on its own."""
    adapters = adapters or outbox_adapters
    stats = DispatchStats()
    with Session(engine) as session:
        work = [(s.id, p.unit_id, owner, p.stage, s.channel, s.fallback_channel, s.message, s.template_id,
                 s.window_start) for s, p, owner in due_steps(session, day)]
    if progress and work:
        progress("dispatch", 0, len(work))
    for step_id, unit_id, owner_id, stage, channel, fallback, text, template, start in work:
        channels = tuple(dict.fromkeys(c for c in (channel, fallback) if c in CHANNELS))
        req = SendRequest(key=f"plan-step:{step_id}", owner_id=owner_id, unit_id=unit_id, channels=channels,
                          text=text, at=datetime.combine(day, time.fromisoformat(start)), stage=stage,
                          template_id=template, plan_step_id=step_id)
        with Session(engine) as session:
            result = send_contact(session, req, adapters=adapters(session), policy=policy, actor=actor)
            session.commit()
        field = {"sent": "sent", "unsubscribed": "sent", "blocked": "blocked", "duplicate": "duplicate"}
        name = field.get(result.status, "failed")
        setattr(stats, name, getattr(stats, name) + 1)
        if progress:
            progress("dispatch", 1, None)
    return stats
