"""Sending: policy first, idempotent per key, fallback to the next channel, receipts, opt-out, audit."""

from __future__ import annotations

import json
from datetime import datetime

import httpx
import pytest
from sqlalchemy import func, select

from app.channels import OutboxAdapter, ReceiptSimulator, WebhookAdapter
from app.services.collections.sending import SendRequest, send_contact
from core.domain.collections.policy import PolicyConfig
from data.db.collections import OutboxMessage
from data.db.models import Contact, Unit
from data.db.session import init_db, make_session_factory
from data.db.workflow import AuditEvent, BlacklistEntry, ContactAttempt, OptOut

SEND_AT = datetime(2024, 9, 3, 10, 0)
ALWAYS = {
    "sms": (1.0, 0, 0, 0),
    "wechat": (1.0, 0, 0, 0),
    "email": (1.0, 0, 0, 0),
    "phone": (1.0, 0, 0, 0),
    "visit": (1.0, 0, 0, 0),
}


def rates(**override: tuple[float, float, float, float]) -> dict:
    return {**ALWAYS, **override}


@pytest.fixture
def session(small_url):
    factory = make_session_factory(init_db(small_url))
    with factory() as s:
        yield s


def an_owner(session) -> tuple[int, int]:
    """An owner with a valid mobile and a wechat id, no opt-out, no blacklist, no window, and one of their units."""
    wechat = select(Contact.owner_id).where(Contact.kind == "wechat")
    row = session.execute(
        select(Unit.owner_id, Unit.id)
        .join(Contact, Contact.owner_id == Unit.owner_id)
        .where(
            Contact.kind == "mobile",
            Contact.valid.is_(True),
            Unit.owner_id.in_(wechat),
            ~Unit.owner_id.in_(select(OptOut.owner_id)),
            ~Unit.owner_id.in_(select(BlacklistEntry.owner_id)),
        )
        .order_by(Unit.id)
        .limit(1)
    ).one()
    from data.db.models import OwnerPreference

    pref = session.get(OwnerPreference, row[0])
    if pref:
        pref.window_start = pref.window_end = None
    return row[0], row[1]


def request(owner_id: int, unit_id: int, key: str = "test:1", channels=("sms", "wechat")) -> SendRequest:
    return SendRequest(
        key=key,
        owner_id=owner_id,
        unit_id=unit_id,
        channels=channels,
        text="您好，本月物业费账单已出。回T退订",
        at=SEND_AT,
    )


def attempts(session, key_prefix: str) -> list[ContactAttempt]:
    return (
        session.execute(
            select(ContactAttempt)
            .where(ContactAttempt.idempotency_key.like(f"{key_prefix}%"))
            .order_by(ContactAttempt.id)
        )
        .scalars()
        .all()
    )


def test_when_same_key_is_sent_twice_then_the_owner_gets_one_message(session):
    owner_id, unit_id = an_owner(session)
    adapters = [OutboxAdapter(session, ReceiptSimulator(rates=ALWAYS))]
    first = send_contact(session, request(owner_id, unit_id), adapters=adapters, policy=PolicyConfig())
    second = send_contact(session, request(owner_id, unit_id), adapters=adapters, policy=PolicyConfig())
    assert (first.status, first.channel) == ("sent", "sms")
    assert second.status == "duplicate"
    assert len(attempts(session, "test:1")) == 1
    assert session.execute(select(func.count()).select_from(OutboxMessage)).scalar_one() == 1
    audit = session.execute(select(AuditEvent).where(AuditEvent.action == "contact.sent")).scalars().all()
    assert len(audit) == 1 and audit[0].detail["key"] == "test:1#sms"
    assert session.get(Unit, unit_id).case_state in ("已触达", "支付")


def test_when_first_channel_fails_then_next_channel_is_used_and_a_retry_sends_nothing_more(session):
    owner_id, unit_id = an_owner(session)
    adapters = [OutboxAdapter(session, ReceiptSimulator(rates=rates(sms=(0, 1.0, 0, 0))))]
    result = send_contact(session, request(owner_id, unit_id, "fb:1"), adapters=adapters, policy=PolicyConfig())
    assert (result.status, result.channel) == ("sent", "wechat")
    assert [t["outcome"] for t in result.tries] == ["failed", "delivered"]
    again = send_contact(session, request(owner_id, unit_id, "fb:1"), adapters=adapters, policy=PolicyConfig())
    assert again.status == "duplicate"
    assert [(a.channel, a.outcome) for a in attempts(session, "fb:1")] == [("sms", "failed"), ("wechat", "delivered")]


