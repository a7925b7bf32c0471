"""Send one contact through the contact policy, the channel adapters and their fallback, exactly once per key."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.channels.base import CHANNEL_NAMES, ChannelAdapter, ChannelError, ChannelMessage, Receipt
from app.services.collections.gate import GateResult, check_instalment, check_step
from core.domain.collections.pay_link import fill_pay_link, has_pay_link
from core.domain.collections.policy import (
    OwnerContactState,
    PolicyConfig,
    PolicyDecision,
    check_send,
    parse_window,
)
from core.domain.collections.segments import SPECIAL_TAGS
from data.db.models import Contact, OwnerPreference, OwnerTag, Unit
from data.db.workflow import BlacklistEntry, ContactAttempt, OptOut
from data.repositories import audit
from data.repositories.cases import lock_case, record_event

CONTACT_KIND = {"sms": "mobile", "phone": "mobile", "wechat": "wechat", "email": "email"}
# Outcomes that reached (or tried to reach) the owner and so count against the caps.
COUNTED = ("delivered", "no_answer", "answered", "unsubscribed", "pending")
FINAL = frozenset({"delivered", "answered", "unsubscribed"})
CHANNEL_RULES = frozenset({"opt_out", "no_contact"})  # blocks one channel only: try the next


@dataclass(frozen=True)
class SendRequest:
    """One contact to make, with its channel preference order."""

    key: str
    """Idempotency key of the contact (e.g. plan-step:42); each channel try gets key#channel."""
    owner_id: int
    unit_id: int | None
    channels: tuple[str, ...]
    text: str
    at: datetime
    stage: str = "预警"
    template_id: str | None = None
    plan_step_id: int | None = None
    links: Any = None
    """Mints the owner's bill link (app.services.bill_links.SendLinks) when the message goes out; it replaces the
    text's 【缴费链接】 token. Minted only for a message that is really sent, and it rotates the owner's older links
    out only once delivered."""
    instalment_id: int | None = None
    """The agreed schedule a reminder belongs to (checked again under the case lock, like a plan step)."""


@dataclass
class SendResult:
    """What happened: sent, duplicate, held (the case says wait), blocked (policy), unsubscribed or failed."""

    status: str
    channel: str | None = None
    outcome: str | None = None
    rule: str | None = None
    reason: str = ""
    tries: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        """JSON-ready dict."""
        return {
            "status": self.status,
            "channel": self.channel,
            "outcome": self.outcome,
            "rule": self.rule,
            "reason": self.reason,
            "tries": self.tries,
        }


def owner_state(session: Session, owner_id: int, unit_id: int | None, at: datetime) -> OwnerContactState:
    """Consent, window, prior contacts and project load of an owner at ``at``."""
    outs = session.execute(select(OptOut.channel).where(OptOut.owner_id == owner_id)).scalars().all()
    pref = session.get(OwnerPreference, owner_id)
    since = at - timedelta(days=7)
    prior = (
        session.execute(
            select(ContactAttempt.at).where(
                ContactAttempt.owner_id == owner_id,
                ContactAttempt.at >= since,
                ContactAttempt.at <= at,
                ContactAttempt.outcome.in_(COUNTED),
            )
        )
        .scalars()
        .all()
    )
    tags = set(session.execute(select(OwnerTag.tag).where(OwnerTag.owner_id == owner_id)).scalars())
    project_sent = 0
    if unit_id is not None:
        project_id = session.execute(select(Unit.project_id).where(Unit.id == unit_id)).scalar()
        day0 = datetime.combine(at.date(), datetime.min.time())
        project_sent = session.execute(
            select(func.count())
            .select_from(ContactAttempt)
            .join(Unit, Unit.id == ContactAttempt.unit_id)
            .where(
                Unit.project_id == project_id,
                ContactAttempt.at >= day0,
                ContactAttempt.at < day0 + timedelta(days=1),
                ContactAttempt.outcome.in_(COUNTED),
            )
        ).scalar_one()
    return OwnerContactState(
        owner_id=owner_id,
        opted_out_all=any(c is None for c in outs),
        opted_out_channels=frozenset(c for c in outs if c),
        blacklisted=session.execute(select(BlacklistEntry.id).where(BlacklistEntry.owner_id == owner_id)).first()
        is not None,
        window=parse_window(pref.window_start, pref.window_end) if pref else None,
        prior_contacts=tuple(prior),
        special=bool(SPECIAL_TAGS & tags),
        project_sent_today=project_sent,
    )


def _recipient(session: Session, owner_id: int, channel: str) -> str | None:
    kind = CONTACT_KIND.get(channel)
    if kind is None:
        return ""
    return session.execute(
        select(Contact.value)
        .where(Contact.owner_id == owner_id, Contact.kind == kind, Contact.valid.is_(True))
        .order_by(Contact.preferred.desc())
        .limit(1)
    ).scalar()


def _adapter(adapters: Sequence[ChannelAdapter], channel: str) -> ChannelAdapter | None:
    return next((a for a in adapters if a.supports(channel)), None)


