"""Case work on one household in the caller's scope: reachability, touches, promises, instalments, opt-outs."""

from __future__ import annotations

import math
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.domain.channels import CHANNEL_NAMES
from core.domain.ledger import summarize
from core.domain.money import to_yuan
from core.scope import CallerScope
from data.db.models import Contact, Unit
from data.db.workflow import (
    BlacklistEntry,
    ContactAttempt,
    Dispute,
    InstalmentPlan,
    OptOut,
    Promise,
)
from data.repositories import audit
from data.repositories.households import bill_lines, business_date, find_unit, parse_key

CONTACT_KIND = {"sms": "mobile", "phone": "mobile", "wechat": "wechat", "email": "email"}


class CaseConflict(RuntimeError):
    """The write contradicts the owner's consent or the case state (Chinese message)."""


def scoped_unit(session: Session, scope: CallerScope, key: str) -> Unit:
    """The unit for ``key`` after the scope check (ScopeError / HouseholdNotFound / ValueError)."""
    project, _ = parse_key(key)
    scope.check(project)
    return find_unit(session, key)


def _consent(session: Session, owner_id: int | None) -> tuple[set[str | None], bool]:
    oid = owner_id or -1
    outs = set(session.execute(select(OptOut.channel).where(OptOut.owner_id == oid)).scalars())
    black = session.execute(select(BlacklistEntry.id).where(BlacklistEntry.owner_id == oid)).first() is not None
    return outs, black


def reachability(session: Session, unit: Unit, consent: dict | None = None) -> list[dict]:
    """A light per channel: green (reachable), yellow (possible with care), red (must not / cannot), with reasons.

    ``consent`` may pass the household view's consent block to save its queries.
    """
    if consent is None:
        outs, black = _consent(session, unit.owner_id)
    else:
        outs = set(consent["opted_out_channels"]) | ({None} if consent["opted_out_all"] else set())
        black = consent["blacklisted"]
    contacts = (
        session.execute(
            select(Contact).where(Contact.owner_id == (unit.owner_id or -1), Contact.is_emergency.is_(False))
        )
        .scalars()
        .all()
    )
    lights = []
    for channel in ("sms", "phone", "wechat", "email", "visit"):
        reasons = []
        if black:
            reasons.append("黑名单")
        if None in outs or channel in outs:
            reasons.append("已退订")
        kind = CONTACT_KIND.get(channel)
        own = [c for c in contacts if c.kind == kind] if kind else []
        if kind and not own:
            reasons.append({"wechat": "未绑定微信", "email": "无邮箱"}.get(kind, "无号码"))
        elif kind and not any(c.valid for c in own):
            reasons.append("号码无效" + (f"（{own[0].invalid_reason}）" if own[0].invalid_reason else ""))
        color = "red" if reasons else "green"
        if not reasons and channel == "phone" and not any(c.preferred for c in own):
            color, reasons = "yellow", ["非业主首选渠道"]
        lights.append({"channel": channel, "name": CHANNEL_NAMES[channel], "color": color, "reasons": reasons})
    return lights


def list_attempts(session: Session, unit: Unit) -> list[dict]:
    """Touch history, newest first."""
    rows = session.execute(
        select(ContactAttempt).where(ContactAttempt.unit_id == unit.id).order_by(ContactAttempt.at.desc())
    ).scalars()
    return [_attempt(a) for a in rows]


def _attempt(a: ContactAttempt) -> dict:
    return {
        "id": a.id,
        "at": a.at.isoformat(sep=" ", timespec="minutes"),
        "channel": a.channel,
        "outcome": a.outcome,
        "template_id": a.template_id,
        "text": a.text,
    }


def record_attempt(
    session: Session,
    unit: Unit,
    *,
    actor: str,
    channel: str,
    at: datetime,
    outcome: str,
    text: str = "",
    template_id: str | None = None,
) -> dict:
    """Log a contact that happened; refused for opted-out or blacklisted owners."""
    if unit.owner_id is None:
        raise CaseConflict("该住户没有业主信息，无法记录联系")
    outs, black = _consent(session, unit.owner_id)
    if black:
        raise CaseConflict("业主在黑名单中，不得联系")
    if None in outs or channel in outs:
        raise CaseConflict(f"业主已退订{CHANNEL_NAMES.get(channel, channel)}，不得通过该渠道联系")
    row = ContactAttempt(
        owner_id=unit.owner_id,
        unit_id=unit.id,
        channel=channel,
        at=at,
        outcome=outcome,
        text=text or None,
        template_id=template_id,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="contact.recorded",
        entity="contact_attempt",
        entity_id=str(row.id),
        detail={"unit_id": unit.id, "channel": channel, "outcome": outcome},
    )
    return _attempt(row)


