"""Events drive the case: every payment, promise, dispute, instalment and plan approval changes what goes out."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.services.collections import case_events
from app.services.collections.case_events import EventRefused, review_promises
from core.domain.collections.cases import CaseFacts, next_state, send_hold
from data.db.collections import CaseEvent, CaseTransition
from data.db.models import Receivable, Unit
from data.db.session import init_db, make_session_factory
from data.db.workflow import AuditEvent, BlacklistEntry, DunningPlan, PlanStep
from data.repositories.audit import verify_chain
from tests.collections.loop_helpers import (
    LINK,
    LINKS,
    MANAGER,
    STEWARD,
    approve_plan,
    dispatch,
    outbox,
    reachable_household,
    sent_link_unit,
    yuan,
)

D1, D2, D3, D4 = date(2024, 9, 3), date(2024, 9, 5), date(2024, 9, 10), date(2024, 9, 12)
AT = datetime(2024, 9, 2, 15, 0)


@pytest.fixture
def db(small_url):
    engine = init_db(small_url)
    with make_session_factory(engine)() as s:
        yield engine, s


def state(session, unit) -> str:
    session.expire_all()
    return session.get(Unit, unit.id).case_state


def kinds(session, unit) -> list[tuple[str, str, str]]:
    rows = session.execute(select(CaseEvent).where(CaseEvent.unit_id == unit.id).order_by(CaseEvent.id)).scalars()
    return [(e.kind, e.from_state, e.to_state) for e in rows]


def test_when_half_is_paid_then_the_next_step_quotes_the_new_amount_and_paying_the_rest_settles_and_stops(db):
    engine, s = db
    key, unit, arrears = reachable_household(s)
    approve_plan(s, unit, arrears, [D1, D2])
    half = arrears // 2
    case_events.record(s, STEWARD, key, "payment", at=AT, amount_cents=half)
    s.commit()
    assert state(s, unit) == "支付"
    stats = dispatch(engine, D1)
    assert stats.sent == 1 and stats.held == 0
    [msg] = outbox(s, unit)
    assert f"{yuan(arrears - half)}元" in msg.text and f"{yuan(arrears)}元" not in msg.text
    assert sent_link_unit(s, msg.text) == unit.id and "pay.steward.local" not in msg.text and LINK not in msg.text
    # the oldest period took the money first
    lines = s.execute(select(Receivable).where(Receivable.unit_id == unit.id).order_by(Receivable.due_date)).scalars()
    owed = [r.amount_cents - r.paid_cents - r.written_off_cents for r in lines if r.due_date < D1]
    assert sum(owed) == arrears - half and owed[-1] > 0
    case_events.record(s, STEWARD, key, "payment", at=datetime(2024, 9, 4, 9), amount_cents=arrears - half)
    s.commit()
    assert state(s, unit) == "已结清"
    stats = dispatch(engine, D2)
    assert (stats.sent, stats.held) == (0, 1)
    assert len(outbox(s, unit)) == 1
    held = s.execute(select(AuditEvent).where(AuditEvent.action == "contact.held")).scalars().all()
    assert held[-1].detail["rule"] == "settled"
    assert [k for k, _, _ in kinds(s, unit)] == ["plan_approved", "payment", "contact", "payment"]
    assert kinds(s, unit)[-1][1:] == ("支付", "已结清")
    assert verify_chain(s) == []


def test_when_the_owner_disputes_then_nothing_is_sent_until_the_dispute_is_resolved(db):
    engine, s = db
    key, unit, arrears = reachable_household(s)
    approve_plan(s, unit, arrears, [D1, D2])
    state_before = state(s, unit)
    case_events.record(s, STEWARD, key, "dispute_opened", at=AT, note="六月份水电公摊算错了")
    s.commit()
    assert state(s, unit) == "异议中"
    assert dispatch(engine, D1).held == 1 and outbox(s, unit) == []
    with pytest.raises(ValueError, match="处理结果"):
        case_events.record(s, STEWARD, key, "dispute_resolved", at=AT)
    case_events.record(s, STEWARD, key, "dispute_resolved", at=datetime(2024, 9, 4, 9), reason="已核对，账单无误并解释")
    s.commit()
    assert state(s, unit) == "已触达"
    assert dispatch(engine, D2).sent == 1 and len(outbox(s, unit)) == 1
    assert [(k, b) for k, _, b in kinds(s, unit)] == [
        ("plan_approved", state_before),
        ("dispute_opened", "异议中"),
        ("dispute_resolved", "已触达"),
        ("contact", "已触达"),
    ]


def test_when_a_dispute_is_rejected_then_collection_resumes_with_the_reason_kept(db):
    engine, s = db
    key, unit, arrears = reachable_household(s)
    approve_plan(s, unit, arrears, [D2])
    case_events.record(s, STEWARD, key, "dispute_opened", at=AT, note="不认可")
    out = case_events.record(s, STEWARD, key, "dispute_rejected", at=AT, reason="收费标准经业主大会通过")
    s.commit()
    assert (out["from_state"], out["to_state"]) == ("异议中", "已触达")
    assert dispatch(engine, D2).sent == 1


def test_when_a_promise_is_open_then_nothing_is_sent_and_when_it_breaks_the_case_is_back_with_a_followup(db):
    engine, s = db
    key, unit, arrears = reachable_household(s)
    plan = approve_plan(s, unit, arrears, [D1, D4])
    case_events.record(s, STEWARD, key, "promise_made", at=AT, promised_date=D2)
    s.commit()
    assert state(s, unit) == "承诺"
    assert dispatch(engine, D1).held == 1 and outbox(s, unit) == []
    # the day after the promised date, nothing was paid: the promise is broken
    assert review_promises(s, D3, at=datetime(2024, 9, 10, 1)) == {
        "kept": 0,
        "broken": 1,
        "instalments_lapsed": 0,
        "reopened": 0,
    }
    s.commit()
    assert state(s, unit) == "已触达"
    broken = s.execute(
        select(CaseEvent).where(CaseEvent.unit_id == unit.id, CaseEvent.kind == "promise_broken")
    ).scalar_one()
    assert "到期未缴" in broken.reason and broken.detail["followup"]["to"] == "2024-09-11"
    step = s.execute(select(PlanStep).where(PlanStep.plan_id == plan.id, PlanStep.seq == 2)).scalar_one()
    assert step.day == date(2024, 9, 11)
    assert dispatch(engine, date(2024, 9, 11)).sent == 1 and len(outbox(s, unit)) == 1


def test_when_a_promise_is_paid_by_its_date_then_it_is_kept_and_the_case_settles(db):
    _, s = db
    key, unit, arrears = reachable_household(s)
    case_events.record(s, STEWARD, key, "promise_made", at=AT, promised_date=D2)
    case_events.record(s, STEWARD, key, "payment", at=datetime(2024, 9, 4, 20), amount_cents=arrears)
    s.commit()
    assert state(s, unit) == "已结清"
    assert review_promises(s, D3)["kept"] == 1


def test_when_a_newer_plan_is_approved_then_the_older_is_retired_and_only_the_newest_sends(db):
    engine, s = db
    key, unit, arrears = reachable_household(s)
    old = approve_plan(s, unit, arrears, [D1])
    new = approve_plan(s, unit, arrears, [D1])
    s.expire_all()
    assert s.get(DunningPlan, old.id).status == "superseded"
    # the database itself refuses a second approved plan for the household (one live plan)
    s.get(DunningPlan, old.id).status = "approved"
    with pytest.raises(IntegrityError):
        s.commit()
    s.rollback()
    stats = dispatch(engine, D1)
    assert stats.sent == 1
    [msg] = outbox(s, unit)
    assert msg.idempotency_key.startswith(f"plan-step:{new.steps[0].id}#")
    events = [k for k, _, _ in kinds(s, unit)]
    assert events[:3] == ["plan_approved", "plan_approved", "plan_superseded"]


def test_when_an_instalment_is_approved_and_kept_then_no_reminder_goes_and_a_missed_one_resumes(db):
    engine, s = db
    key, unit, arrears = reachable_household(s)
    approve_plan(s, unit, arrears, [D2, date(2024, 10, 8)])
    case_events.record(s, STEWARD, key, "instalment_requested", at=AT, months=3)
    out = case_events.record(
        s, STEWARD, key, "instalment_approved", at=AT, months=3, start_date=date(2024, 9, 4), reason="业主收入暂时减少"
    )
    s.commit()
    assert out["to_state"] == "分期中" and len(out["detail"]["schedule"]) == 3
    first = out["detail"]["schedule"][0]["amount_cents"]
    case_events.record(s, STEWARD, key, "payment", at=datetime(2024, 9, 4, 10), amount_cents=first)
    s.commit()
    assert state(s, unit) == "分期中"
    assert dispatch(engine, D2).held == 1
    # the second instalment (10-04) is not paid: on 10-08 the schedule has lapsed
    assert review_promises(s, date(2024, 10, 8))["instalments_lapsed"] == 1
    s.commit()
    assert state(s, unit) == "已触达"
    assert dispatch(engine, date(2024, 10, 8)).sent == 1


def test_when_an_instalment_is_declined_then_the_reason_is_recorded_and_reminders_continue(db):
    engine, s = db
    key, unit, arrears = reachable_household(s)
    approve_plan(s, unit, arrears, [D2])
    case_events.record(s, STEWARD, key, "instalment_requested", at=AT, months=6)
    out = case_events.record(s, STEWARD, key, "instalment_declined", at=AT, reason="欠费仅两期，可一次缴清")
    s.commit()
    assert out["reason"] == "欠费仅两期，可一次缴清"
    assert dispatch(engine, D2).sent == 1


def test_when_a_steward_blacklists_then_it_is_refused_and_a_manager_may_add_and_remove(db):
    engine, s = db
    key, unit, arrears = reachable_household(s)
    approve_plan(s, unit, arrears, [D1, D2])
    with pytest.raises(EventRefused):
        case_events.record(s, STEWARD, key, "blacklist_added", at=AT, reason="辱骂员工")
    case_events.record(s, MANAGER, key, "blacklist_added", at=AT, reason="辱骂员工")
    s.commit()
    assert s.execute(select(BlacklistEntry).where(BlacklistEntry.owner_id == unit.owner_id)).first()
    stats = dispatch(engine, D1)
    assert (stats.sent, stats.blocked) == (0, 1)
    case_events.record(s, MANAGER, key, "blacklist_removed", at=AT, reason="已道歉并沟通")
    s.commit()
    assert dispatch(engine, D2).sent == 1


def test_when_a_contact_is_logged_with_an_outcome_then_the_case_is_reached_and_opt_out_stops_sms(db):
    engine, s = db
    key, unit, arrears = reachable_household(s)
    approve_plan(s, unit, arrears, [D1])
    s.get(Unit, unit.id).case_state = "未触达"  # a case nobody has reached yet
    out = case_events.record(
        s, STEWARD, key, "contact", at=AT, channel="phone", outcome="answered", note="业主表示月底缴费"
    )
    case_events.record(s, STEWARD, key, "opt_out", at=AT, channel=None, reason="业主要求不再发短信")
    s.commit()
    assert (out["from_state"], out["to_state"]) == ("未触达", "已触达")
    stats = dispatch(engine, D1)
    assert stats.sent == 0 and stats.blocked == 1
    assert [k for k, _, _ in kinds(s, unit)][-2:] == ["contact", "opt_out"]


def test_when_a_payment_is_replayed_with_the_same_reference_then_nothing_is_settled_twice(db):
    _, s = db
    key, unit, arrears = reachable_household(s)
    case_events.record(s, STEWARD, key, "payment", at=AT, amount_cents=1000, ref="BANK-1")
    case_events.record(s, STEWARD, key, "payment", at=AT, amount_cents=1000, ref="BANK-1")
    s.commit()
    paid = [k for k, _, _ in kinds(s, unit)].count("payment")
    assert paid == 1
    transitions = s.execute(select(CaseTransition).where(CaseTransition.unit_id == unit.id)).scalars().all()
    assert [t.to_state for t in transitions] == ["支付"]


FACTS = CaseFacts(state="已触达", arrears_cents=100)
PAID = CaseFacts(state="已触达", arrears_cents=0)


@pytest.mark.parametrize(
    ("current", "kind", "facts", "outcome", "expected"),
    [
        ("已触达", "payment", FACTS, "", "支付"),
        ("承诺", "payment", PAID, "", "已结清"),
        ("分期中", "payment", FACTS, "", "分期中"),
        ("异议中", "payment", FACTS, "", "异议中"),
        ("已触达", "promise_made", FACTS, "", "承诺"),
        ("承诺", "promise_kept", PAID, "", "已结清"),
        ("承诺", "promise_broken", FACTS, "", "已触达"),
        ("支付", "dispute_opened", FACTS, "", "异议中"),
        ("异议中", "dispute_resolved", PAID, "", "已结清"),
        ("异议中", "dispute_rejected", FACTS, "", "已触达"),
        ("已触达", "instalment_requested", FACTS, "", "已触达"),
        ("已触达", "instalment_approved", FACTS, "", "分期中"),
        ("已触达", "instalment_declined", FACTS, "", "已触达"),
        ("分期中", "instalment_lapsed", FACTS, "", "已触达"),
        ("已触达", "opt_out", FACTS, "", "已触达"),
        ("已触达", "blacklist_added", FACTS, "", "已触达"),
        ("未触达", "contact", FACTS, "answered", "已触达"),
        ("未触达", "contact", FACTS, "no_answer", "未触达"),
        ("已触达", "plan_approved", FACTS, "", "已触达"),
        ("已结清", "reopened", FACTS, "", "未触达"),
    ],
)
def test_when_an_event_happens_then_the_case_moves_as_the_rules_say(current, kind, facts, outcome, expected):
    assert next_state(current, kind, facts, outcome=outcome) == expected


def test_when_send_hold_is_asked_then_each_reason_is_named_and_a_due_promise_no_longer_holds():
    day = date(2024, 9, 5)
    assert send_hold(PAID, day).rule == "settled"
    assert send_hold(CaseFacts(state="异议中", arrears_cents=1), day).rule == "dispute"
    assert send_hold(CaseFacts(state="承诺", arrears_cents=1, open_promise_date=day), day).rule == "promise"
    assert send_hold(CaseFacts(state="承诺", arrears_cents=1, open_promise_date=date(2024, 9, 4)), day) is None
    on_track = CaseFacts(state="分期中", arrears_cents=1, instalment_active=True, instalment_on_track=True)
    assert send_hold(on_track, day).rule == "instalment"
    assert send_hold(CaseFacts(state="分期中", arrears_cents=1, instalment_active=True), day) is None


def test_when_a_payments_file_is_imported_with_settle_then_it_settles_like_any_payment_and_only_once(db, tmp_path):
    from data.importers import import_file

    engine, s = db
    key, unit, arrears = reachable_household(s)
    approve_plan(s, unit, arrears, [D1])
    project, code = key.split("/")
    half = arrears // 2
    csv = tmp_path / "bank.csv"
    csv.write_text(
        "项目编码,房号,实收金额,缴费时间,支付方式,流水号\n"
        f"{project},{code},{half / 100:.2f},2024-09-02 11:00:00,银行转账,BANK-20240902-1\n",
        encoding="utf-8",
    )
    for _ in range(2):
        result = import_file(s, csv, kind="payments", settle=True)
        s.commit()
    assert result.unchanged == 1
    assert [k for k, _, _ in kinds(s, unit)].count("payment") == 1
    assert state(s, unit) == "支付"
    owed = sum(
        r.amount_cents - r.paid_cents - r.written_off_cents
        for r in s.execute(select(Receivable).where(Receivable.unit_id == unit.id, Receivable.due_date < D1)).scalars()
    )
    assert owed == arrears - half
    assert dispatch(engine, D1).sent == 1
    assert f"{yuan(arrears - half)}元" in outbox(s, unit)[0].text


def test_when_an_instalment_falls_due_then_its_own_reminder_goes_out_unless_it_is_already_paid(db):
    from app.channels import OutboxAdapter, ReceiptSimulator
    from app.services.collections.dispatch import dispatch_instalment_reminders
    from core.domain.collections.policy import PolicyConfig
    from tests.collections.loop_helpers import ALWAYS

    engine, s = db
    key, unit, arrears = reachable_household(s)
    out = case_events.record(s, STEWARD, key, "instalment_approved", at=AT, months=3, start_date=D1)
    s.commit()
    first, second = (p["amount_cents"] for p in out["detail"]["schedule"][:2])

    def remind(day):
        return dispatch_instalment_reminders(
            engine,
            day,
            policy=PolicyConfig(),
            link_for=LINKS,
            adapters=lambda x: [OutboxAdapter(x, ReceiptSimulator(rates=ALWAYS))],
        )

    assert remind(D1).sent == 1
    [msg] = outbox(s, unit)
    assert f"第 1/3 期 {yuan(first)}元" in msg.text and sent_link_unit(s, msg.text) == unit.id
    assert "pay.steward.local" not in msg.text and LINK not in msg.text
    assert remind(D1).duplicate == 1
    # the owner pays the first and the second instalment early: no reminder on the second due date
    case_events.record(s, STEWARD, key, "payment", at=datetime(2024, 9, 20, 10), amount_cents=first + second)
    s.commit()
    assert remind(date(2024, 10, 3)).sent == 0 and len(outbox(s, unit)) == 1
    assert remind(date(2024, 11, 3)).sent == 1
    assert "第 3/3 期" in outbox(s, unit)[-1].text


def test_when_paid_in_two_parts_on_either_database_then_the_amount_follows_and_the_case_settles(small_db_url):
    engine = init_db(small_db_url)
    with make_session_factory(engine)() as s:
        key, unit, arrears = reachable_household(s)
        approve_plan(s, unit, arrears, [D1, D2])
        approve_plan(s, unit, arrears, [D1, D2])  # the newest plan is the live one
        case_events.record(s, STEWARD, key, "payment", at=AT, amount_cents=arrears // 2)
        s.commit()
        stats = dispatch(engine, D1)
        assert (stats.sent, stats.held) == (1, 0)
        assert f"{yuan(arrears - arrears // 2)}元" in outbox(s, unit)[0].text
        case_events.record(s, STEWARD, key, "payment", at=AT, amount_cents=arrears - arrears // 2)
        s.commit()
        assert state(s, unit) == "已结清" and dispatch(engine, D2).held == 1
        assert verify_chain(s) == []


def test_when_a_step_is_sent_now_then_the_night_run_does_not_send_it_again_and_a_held_case_is_refused(db):
    from app.channels import OutboxAdapter, ReceiptSimulator
    from app.services.collections.dispatch import send_step_now
    from core.domain.collections.policy import PolicyConfig
    from core.scope import CallerScope, ScopeError
    from tests.collections.loop_helpers import ALWAYS

    engine, s = db
    key, unit, arrears = reachable_household(s)
    plan = approve_plan(s, unit, arrears, [D1, D2])
    first, second = (st.id for st in plan.steps)
    adapters = [OutboxAdapter(s, ReceiptSimulator(rates=ALWAYS))]
    now = datetime(2024, 9, 2, 16, 0)
    result = send_step_now(
        s,
        CallerScope("li"),
        key,
        first,
        actor="li",
        at=now,
        policy=PolicyConfig(),
        adapters=adapters,
        link_for=LINKS,
    )
    s.commit()
    assert result.status == "sent" and len(outbox(s, unit)) == 1
    assert sent_link_unit(s, outbox(s, unit)[0].text) == unit.id and LINK not in outbox(s, unit)[0].text
    assert dispatch(engine, D1).duplicate == 1 and len(outbox(s, unit)) == 1
    late = send_step_now(
        s,
        CallerScope("li"),
        key,
        second,
        actor="li",
        at=datetime(2024, 9, 2, 21, 0),
        policy=PolicyConfig(),
        adapters=adapters,
    )
    assert late.status == "blocked" and late.rule == "quiet_hours"
    case_events.record(s, STEWARD, key, "dispute_opened", at=now, note="不认可")
    held = send_step_now(
        s, CallerScope("li"), key, second, actor="li", at=now, policy=PolicyConfig(), adapters=adapters
    )
    assert (held.status, held.rule) == ("held", "dispute")
    with pytest.raises(ScopeError):
        send_step_now(
            s,
            CallerScope("li", frozenset({"NO-SUCH-PROJECT"})),
            key,
            second,
            actor="li",
            at=now,
            policy=PolicyConfig(),
            adapters=adapters,
        )
    with pytest.raises(LookupError, match="步骤"):
        send_step_now(s, CallerScope("li"), key, 10**9, actor="li", at=now, policy=PolicyConfig(), adapters=adapters)


def test_when_a_settled_household_gets_a_new_overdue_bill_then_the_nightly_review_reopens_the_case(db):
    _, s = db
    key, unit, arrears = reachable_household(s)
    case_events.record(s, STEWARD, key, "payment", at=AT, amount_cents=arrears)
    s.commit()
    assert state(s, unit) == "已结清"
    assert review_promises(s, D1)["reopened"] == 0
    s.add(
        Receivable(
            unit_id=unit.id,
            period="2024-09",
            fee_type="物业费",
            amount_cents=12345,
            due_date=date(2024, 9, 5),
            paid_cents=0,
            written_off_cents=0,
        )
    )
    s.commit()
    assert review_promises(s, D1)["reopened"] == 0  # not overdue yet
    assert review_promises(s, D3)["reopened"] == 1
    s.commit()
    assert state(s, unit) == "未触达"
    assert kinds(s, unit)[-1] == ("reopened", "已结清", "未触达")


def test_when_steps_go_out_then_each_carries_a_live_stored_link_and_revoking_it_stops_the_link(db):
    from app.services import bill_links
    from app.services.tokens import TokenError

    engine, s = db
    key, unit, arrears = reachable_household(s)
    approve_plan(s, unit, arrears, [D1, D2, D3])
    assert dispatch(engine, D1).sent == 1 and dispatch(engine, D2).sent == 1
    second = outbox(s, unit)[-1].text
    assert sent_link_unit(s, second) == unit.id and LINK not in second
    bill_links.revoke(s, s.get(Unit, unit.id), actor="li", at=AT)
    s.commit()
    with pytest.raises(TokenError):
        sent_link_unit(s, second)
    assert dispatch(engine, D3).sent == 1
    assert sent_link_unit(s, outbox(s, unit)[-1].text) == unit.id
    assert verify_chain(s) == []


def test_when_an_instalment_is_paid_after_its_reminder_was_queued_then_the_reminder_is_held(db):
    from dataclasses import replace

    from app.channels import OutboxAdapter, ReceiptSimulator
    from app.services.collections.dispatch import instalment_reminders
    from app.services.collections.sending import send_contact
    from core.domain.collections.policy import PolicyConfig
    from tests.collections.loop_helpers import ALWAYS

    _, s = db
    key, unit, _arrears = reachable_household(s)
    out = case_events.record(s, STEWARD, key, "instalment_approved", at=AT, months=3, start_date=D1)
    s.commit()
    [req] = [r for r, household in instalment_reminders(s, D1) if household == key]
    assert LINK in req.text and "http" not in req.text  # queued with the token, not a link
    case_events.record(
        s,
        STEWARD,
        key,
        "payment",
        at=datetime(2024, 9, 3, 8),
        amount_cents=out["detail"]["schedule"][0]["amount_cents"],
    )
    s.commit()
    adapters = [OutboxAdapter(s, ReceiptSimulator(rates=ALWAYS))]
    result = send_contact(s, replace(req, links=LINKS), adapters=adapters, policy=PolicyConfig())
    assert (result.status, result.rule) == ("held", "instalment_paid")
    assert outbox(s, unit) == []