def _deliver(adapter: ChannelAdapter, message: ChannelMessage) -> Receipt:
    try:
        return adapter.send(message)
    except ChannelError as exc:
        return Receipt("failed", detail={"error": str(exc)})


def _after_receipt(
    session: Session, req: SendRequest, channel: str, receipt: Receipt, actor: str, attempt: ContactAttempt
) -> None:
    if receipt.status == "unsubscribed":
        session.add(OptOut(owner_id=req.owner_id, channel=channel, at=req.at, reason="渠道回执：业主退订"))
        audit.record(
            session,
            actor=actor,
            action="consent.opt_out",
            entity="owner",
            entity_id=str(req.owner_id),
            detail={"channel": channel, "source": "receipt"},
            at=req.at,
        )
        if req.unit_id is not None:
            record_event(
                session,
                req.unit_id,
                "opt_out",
                actor=actor,
                at=req.at,
                ref=f"opt-out:{attempt.id}",
                reason="渠道回执：业主退订",
                detail={"channel": channel, "contact_attempt_id": attempt.id},
            )
    if req.unit_id is not None and receipt.status != "unsubscribed":
        record_event(
            session,
            req.unit_id,
            "contact",
            actor=actor,
            at=req.at,
            ref=f"contact:{attempt.id}",
            outcome=receipt.status,
            reason=f"{CHANNEL_NAMES[channel]}：{receipt.status}",
            detail={
                "channel": channel,
                "outcome": receipt.status,
                "contact_attempt_id": attempt.id,
                "plan_step_id": req.plan_step_id,
            },
        )


def _reserve(session: Session, req: SendRequest, channel: str, key: str) -> ContactAttempt | None:
    attempt = ContactAttempt(
        owner_id=req.owner_id,
        unit_id=req.unit_id,
        channel=channel,
        at=req.at,
        template_id=req.template_id,
        text=req.text,
        outcome="pending",
        idempotency_key=key,
        plan_step_id=req.plan_step_id,
    )
    try:
        with session.begin_nested():
            session.add(attempt)
            session.flush()
    except IntegrityError:
        return None  # another worker holds this key
    return attempt


def send_contact(
    session: Session,
    req: SendRequest,
    *,
    adapters: Sequence[ChannelAdapter],
    policy: PolicyConfig | None = None,
    actor: str = "system",
) -> SendResult:
    """Send ``req`` through the first channel that the policy allows and that delivers (caller commits).

    ``policy`` None (the usual case) reads the settings in force for the household's project
    (``app.services.policy_settings.effective_policy``) at this send.

    Every channel try is a ContactAttempt keyed ``req.key#channel`` (unique), so a retry after a crash
    resumes where it stopped and never sends twice through the same channel; a finished contact
    returns ``duplicate``. A bill link is minted just before the first delivery (``req.links``) and put in place
    of the 【缴费链接】 token (``with_pay_link``): a delivered message rotates the owner's older links out; an
    undelivered one revokes its own link again. A message that asks for the link when none can be minted is not
    sent.

    The household's case lock is taken first and held until the caller commits: the duplicate check, the case
    check, the delivery and its record are one claim. A second sender of the same step waits and then finds
    it sent; a payment or dispute recorded meanwhile waits too and lands after this send, and a send that
    waited for such an event checks the case after it (and is held).
    """
    if policy is None:
        policy = policy_for_unit(session, req.unit_id)
    minted: list[Any] = []
    result = _send(session, req, adapters=adapters, policy=policy, actor=actor, minted=minted)
    for link in minted:
        delivered = result.status in ("sent", "unsubscribed")
        req.links.settle(session, req.unit_id, link, delivered=delivered, actor=actor, at=req.at)
    return result


def policy_for_unit(session: Session, unit_id: int | None) -> PolicyConfig:
    """The contact policy in force for the unit's project (the group's when the unit is unknown)."""
    from app.services.policy_settings import effective_policy
    from data.db.models import Project, Unit

    project = None
    if unit_id is not None:
        project = session.execute(
            select(Project.code).join(Unit, Unit.project_id == Project.id).where(Unit.id == unit_id)
        ).scalar_one_or_none()
    return effective_policy(session, project)


def with_pay_link(session: Session, req: SendRequest, actor: str, minted: list[Any]) -> SendRequest | None:
    """The one place a message gets its pay link: the 【缴费链接】 token becomes a freshly minted bill link.

    Every sender goes through it (plan steps of the batch, a steward's send-now, instalment reminders), just
    before the first delivery, once per send. Returns the request unchanged when it asks for no link, and None
    when it asks for one that cannot be minted (no minter, or no household).
    """
    if minted or not has_pay_link(req.text):
        return req
    if req.links is None or req.unit_id is None:
        return None
    link = req.links.mint(session, req.unit_id, actor=actor, at=req.at)
    minted.append(link)
    return replace(req, text=fill_pay_link(req.text, link.url))


