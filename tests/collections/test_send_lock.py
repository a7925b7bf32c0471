"""The case lock: the check before a send and the send are one claim, and case events queue up behind it.

Each test widens the window between the case check and the delivery (a pause inside the check) or holds an
event's transaction open, and runs on SQLite and on PostgreSQL. Without the lock in send_contact the first
test sees two dispatchers inside the check at once, the second sees the payment land in the middle of a
send, and the third sends to a household that has just paid.
"""

from __future__ import annotations

import threading
import time
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from app.services.collections import case_events, sending
from data.db.collections import CaseEvent
from data.db.session import init_db, make_session_factory
from data.db.workflow import AuditEvent, ContactAttempt
from tests.collections.loop_helpers import STEWARD, approve_plan, dispatch, outbox, reachable_household

D1 = date(2024, 9, 3)
AT = datetime(2024, 9, 2, 15, 0)
WINDOW = 0.8  # seconds the check-to-send window is held open


@pytest.fixture
def loop(small_db_url):
    """(engine, session factory, household key, unit, arrears, the approved plan's one step id)."""
    engine = init_db(small_db_url)
    factory = make_session_factory(engine)
    with factory() as s:
        key, unit, arrears = reachable_household(s)
        plan = approve_plan(s, unit, arrears, [D1])
        step_id = plan.steps[0].id
    yield engine, factory, key, unit, arrears, step_id
    engine.dispose()


def _run(target) -> tuple[threading.Thread, dict]:  # noqa: ANN001
    box: dict = {}

    def body() -> None:
        try:
            box["result"] = target()
        except BaseException as exc:  # reported by the test
            box["error"] = exc
        box["done_at"] = time.monotonic()

    thread = threading.Thread(target=body, daemon=True)
    thread.start()
    return thread, box


def _contact_attempts(factory, step_id: int) -> int:  # noqa: ANN001
    with factory() as s:
        return s.execute(
            select(func.count()).select_from(ContactAttempt).where(ContactAttempt.plan_step_id == step_id)
        ).scalar_one()


def _events(factory, unit_id: int) -> list[CaseEvent]:  # noqa: ANN001
    with factory() as s:
        return list(s.execute(select(CaseEvent).where(CaseEvent.unit_id == unit_id).order_by(CaseEvent.id)).scalars())


def test_when_two_dispatchers_send_the_same_due_step_then_one_sends_and_the_other_finds_it_sent(loop, monkeypatch):
    engine, factory, _key, unit, _arrears, step_id = loop
    real, guard, inside, peak, checks = sending.check_step, threading.Lock(), [], [0], []

    def slow_check(*args, **kwargs):  # noqa: ANN002, ANN003
        with guard:
            inside.append(1)
            checks.append(1)
            peak[0] = max(peak[0], len(inside))
        try:
            out = real(*args, **kwargs)
            time.sleep(WINDOW)  # between the check and the send
            return out
        finally:
            with guard:
                inside.pop()

    monkeypatch.setattr(sending, "check_step", slow_check)
    start = threading.Barrier(2)

    def one_dispatcher():  # noqa: ANN202
        start.wait(10)
        return dispatch(engine, D1)

    runs = [_run(one_dispatcher) for _ in range(2)]
    for thread, _ in runs:
        thread.join(60)
    boxes = [box for _, box in runs]
    assert all("error" not in b for b in boxes), [b.get("error") for b in boxes]
    assert peak[0] == 1, "two senders were between the case check and the send at the same time"
    assert sorted((b["result"].sent, b["result"].duplicate) for b in boxes) == [(0, 1), (1, 0)]
    assert len(checks) == 1  # the second sender found the step sent before checking the case
    assert _contact_attempts(factory, step_id) == 1
    with factory() as s:
        assert len(outbox(s, unit)) == 1


def test_when_a_payment_arrives_while_a_step_is_being_sent_then_it_waits_and_lands_after_the_send(loop, monkeypatch):
    engine, factory, key, unit, arrears, step_id = loop
    real, in_window, release = sending.check_step, threading.Event(), threading.Event()

    def paused_check(*args, **kwargs):  # noqa: ANN002, ANN003
        out = real(*args, **kwargs)
        in_window.set()
        release.wait(30)
        return out

    monkeypatch.setattr(sending, "check_step", paused_check)
    sender, sent = _run(lambda: dispatch(engine, D1))
    assert in_window.wait(30), "the send never reached its check"

    def pay():  # noqa: ANN202
        with factory() as s:
            out = case_events.record(s, STEWARD, key, "payment", at=AT, amount_cents=arrears)
            s.commit()
            return out

    payer, paid = _run(pay)
    time.sleep(WINDOW)
    landed_during_send = "done_at" in paid
    release.set()
    sender.join(60)
    payer.join(60)
    assert "error" not in sent and "error" not in paid, (sent.get("error"), paid.get("error"))
    assert not landed_during_send, "the payment was recorded between the send's case check and its delivery"
    assert sent["result"].sent == 1 and paid["done_at"] > sent["done_at"]
    kinds = [(e.kind, e.from_state, e.to_state) for e in _events(factory, unit.id)]
    assert [k for k, _, _ in kinds] == ["plan_approved", "contact", "payment"]
    assert kinds[-1][1:] == ("已触达", "已结清")  # the send came first; the payment then settled the case
    assert _contact_attempts(factory, step_id) == 1


def test_when_a_payment_holds_the_case_then_the_send_waits_and_is_refused_after_it_settles(loop):
    engine, factory, key, unit, arrears, step_id = loop
    with factory() as payer:
        case_events.record(payer, STEWARD, key, "payment", at=AT, amount_cents=arrears)  # not committed yet
        sender, sent = _run(lambda: dispatch(engine, D1))
        time.sleep(WINDOW)
        finished_while_paying = "done_at" in sent
        payer.commit()
    sender.join(60)
    assert "error" not in sent, sent.get("error")
    assert not finished_while_paying, "the send did not wait for the payment's transaction"
    stats = sent["result"]
    assert (stats.sent, stats.held) == (0, 1)
    assert _contact_attempts(factory, step_id) == 0
    with factory() as s:
        assert outbox(s, unit) == []
        held = s.execute(select(AuditEvent).where(AuditEvent.action == "contact.held")).scalars().all()
        assert held[-1].detail["rule"] == "settled"
    assert [e.kind for e in _events(factory, unit.id)] == ["plan_approved", "payment"]