def list_promises(session: Session, unit: Unit) -> list[dict]:
    """Promises to pay, newest first."""
    rows = session.execute(select(Promise).where(Promise.unit_id == unit.id).order_by(Promise.id.desc())).scalars()
    return [
        {
            "id": p.id,
            "promised_date": p.promised_date.isoformat(),
            "amount": str(to_yuan(p.amount_cents)),
            "status": p.status,
            "created_at": p.created_at.isoformat(sep=" ", timespec="minutes"),
        }
        for p in rows
    ]


def record_promise(
    session: Session, unit: Unit, *, actor: str, promised_date: date, amount_cents: int, at: datetime
) -> dict:
    """Record a promise to pay."""
    row = Promise(unit_id=unit.id, promised_date=promised_date, amount_cents=amount_cents, status="open", created_at=at)
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="promise.recorded",
        entity="promise",
        entity_id=str(row.id),
        detail={"unit_id": unit.id, "date": promised_date.isoformat(), "amount_cents": amount_cents},
    )
    return list_promises(session, unit)[0]


def list_instalments(session: Session, unit: Unit) -> list[dict]:
    """Instalment plans, newest first."""
    rows = session.execute(
        select(InstalmentPlan).where(InstalmentPlan.unit_id == unit.id).order_by(InstalmentPlan.id.desc())
    ).scalars()
    return [
        {
            "id": i.id,
            "months": i.months,
            "amount_per_month": str(to_yuan(i.amount_per_month_cents)),
            "start_date": i.start_date.isoformat(),
            "status": i.status,
        }
        for i in rows
    ]


def record_instalment(
    session: Session, unit: Unit, *, actor: str, months: int, start_date: date, at: datetime, status: str = "requested"
) -> dict:
    """Arrange instalments (1–12 months) over the current arrears."""
    if not 1 <= months <= 12:
        raise CaseConflict("分期期数须在 1–12 个月之间")
    arrears = summarize(bill_lines(session, unit.id), business_date(session)).arrears_cents
    if arrears <= 0:
        raise CaseConflict("该住户当前无欠费，无需分期")
    row = InstalmentPlan(
        unit_id=unit.id,
        months=months,
        amount_per_month_cents=math.ceil(arrears / months),
        start_date=start_date,
        status=status,
        created_at=at,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="instalment.recorded",
        entity="instalment_plan",
        entity_id=str(row.id),
        detail={"unit_id": unit.id, "months": months, "status": status},
    )
    return list_instalments(session, unit)[0]


def list_disputes(session: Session, unit: Unit) -> list[dict]:
    """Disputes, newest first."""
    rows = session.execute(select(Dispute).where(Dispute.unit_id == unit.id).order_by(Dispute.id.desc())).scalars()
    return [
        {
            "id": d.id,
            "opened_at": d.opened_at.isoformat(sep=" ", timespec="minutes"),
            "status": d.status,
            "note": d.note,
        }
        for d in rows
    ]


def record_dispute(session: Session, unit: Unit, *, actor: str, note: str, at: datetime) -> dict:
    """Open a dispute (forced collection pauses while it is open)."""
    row = Dispute(unit_id=unit.id, opened_at=at, status="open", note=note)
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="dispute.opened",
        entity="dispute",
        entity_id=str(row.id),
        detail={"unit_id": unit.id},
    )
    return list_disputes(session, unit)[0]


def list_opt_outs(session: Session, unit: Unit) -> list[dict]:
    """The owner's opt-outs (channel None = every channel)."""
    rows = session.execute(
        select(OptOut).where(OptOut.owner_id == (unit.owner_id or -1)).order_by(OptOut.id.desc())
    ).scalars()
    return [
        {"id": o.id, "channel": o.channel, "at": o.at.isoformat(sep=" ", timespec="minutes"), "reason": o.reason}
        for o in rows
    ]


def record_opt_out(session: Session, unit: Unit, *, actor: str, channel: str | None, reason: str, at: datetime) -> dict:
    """Record an opt-out; it takes effect immediately for every plan and contact."""
    if unit.owner_id is None:
        raise CaseConflict("该住户没有业主信息")
    row = OptOut(owner_id=unit.owner_id, channel=channel, at=at, reason=reason)
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="opt_out.recorded",
        entity="opt_out",
        entity_id=str(row.id),
        detail={"unit_id": unit.id, "channel": channel or "all"},
    )
    return list_opt_outs(session, unit)[0]