def _send(
    session: Session,
    req: SendRequest,
    *,
    adapters: Sequence[ChannelAdapter],
    policy: PolicyConfig,
    actor: str,
    minted: list[Any],
) -> SendResult:
    keys = {ch: f"{req.key}#{ch}" for ch in req.channels}
    done = _claim(session, req, keys)
    final = next((a for a in done.values() if a.outcome in FINAL), None)
    if final is not None:
        return SendResult("duplicate", final.channel, final.outcome, reason="该触达已发送过，不重复发送")
    gate = _case_check(session, req)
    if gate is not None:
        if not gate.allowed:
            audit.record(
                session,
                actor=actor,
                action="contact.held",
                entity="owner",
                entity_id=str(req.owner_id),
                detail={"key": req.key, "rule": gate.rule, "reason": gate.reason, "unit_id": req.unit_id},
                at=req.at,
            )
            return SendResult("held", rule=gate.rule, reason=gate.reason)
        req = replace(req, text=gate.text)
    state = owner_state(session, req.owner_id, req.unit_id, req.at)
    result = SendResult("failed", reason="所有渠道均未送达")
    for channel in req.channels:
        previous = done.get(channel)
        if previous is not None and previous.outcome != "pending":
            result.tries.append({"channel": channel, "outcome": previous.outcome, "earlier": True})
            continue
        recipient = _recipient(session, req.owner_id, channel)
        # A pending attempt passed the policy before the crash; it is finished, not checked again.
        decision = (
            PolicyDecision(True) if previous is not None else check_send(channel, req.at, req.stage, state, policy)
        )
        if decision.allowed and recipient is None:
            decision = PolicyDecision(False, "no_contact", f"业主没有有效的{CHANNEL_NAMES[channel]}联系方式")
        if not decision.allowed:
            result.tries.append({"channel": channel, "blocked": decision.rule, "reason": decision.reason})
            result = SendResult("blocked", rule=decision.rule, reason=decision.reason, tries=result.tries)
            if decision.rule in CHANNEL_RULES:
                continue
            break
        adapter = _adapter(adapters, channel)
        if adapter is None:
            result.tries.append({"channel": channel, "blocked": "no_adapter", "reason": "该渠道未配置发送通道"})
            continue
        linked = with_pay_link(session, req, actor, minted)
        if linked is None:
            result.tries.append({"channel": channel, "blocked": "no_pay_link", "reason": NO_LINK})
            result = SendResult("blocked", rule="no_pay_link", reason=NO_LINK, tries=result.tries)
            break
        req = linked
        attempt = previous or _reserve(session, req, channel, keys[channel])
        if attempt is None:
            return SendResult("duplicate", channel, reason="该触达正由其他任务发送", tries=result.tries)
        receipt = _deliver(
            adapter,
            ChannelMessage(
                keys[channel], channel, req.owner_id, req.unit_id, req.text, recipient or "", req.template_id
            ),
        )
        attempt.outcome, attempt.receipt = receipt.status, {"provider_ref": receipt.provider_ref, **receipt.detail}
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="contact.sent",
            entity="contact_attempt",
            entity_id=str(attempt.id),
            detail={
                "channel": channel,
                "outcome": receipt.status,
                "key": keys[channel],
                "owner_id": req.owner_id,
                "unit_id": req.unit_id,
            },
            at=req.at,
        )
        _after_receipt(session, req, channel, receipt, actor, attempt)
        result.tries.append({"channel": channel, "outcome": receipt.status})
        if receipt.status in FINAL:
            status = "unsubscribed" if receipt.status == "unsubscribed" else "sent"
            return SendResult(status, channel, receipt.status, tries=result.tries)
        if receipt.status == "no_answer":
            state = replace(state, prior_contacts=state.prior_contacts + (req.at,))
        result = SendResult("failed", reason="所有渠道均未送达", tries=result.tries)
    if result.status == "blocked":
        audit.record(
            session,
            actor=actor,
            action="contact.blocked",
            entity="owner",
            entity_id=str(req.owner_id),
            detail={"key": req.key, "rule": result.rule, "reason": result.reason},
            at=req.at,
        )
    return result


NO_LINK = "话术需附缴费链接，但发送方未配置链接签发，未发送"


def _claim(session: Session, req: SendRequest, keys: dict[str, str]) -> dict[str, ContactAttempt]:
    """Take the household's case lock, then read this contact's earlier tries (under the lock)."""
    if req.unit_id is not None:
        lock_case(session, req.unit_id)
    rows = session.execute(select(ContactAttempt).where(ContactAttempt.idempotency_key.in_(list(keys.values()))))
    return {a.channel: a for a in rows.scalars()}


def _case_check(session: Session, req: SendRequest) -> GateResult | None:
    """The case check of a plan step or an instalment reminder (None for other contacts)."""
    if req.plan_step_id is not None:
        return check_step(session, req.plan_step_id, req.at.date(), req.text)
    if req.instalment_id is not None:
        return check_instalment(session, req.instalment_id, req.at.date(), req.text)
    return None