def test_when_crash_left_a_pending_attempt_then_retry_completes_it_without_a_second_outbox_row(session):
    owner_id, unit_id = an_owner(session)
    adapter = OutboxAdapter(session, ReceiptSimulator(rates=ALWAYS))
    send_contact(session, request(owner_id, unit_id, "crash:1"), adapters=[adapter], policy=PolicyConfig())
    row = attempts(session, "crash:1")[0]
    row.outcome = "pending"  # the process died after the adapter call, before the receipt was stored
    session.flush()
    result = send_contact(session, request(owner_id, unit_id, "crash:1"), adapters=[adapter], policy=PolicyConfig())
    assert result.status == "sent"
    assert len(attempts(session, "crash:1")) == 1
    assert session.execute(select(func.count()).select_from(OutboxMessage)).scalar_one() == 1


def test_when_receipt_is_unsubscribed_then_an_opt_out_is_created_and_the_next_send_is_blocked(session):
    owner_id, unit_id = an_owner(session)
    unsub = [OutboxAdapter(session, ReceiptSimulator(rates=rates(sms=(0, 0, 1.0, 0))))]
    result = send_contact(session, request(owner_id, unit_id, "u:1", ("sms",)), adapters=unsub, policy=PolicyConfig())
    assert result.status == "unsubscribed"
    assert session.execute(select(OptOut.channel).where(OptOut.owner_id == owner_id)).scalars().all() == ["sms"]
    later = SendRequest(
        key="u:2", owner_id=owner_id, unit_id=unit_id, channels=("sms",), text="x", at=datetime(2024, 9, 10, 10)
    )
    blocked = send_contact(session, later, adapters=unsub, policy=PolicyConfig())
    assert (blocked.status, blocked.rule) == ("blocked", "opt_out") and "退订" in blocked.reason


def test_when_send_is_at_night_then_it_is_blocked_with_reason_and_audited(session):
    owner_id, unit_id = an_owner(session)
    night = SendRequest(
        key="n:1",
        owner_id=owner_id,
        unit_id=unit_id,
        channels=("sms", "wechat"),
        text="x",
        at=datetime(2024, 9, 3, 21, 30),
    )
    result = send_contact(session, night, adapters=[OutboxAdapter(session)], policy=PolicyConfig())
    assert (result.status, result.rule) == ("blocked", "quiet_hours")
    assert attempts(session, "n:1") == []
    event = session.execute(select(AuditEvent).where(AuditEvent.action == "contact.blocked")).scalar_one()
    assert event.detail["rule"] == "quiet_hours"


def test_when_webhook_gateway_answers_then_its_receipt_is_used_and_the_key_is_sent(session):
    owner_id, unit_id = an_owner(session)
    seen: list[httpx.Request] = []

    def gateway(req: httpx.Request) -> httpx.Response:
        seen.append(req)
        if json.loads(req.content)["channel"] == "sms":
            return httpx.Response(503)
        return httpx.Response(200, json={"status": "delivered", "id": "gw-1"})

    hook = WebhookAdapter("http://gateway.test/send", client=httpx.Client(transport=httpx.MockTransport(gateway)))
    result = send_contact(session, request(owner_id, unit_id, "wh:1"), adapters=[hook], policy=PolicyConfig())
    assert (result.status, result.channel) == ("sent", "wechat")
    assert [r.headers["Idempotency-Key"] for r in seen] == ["wh:1#sms", "wh:1#wechat"]
    rows = attempts(session, "wh:1")
    assert [(a.channel, a.outcome) for a in rows] == [("sms", "failed"), ("wechat", "delivered")]
    assert rows[1].receipt["provider_ref"] == "gw-1"


def test_when_simulator_is_seeded_then_receipts_repeat():
    from app.channels import ChannelMessage

    msg = ChannelMessage("k:1", "phone", 1, 1, "x")
    assert ReceiptSimulator(3).receipt(msg) == ReceiptSimulator(3).receipt(msg)
