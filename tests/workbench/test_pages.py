"""Every workbench page rendered with Streamlit's AppTest on a generated portfolio."""

from __future__ import annotations

from sqlalchemy import select

from data.db.session import make_engine, make_session_factory
from data.db.workflow import AuditEvent, DunningPlan

PILOT_MOBILE = "13912345678"


def _text(at) -> str:  # noqa: ANN001
    parts = [m.value for m in at.markdown] + [str(m.value) for m in at.metric] + [e.value for e in at.error]
    parts += [c.value for c in at.caption] + [str(w.value) for w in at.warning] + [s.value for s in at.success]
    return "\n".join(str(p) for p in parts).replace("\\", "")


def _audit_actions(url: str) -> list[str]:
    with make_session_factory(make_engine(url))() as s:
        return s.execute(select(AuditEvent.action)).scalars().all()


def test_when_password_is_right_then_login_keeps_the_user(page, wb_url):
    at = page("login", user=None)
    at.text_input(key="login_username").input("demo")
    at.text_input(key="login_password").input("steward-demo")
    at.button[0].click().run()
    assert at.session_state["user"] == "demo"
    assert "user.login" in _audit_actions(wb_url)


def test_when_password_is_wrong_then_login_shows_an_error(page):
    at = page("login", user=None)
    at.text_input(key="login_username").input("demo")
    at.text_input(key="login_password").input("wrong")
    at.button[0].click().run()
    assert at.error[0].value == "用户名或密码错误" and "user" not in at.session_state


def test_when_queue_is_filtered_by_warning_then_only_red_rows_show(page):
    at = page("queue")
    assert not at.exception
    at.selectbox(key="q_warning").select("红色预警").run()
    table = at.dataframe[0].value
    assert len(table) > 0 and all(w.startswith("🔴") for w in table["预警"])
    assert set(table["户号"].str.split("/").str[0]) <= {"BJ-PILOT", "SH-PD"}


def test_when_household_opens_then_facts_lights_and_masked_contacts_show(page):
    at = page("household")
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["欠费金额"] == "¥1680.00" and metrics["账龄"] == "64 天" and metrics["建议"] == "高级"
    text = _text(at)
    assert "139****5678" in text and PILOT_MOBILE not in text
    assert ":red[●] **邮件**" in text and "无邮箱" in text


def test_when_plan_is_generated_and_approved_then_the_plan_is_stored_approved(page, wb_url):
    at = page("household")
    at.button(key="gen_BJ-PILOT/4-1203").click().run()
    assert not at.exception, at.exception
    result = at.session_state["plan:BJ-PILOT/4-1203"]
    assert result["status"] == "awaiting_approval"
    text = _text(at)
    assert "诊断：" in text and "(#ev-msg-" in text and "合规校验通过" in text
    assert [s.label for s in at.status][0] == "方案已生成，等待审批"
    # Candidates and the diagnosis were written into the progress box before the plan was done.
    progress = "\n".join(m.value for m in at.status[0].markdown)
    assert "检索到的可能原因：" in progress
    assert f"**诊断：{result['diagnosis']['primary_cause']['name']}**" in progress
    at.button(key=f"approve_{result['plan_id']}").click().run()
    assert at.session_state["plan:BJ-PILOT/4-1203"]["status"] == "approved"
    with make_session_factory(make_engine(wb_url))() as s:
        assert s.get(DunningPlan, result["plan_id"]).status == "approved"


def test_when_steward_reveals_contacts_then_it_is_audited(page, wb_url):
    at = page("household")
    at.text_input(key="reveal_reason_BJ-PILOT/4-1203").input("上门前核对").run()
    at.button(key="reveal_BJ-PILOT/4-1203").click().run()
    assert PILOT_MOBILE in _text(at)
    assert "pii.reveal" in _audit_actions(wb_url)
    assert PILOT_MOBILE not in _text(page("household"))


def test_when_other_project_household_is_opened_then_it_is_refused(page):
    at = page("household", user="sh")
    assert "未找到住户 BJ-PILOT/4-1203 或无权访问" in [e.value for e in at.error]


