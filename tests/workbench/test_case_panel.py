"""The steward's case actions on the household page, through the same service as the API and the CLI."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from data.db.collections import CaseEvent
from data.db.models import Payment, Unit
from data.db.session import make_engine, make_session_factory
from data.db.workflow import BlacklistEntry, DunningPlan, PlanStep
from data.repositories import plans
from data.repositories.households import find_unit

PILOT = "BJ-PILOT/4-1203"


def _session(url):
    return make_session_factory(make_engine(url))()


def _button(at, label: str):
    return next(b for b in at.button if b.label == label)


def _approved_step(url, message: str = "您好，物业费 1680.00元 待缴。回T退订") -> int:
    """An approved one-step SMS plan for the pilot, due 2024-09-03; returns the step id."""
    with _session(url) as s:
        unit = find_unit(s, PILOT)
        plan = DunningPlan(
            unit_id=unit.id,
            version=1,
            status="awaiting_approval",
            stage="预警",
            strategy="standard",
            created_at=datetime(2024, 9, 2, 9),
            arrears_cents=168000,
        )
        plan.steps.append(
            PlanStep(
                seq=1,
                day=date(2024, 9, 3),
                window_start="10:00",
                window_end="12:00",
                channel="sms",
                action="短信提醒",
                message=message,
            )
        )
        s.add(plan)
        s.flush()
        plans.decide(s, plan_id=plan.id, decision="accept", username="demo", at=datetime(2024, 9, 2, 9))
        s.commit()
        return plan.steps[0].id


def test_when_a_steward_records_a_payment_then_the_case_moves_and_the_ledger_settles(page, wb_url):
    at = page("household")
    assert any("案件状态：** 已触达" in m.value for m in at.markdown)
    at.text_input(key=f"pay_amount_{PILOT}").input("560")
    at.text_input(key=f"pay_ref_{PILOT}").input("POS-77")
    _button(at, "登记缴费").click().run()
    assert [m.value for m in at.success] == ["已登记缴费，案件状态：已触达 → 支付"]
    with _session(wb_url) as s:
        unit = find_unit(s, PILOT)
        assert s.execute(select(Payment).where(Payment.source_ref == "POS-77")).scalar_one().amount_cents == 56000
        assert s.get(Unit, unit.id).case_state == "支付"
        event = s.execute(select(CaseEvent).where(CaseEvent.unit_id == unit.id)).scalars().all()[-1]
        assert (event.kind, event.actor) == ("payment", "demo")


def test_when_a_step_is_sent_now_during_a_dispute_then_the_refusal_reason_is_shown(page, wb_url):
    step_id = _approved_step(wb_url)
    at = page("household")
    at.text_area(key=f"c_note_{PILOT}")  # the panel is there
    at.selectbox(key=f"c_outcome_{PILOT}").set_value("answered")
    at.text_area(key=f"c_note_{PILOT}").input("业主说六月账单有误")
    _button(at, "保存联系记录").click().run()
    assert at.success[0].value.startswith("已登记联系记录")
    from app.services.collections import case_events
    from core.scope import CallerScope

    with _session(wb_url) as s:
        case_events.record(
            s,
            case_events.Actor("demo", "steward", CallerScope("demo")),
            PILOT,
            "dispute_opened",
            at=datetime(2024, 9, 2, 10),
            note="六月账单有误",
        )
        s.commit()
    at = page("household")
    assert at.selectbox(key=f"send_step_{PILOT}").value == step_id
    at.button(key=f"send_now_{PILOT}").click().run()
    assert [m.value for m in at.error] == ["未发送：业主异议处理中，解决前不发送催缴提醒"]
    at.radio(key=f"d_kind_{PILOT}").set_value("dispute_rejected")
    at.text_area(key=f"d_reason_{PILOT}").input("六月账单已核对无误")
    _button(at, "提交处理结果").click().run()
    assert at.success[0].value == "已登记异议不成立，案件状态：异议中 → 已触达"


def test_when_a_steward_opens_the_blacklist_tab_then_only_a_manager_may_change_it(page, wb_url):
    at = page("household")
    assert any(c.value == "黑名单由经理调整" for c in at.caption)
    at = page("household", user="manager")
    at.text_input(key=f"b_reason_{PILOT}").input("多次辱骂管家")
    _button(at, "提交").click().run()
    assert at.success[0].value == "已登记加入黑名单，案件状态：已触达"
    with _session(wb_url) as s:
        unit = find_unit(s, PILOT)
        assert s.execute(select(BlacklistEntry).where(BlacklistEntry.owner_id == unit.owner_id)).first()


def test_when_a_manager_approves_a_reduction_then_the_oldest_period_is_written_off(page, wb_url):
    at = page("household", user="manager")
    at.text_input(key=f"r_amount_{PILOT}").input("560")
    at.text_area(key=f"r_reason_{PILOT}").input("困难家庭减免一个月")
    _button(at, "提交减免决定").click().run()
    assert at.success[0].value == "已登记减免已批准，案件状态：已触达"
    assert any("**待缴：** 1120.00 元" in m.value for m in at.markdown)
