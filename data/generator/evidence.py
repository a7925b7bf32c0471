"""Write a scenario's chats, tickets and claims as rows; compute the evidence fingerprint."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from data.generator.portfolio import Ids, Rows, fingerprint
from data.generator.scenarios import Scenario, to_datetime

SPEAKER_ROLE = {"owner": "owner", "steward": "steward", "service": "service"}


def write_evidence(
    ids: Ids,
    rows: Rows,
    unit_id: int,
    scenario: Scenario,
    day0: date,
    owner_title: str,
    steward_title: str,
    ticket_prefix: str = "WD",
) -> str:
    """Add evidence rows for ``scenario`` anchored at ``day0``; return the fingerprint."""
    parts: list[str] = []
    names = {"owner": owner_title, "steward": steward_title, "service": "客服"}
    for n, line in enumerate(sorted(scenario.chats, key=lambda c: (c.day, c.minute_of_day)), 1):
        ext = f"m{n}"
        rows.add(
            "chat_messages",
            {
                "id": ids.take("chat_messages"),
                "unit_id": unit_id,
                "ext_id": ext,
                "speaker_role": SPEAKER_ROLE[line.speaker],
                "speaker_name": names[line.speaker],
                "sent_at": to_datetime(day0, line.day, line.minute_of_day),
                "text": line.text,
            },
        )
        parts.append(ext + line.text)
    for n, ticket in enumerate(scenario.tickets, 1):
        created = to_datetime(day0, ticket.day, ticket.minute_of_day)
        ext = ticket.ref if ticket.ref.startswith(ticket_prefix + "-") else f"{ticket_prefix}-{created:%Y%m%d}-{n:03d}"
        tid = ids.take("tickets")
        status = ticket.events[-1].status if ticket.events else "已受理"
        closed = None
        for event in ticket.events:
            at = created + timedelta(minutes=event.minute_offset)
            rows.add(
                "ticket_events",
                {
                    "id": ids.take("ticket_events"),
                    "ticket_id": tid,
                    "at": at,
                    "status": event.status,
                    "note": event.note,
                },
            )
            if event.status in ("已完成", "已关闭"):
                closed = at
        rows.add(
            "tickets",
            {
                "id": tid,
                "unit_id": unit_id,
                "ext_id": ext,
                "type": ticket.type,
                "description": ticket.description,
                "status": status,
                "created_at": created,
                "closed_at": closed,
                "satisfaction": ticket.satisfaction,
            },
        )
        parts.append(ext + ticket.description)
    for n, claim in enumerate(scenario.claims, 1):
        cid = ids.take("claims")
        ext = claim.ref if claim.ref.startswith("C") else f"C{n}"
        rows.add(
            "claims",
            {
                "id": cid,
                "unit_id": unit_id,
                "ext_id": ext,
                "type": claim.type,
                "items": list(claim.items),
                "created_at": to_datetime(day0, claim.day, 600),
            },
        )
        for rec in claim.records:
            rows.add(
                "claim_records",
                {
                    "id": ids.take("claim_records"),
                    "claim_id": cid,
                    "at": to_datetime(day0, rec.day, 600),
                    "text": rec.text,
                },
            )
        parts.append(ext + "|".join(claim.items))
    return fingerprint(parts)


def past_attempts(ids: Ids, rows: Rows, owner_id: int, unit_id: int, day0: date, as_of: date, rng_value: float) -> None:
    """Reminders already sent by the billing system (T+3 SMS, T+7 call) before the sample date."""
    plan = (
        (3, "sms", "tpl.legacy.sms", "delivered"),
        (7, "phone", None, "no_answer" if rng_value < 0.5 else "answered"),
    )
    for offset, channel, template, outcome in plan:
        at = datetime(day0.year, day0.month, day0.day, 10, 30) + timedelta(days=offset)
        if at.date() >= as_of:
            break
        rows.add(
            "contact_attempts",
            {
                "id": ids.take("contact_attempts"),
                "owner_id": owner_id,
                "unit_id": unit_id,
                "channel": channel,
                "at": at,
                "template_id": template,
                "text": None,
                "outcome": outcome,
                "receipt": {"source": "billing-system"},
                "idempotency_key": f"legacy-{unit_id}-{offset}",
                "plan_step_id": None,
            },
        )
