"""策略设置 page (AppTest): a manager changes a project's quiet hours; bad values get a Chinese error; stewards get no page."""

from __future__ import annotations

import pytest

from app.services.policy_settings import effective_policy
from data.db.session import make_engine, make_session_factory


def _policy(url: str, project: str):
    with make_session_factory(make_engine(url))() as s:
        return effective_policy(s, project)


def test_when_a_manager_saves_a_quiet_end_then_it_is_in_force_for_that_project_and_listed_in_history(page, wb_url):
    at = page("settings", user="manager")
    assert not at.exception, at.exception
    project = at.selectbox(key="set_project").value
    assert "集团默认（所有项目）" not in at.selectbox(key="set_project").options
    at.selectbox(key="set_key").select("quiet_end")
    at.text_input(key="set_value").input("19:00")
    at.text_input(key="set_reason").input("冬季提前结束")
    at.button[0].click().run()
    assert not at.error, [e.value for e in at.error]
    assert at.success[0].value.startswith("已保存：允许联系结束时间 = 19:00")
    assert _policy(wb_url, project).quiet_end.strftime("%H:%M") == "19:00"
    history = next(d.value for d in at.dataframe if "修改人" in d.value.columns)
    assert list(history["原因"]) == ["冬季提前结束"] and list(history["修改人"]) == ["manager"]


def test_when_the_value_is_not_a_time_then_a_chinese_error_shows_and_nothing_changes(page, wb_url):
    at = page("settings", user="manager")
    project = at.selectbox(key="set_project").value
    at.selectbox(key="set_key").select("quiet_start")
    at.text_input(key="set_value").input("早上八点")
    at.button[0].click().run()
    assert "HH:MM" in at.error[0].value
    assert _policy(wb_url, project).quiet_start.strftime("%H:%M") == "08:00"


def test_when_the_admin_opens_the_page_then_group_defaults_can_be_chosen(page):
    at = page("settings", user="admin")
    assert at.selectbox(key="set_project").options[0] == "集团默认（所有项目）"


@pytest.mark.parametrize("user", ["demo", "compliance"])
def test_when_a_steward_or_compliance_opens_the_settings_page_then_it_is_refused(page, user):
    assert page("settings", user=user).error[0].value == "当前角色无权查看此页面"
