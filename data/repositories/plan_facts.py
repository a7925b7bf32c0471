"""Server-side facts a plan needs that never go to the model (contacts, raw PII for leak checks)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.domain.collections.pay_link import PAY_LINK_TOKEN
from core.domain.ledger import summarize
from data.db.models import Contact, Owner, OwnerPreference
from data.db.workflow import BlacklistEntry, ContactAttempt, OptOut
from data.repositories.households import bill_lines, business_date, find_unit

CONTACT_CHANNELS = {"mobile": ("sms", "phone"), "wechat": ("wechat",), "email": ("email",)}


@dataclass(frozen=True)
class PlanFacts:
    """Ledger, reachability and consent of one household, plus the values that must never leak."""

    unit_id: int
    owner_id: int | None
    as_of: date
    arrears_cents: int
    monthly_fee_cents: int
    days_overdue: int
    periods: tuple[str, ...]
    owner_title: str
    owner_tags: tuple[str, ...]
    unit_label: str
    project_name: str
    preferred_channel: str | None
    owner_window: tuple[str, str] | None
    available_channels: frozenset[str]
    opted_out_channels: frozenset[str]
    opted_out_all: bool
    blacklisted: bool
    prior_contacts: tuple[datetime, ...]
    sensitive_values: tuple[str, ...]
    pay_link: str
    """The 【缴费链接】 token: drafts never carry a URL; the sender puts the owner's bill link in its place."""


def load_plan_facts(session: Session, household: str, as_of: date | None = None) -> PlanFacts:
    """Collect the facts for ``household`` as of the business date."""
    unit = find_unit(session, household)
    today = business_date(session, as_of)
    summary = summarize(bill_lines(session, unit.id), today)
    owner = session.get(Owner, unit.owner_id) if unit.owner_id else None
    oid = owner.id if owner else -1
    contacts = session.execute(select(Contact).where(Contact.owner_id == oid)).scalars().all()
    available = {"visit", "letter"}
    for c in contacts:
        if c.valid and not c.is_emergency:
            available.update(CONTACT_CHANNELS.get(c.kind, ()))
    pref = session.get(OwnerPreference, oid)
    outs = session.execute(select(OptOut.channel).where(OptOut.owner_id == oid)).scalars().all()
    black = session.execute(select(BlacklistEntry.id).where(BlacklistEntry.owner_id == oid)).first() is not None
    prior = tuple(
        session.execute(
            select(ContactAttempt.at).where(ContactAttempt.owner_id == oid).order_by(ContactAttempt.at)
        ).scalars()
    )
    sensitive = [c.value for c in contacts if c.kind in ("mobile", "landline", "email")]
    if owner:
        # A name that is only a title (张先生) is how messages address the owner, not a leak.
        sensitive += [v for v in (owner.name, owner.id_number) if v and v != owner.title]
    return PlanFacts(
        unit_id=unit.id,
        owner_id=owner.id if owner else None,
        as_of=today,
        arrears_cents=summary.arrears_cents,
        monthly_fee_cents=unit.monthly_fee_cents,
        days_overdue=summary.days_overdue,
        periods=tuple(summary.periods),
        owner_title=owner.title if owner and owner.title else "业主",
        owner_tags=tuple(t.tag for t in owner.tags) if owner else (),
        unit_label=unit.label or unit.code,
        project_name=unit.project.name,
        preferred_channel=pref.preferred_channel if pref else None,
        owner_window=(pref.window_start, pref.window_end) if pref and pref.window_start and pref.window_end else None,
        available_channels=frozenset(available),
        opted_out_channels=frozenset(c for c in outs if c),
        opted_out_all=any(c is None for c in outs),
        blacklisted=black,
        prior_contacts=prior,
        sensitive_values=tuple(sensitive),
        pay_link=PAY_LINK_TOKEN,
    )
