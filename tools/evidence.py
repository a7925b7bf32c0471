"""Read one household's evidence, redacted, compact and citable (stable ids such as msg:m3)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from statistics import median

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.domain.channels import CHANNEL_NAMES
from core.domain.ledger import summarize
from core.domain.money import to_yuan
from core.domain.stages import stage_for
from core.scope import CallerScope
from data.db.models import (
    ChatMessage,
    Claim,
    ClaimRecord,
    Owner,
    OwnerPreference,
    Payment,
    Ticket,
    TicketEvent,
    Unit,
)
from data.db.workflow import ContactAttempt, Dispute, InstalmentPlan, OptOut, Promise
from data.repositories.households import bill_lines, business_date, find_unit, owner_units

SPEAKERS = {"owner": "业主", "steward": "管家", "service": "客服", "other": "其他"}
CHANNELS_ZH = CHANNEL_NAMES
REQUIRED_SOURCES = (
    "get_household_profile",
    "get_chat_messages",
    "get_tickets",
    "get_claims",
    "get_payment_history",
    "get_contact_history",
)


def _t(value) -> str | None:  # noqa: ANN001
    return value.strftime("%Y-%m-%d %H:%M") if value else None


@dataclass
class EvidenceReader:
    """Evidence of one household for one caller; every text passes the household's redactor."""

    session: Session
    household: str
    scope: CallerScope
    as_of: date | None = None
    unit: Unit = field(init=False)
    redactor: object = field(init=False)

    def __post_init__(self) -> None:
        project_code = self.household.partition("/")[0]
        self.scope.check(project_code)
        self.unit = find_unit(self.session, self.household)
        self.as_of = business_date(self.session, self.as_of)
        owner = self.session.get(Owner, self.unit.owner_id) if self.unit.owner_id else None
        from core.redaction import HouseholdRedactor

        names = [n for n in ((owner.name, owner.title) if owner else ()) if n]
        self.redactor = HouseholdRedactor(owner_names=names, owner_unit=self.unit.label)
        self.owner = owner

    def _r(self, text: str) -> str:
        return self.redactor.redact(text) if text else text

    def profile(self) -> dict:
        """Ledger summary and owner profile, without personal data."""
        summary = summarize(bill_lines(self.session, self.unit.id), self.as_of)
        stage = stage_for(summary.days_overdue)
        pref = self.session.get(OwnerPreference, self.owner.id) if self.owner else None
        tags = [t.tag for t in self.owner.tags] if self.owner else []
        units = len(owner_units(self.session, self.owner.id, self.scope)) if self.owner else 1
        return {
            "id": f"bill:{self.household}",
            "household": "【本户】",
            "project": self.unit.project.name,
            "city": self.unit.project.city,
            "area_m2": self.unit.area_m2,
            "monthly_fee": str(to_yuan(self.unit.monthly_fee_cents)),
            "arrears": str(to_yuan(summary.arrears_cents)),
            "days_overdue": summary.days_overdue,
            "stage": stage.name if stage else "无欠费",
            "unpaid_periods": summary.periods,
            "owner": "【业主】",
            "owner_tags": tags,
            "units_owned": units,
            "preferred_channel": CHANNELS_ZH.get(pref.preferred_channel or "", None) if pref else None,
            "notes": self._r(pref.notes or "") if pref else "",
            "as_of": self.as_of.isoformat(),
        }

    def chats(self, offset: int = 0, limit: int = 40) -> dict:
        """Chat lines oldest first, windowed; each with id msg:<ext_id>."""
        rows = (
            self.session.execute(
                select(ChatMessage)
                .where(ChatMessage.unit_id == self.unit.id)
                .order_by(ChatMessage.sent_at, ChatMessage.id)
            )
            .scalars()
            .all()
        )
        window = rows[offset : offset + limit]
        texts = self.redactor.redact_many([m.text for m in window])
        return {
            "total": len(rows),
            "offset": offset,
            "messages": [
                {
                    "id": f"msg:{m.ext_id}",
                    "time": _t(m.sent_at),
                    "speaker": SPEAKERS.get(m.speaker_role, "其他"),
                    "text": text,
                }
                for m, text in zip(window, texts, strict=True)
            ],
        }

    def tickets(self) -> list[dict]:
        """Service tickets with status history and satisfaction."""
        out = []
        for t in self.session.execute(
            select(Ticket).where(Ticket.unit_id == self.unit.id).order_by(Ticket.created_at)
        ).scalars():
            events = self.session.execute(
                select(TicketEvent).where(TicketEvent.ticket_id == t.id).order_by(TicketEvent.at)
            ).scalars()
            out.append(
                {
                    "id": f"ticket:{t.ext_id}",
                    "type": t.type,
                    "description": self._r(t.description),
                    "status": t.status,
                    "created": _t(t.created_at),
                    "closed": _t(t.closed_at),
                    "satisfaction": t.satisfaction,
                    "events": [{"time": _t(e.at), "status": e.status, "note": self._r(e.note)} for e in events],
                }
            )
        return out

    def claims(self) -> list[dict]:
        """Owner claims (诉求) with items and negotiation records."""
        out = []
        for c in self.session.execute(
            select(Claim).where(Claim.unit_id == self.unit.id).order_by(Claim.created_at)
        ).scalars():
            records = self.session.execute(
                select(ClaimRecord).where(ClaimRecord.claim_id == c.id).order_by(ClaimRecord.at)
            ).scalars()
            out.append(
                {
                    "id": f"claim:{c.ext_id}",
                    "type": c.type,
                    "items": [self._r(i) for i in c.items],
                    "records": [{"time": _t(r.at)[:10], "text": self._r(r.text)} for r in records],
                }
            )
        return out

    def payments(self) -> dict:
        """Payments with delay against the due date, and the owner's habits."""
        dues = {ln.period: ln.due_date for ln in bill_lines(self.session, self.unit.id)}
        records, delays = [], []
        for p in self.session.execute(
            select(Payment).where(Payment.unit_id == self.unit.id).order_by(Payment.paid_at)
        ).scalars():
            delay = (p.paid_at.date() - dues[p.period]).days if p.period in dues else None
            if delay is not None:
                delays.append(delay)
            records.append(
                {
                    "id": f"pay:{p.period or p.id}",
                    "period": p.period,
                    "amount": str(to_yuan(p.amount_cents)),
                    "paid_at": _t(p.paid_at),
                    "channel": p.channel,
                    "delay_days": delay,
                }
            )
        channels = Counter(r["channel"] for r in records)
        habits = {
            "payments": len(records),
            "billed_periods": len(dues),
            "on_time_rate": round(sum(d <= 0 for d in delays) / len(dues), 2) if dues else None,
            "median_delay_days": median(delays) if delays else None,
            "max_delay_days": max(delays) if delays else None,
            "usual_channel": channels.most_common(1)[0][0] if channels else None,
        }
        return {"habits": habits, "records": records[-12:]}

    def contact_history(self) -> list[dict]:
        """Past reminders and their outcomes."""
        rows = self.session.execute(
            select(ContactAttempt).where(ContactAttempt.unit_id == self.unit.id).order_by(ContactAttempt.at)
        ).scalars()
        return [
            {
                "id": f"contact:{a.id}",
                "time": _t(a.at),
                "channel": CHANNELS_ZH.get(a.channel, a.channel),
                "outcome": a.outcome,
                "template_id": a.template_id,
            }
            for a in rows
        ]

    def commitments(self) -> dict:
        """Promises to pay, instalment plans and disputes."""
        uid = self.unit.id
        return {
            "promises": [
                {
                    "id": f"promise:{p.id}",
                    "date": p.promised_date.isoformat(),
                    "amount": str(to_yuan(p.amount_cents)),
                    "status": p.status,
                }
                for p in self.session.execute(select(Promise).where(Promise.unit_id == uid)).scalars()
            ],
            "instalments": [
                {"id": f"instalment:{i.id}", "months": i.months, "status": i.status}
                for i in self.session.execute(select(InstalmentPlan).where(InstalmentPlan.unit_id == uid)).scalars()
            ],
            "disputes": [
                {"id": f"dispute:{d.id}", "opened": _t(d.opened_at), "status": d.status, "note": self._r(d.note)}
                for d in self.session.execute(select(Dispute).where(Dispute.unit_id == uid)).scalars()
            ],
        }

    def consent(self) -> dict:
        """Opt-out and blacklist state (the plan must respect it)."""
        from data.db.workflow import BlacklistEntry

        oid = self.owner.id if self.owner else -1
        outs = self.session.execute(select(OptOut.channel).where(OptOut.owner_id == oid)).scalars().all()
        black = self.session.execute(select(BlacklistEntry.id).where(BlacklistEntry.owner_id == oid)).first()
        return {
            "opted_out_all": any(c is None for c in outs),
            "opted_out_channels": sorted(CHANNELS_ZH.get(c, c) for c in outs if c),
            "blacklisted": black is not None,
        }

    def citable_ids(self) -> set[str]:
        """Every evidence id a diagnosis may cite."""
        ids = {m["id"] for m in self.chats(0, 10_000)["messages"]}
        ids |= {t["id"] for t in self.tickets()} | {c["id"] for c in self.claims()}
        ids |= {p["id"] for p in self.payments()["records"]} | {c["id"] for c in self.contact_history()}
        ids.add(f"bill:{self.household}")
        return ids