def test_when_manager_opens_dashboard_then_charts_and_comparison_render(page):
    at = page("dashboard", user="manager")
    assert not at.exception
    assert len(at.get("arrow_vega_lite_chart")) + len(at.get("vega_lite_chart")) >= 3
    assert len(at.dataframe[0].value) == 8


def test_when_steward_opens_dashboard_then_it_is_refused(page):
    assert page("dashboard", user="demo").error[0].value == "当前角色无权查看此页面"


def test_when_compliance_reviews_then_templates_hints_and_audit_show(page):
    at = page("compliance", user="compliance")
    assert not at.exception
    from app.services.template_review import review_templates

    reviews = review_templates()
    flagged = sum(not r["passed"] for r in reviews)
    assert any(f"话术模板审查（{len(reviews)} 个，{flagged} 个有提示）" in h.value for h in at.subheader)
    icons = [e.label[:2] for e in at.expander if e.label[:2] in ("✅ ", "⚠️")]
    assert len(icons) == len(reviews) and sum(i == "⚠️" for i in icons) == flagged
    at.text_area(key="chk_text").input("再不交就停水停电").run()
    at.button(key="chk_go").click().run()
    assert any("停水" in w.value for w in at.warning)
    assert at.dataframe[-1].value is not None


def test_when_steward_chats_then_the_assistant_calls_a_tool_and_answers(page):
    at = page("household")
    at.chat_input[0].set_value("她为什么不交物业费？").run()
    assert not at.exception, at.exception
    history = at.session_state["chat::demo::BJ-PILOT/4-1203"]
    assert history[0] == ("user", "她为什么不交物业费？")
    assert history[-1][0] == "assistant" and history[-1][1]
    assert any("调用工具" in c.value and "get_chat_messages" in c.value.replace("\\", "") for c in at.caption)


def test_finding8_workbench_login_is_throttled_and_failures_are_audited(page, wb_url):
    at = page("login", user=None)
    for _ in range(5):
        at.text_input(key="login_username").input("demo")
        at.text_input(key="login_password").input("wrong")
        at.button[0].click().run()
        assert at.error[0].value == "用户名或密码错误"
    at.text_input(key="login_username").input("demo")
    at.text_input(key="login_password").input("steward-demo")
    at.button[0].click().run()
    assert "登录失败次数过多" in at.error[0].value and "user" not in at.session_state
    assert _audit_actions(wb_url).count("user.login_failed") == 5


def test_when_the_night_drafted_the_pilot_then_its_page_shows_the_plan_at_once_and_says_when_evidence_changed(
    page, wb_url
):
    from app.services.collections.batch import Drafting, run_batch
    from app.services.collections.diagnosis import graph_diagnoser
    from core.settings import Settings
    from data.db.models import Unit
    from data.repositories.households import business_date, find_unit

    settings = Settings()  # the page's own STEWARD_* settings
    engine = make_engine(wb_url)
    with make_session_factory(engine)() as s:
        day = business_date(s, settings.as_of)
    with graph_diagnoser(settings, day) as diagnoser:
        summary = run_batch(
            engine,
            var_dir=settings.var_dir,
            as_of=day,
            diagnoser=diagnoser,
            drafting=Drafting(top=0, include=("BJ-PILOT/4-1203",)),
        )
    assert summary.diagnosed == 1
    at = page("household")
    assert not at.exception, at.exception
    assert "plan:BJ-PILOT/4-1203" not in at.session_state  # nothing was generated on opening
    assert any("夜间批处理预生成" in i.value for i in at.info)
    assert not at.warning or all("证据在方案生成后有变化" not in w.value for w in at.warning)
    text = _text(at)
    assert "诊断：" in text and "合规校验通过" in text
    with make_session_factory(engine)() as s:
        plan = s.execute(select(DunningPlan).where(DunningPlan.status == "awaiting_approval")).scalars().one()
        plan_id = plan.id
        unit = s.get(Unit, find_unit(s, "BJ-PILOT/4-1203").id)
        unit.evidence_fingerprint = "changed-since-the-night"  # what an ingest of a new chat line does
        s.commit()
    again = page("household")
    assert any("证据在方案生成后有变化" in w.value for w in again.warning)
    again.button(key=f"approve_{plan_id}").click().run()
    with make_session_factory(engine)() as s:
        assert s.get(DunningPlan, plan_id).status == "approved"
