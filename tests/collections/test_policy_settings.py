"""Contact-policy settings managers can change: project over group over default, versioned, audited, read by every send."""

from __future__ import annotations

import json
from datetime import datetime, time

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from app.channels import OutboxAdapter, ReceiptSimulator
from app.cli.main import app
from app.services.collections.sending import SendRequest, send_contact
from app.services.policy_settings import SettingError, change, effective_policy, settings_in_force
from core.domain.collections.policy import PolicyConfig
from core.scope import ScopeError
from data.db.models import Project, Unit
from data.db.session import init_db, make_session_factory
from data.db.workflow import AuditEvent
from tests.collections.test_sending import ALWAYS, an_owner

AT = datetime(2024, 9, 3, 9, 0)


@pytest.fixture
def session(small_url):
    factory = make_session_factory(init_db(small_url))
    with factory() as s:
        yield s


def _project_of(session, unit_id: int) -> str:
    return session.execute(select(Project.code).join(Unit).where(Unit.id == unit_id)).scalar_one()


def _set(session, key, raw, project=None, role="admin", projects=None, actor="admin"):
    return change(
        session, actor=actor, role=role, projects=projects, project=project, key=key, raw=raw, at=AT, reason="测试"
    )


def test_when_nothing_is_set_then_the_policy_is_the_built_in_default(session):
    assert effective_policy(session, "BJ-PILOT") == PolicyConfig()
    assert {v["source"] for v in settings_in_force(session, "BJ-PILOT").values()} == {"default"}


def test_when_a_project_sets_its_quiet_end_then_it_wins_over_the_group_and_clearing_it_restores_the_group(session):
    _set(session, "quiet_end", "20:00")
    _set(session, "quiet_end", "18:00", project="BJ-PILOT")
    assert effective_policy(session, "BJ-PILOT").quiet_end == time(18, 0)
    assert effective_policy(session, "SH-PD").quiet_end == time(20, 0)
    assert settings_in_force(session, "BJ-PILOT")["quiet_end"]["source"] == "project"
    _set(session, "quiet_end", None, project="BJ-PILOT")
    assert effective_policy(session, "BJ-PILOT").quiet_end == time(20, 0)
    assert settings_in_force(session, "BJ-PILOT")["quiet_end"]["source"] == "group"


def test_when_the_quiet_hours_are_narrowed_then_a_send_that_was_allowed_is_blocked(session):
    owner_id, unit_id = an_owner(session)
    project = _project_of(session, unit_id)
    adapters = [OutboxAdapter(session, ReceiptSimulator(rates=ALWAYS))]

    def send(key: str):
        req = SendRequest(
            key=key,
            owner_id=owner_id,
            unit_id=unit_id,
            channels=("sms",),
            text="您好。回T退订",
            at=AT.replace(hour=17, minute=30),
        )
        return send_contact(session, req, adapters=adapters)

    assert send("s:1").status == "sent"
    _set(session, "quiet_end", "17:00", project=project, role="manager", projects=frozenset({project}), actor="manager")
    blocked = send("s:2")
    assert (blocked.status, blocked.rule) == ("blocked", "quiet_hours")


def test_when_a_value_is_bad_then_a_chinese_error_names_it_and_nothing_is_stored(session):
    with pytest.raises(SettingError, match="HH:MM"):
        _set(session, "quiet_end", "25:99")
    with pytest.raises(SettingError, match="不足一小时"):
        _set(session, "quiet_end", "08:30")
    with pytest.raises(SettingError, match="未知设置项"):
        _set(session, "quiet_hours", "21:00")
    with pytest.raises(SettingError, match="未知阶段"):
        _set(session, "daily_cap", "紧急=3")
    assert session.execute(select(AuditEvent).where(AuditEvent.action == "settings.changed")).first() is None


def test_when_a_manager_changes_another_project_or_the_group_then_it_is_refused(session):
    with pytest.raises(ScopeError, match="无权修改项目"):
        _set(session, "weekly_cap", "2", project="SH-PD", role="manager", projects=frozenset({"BJ-PILOT"}))
    with pytest.raises(ScopeError, match="集团默认"):
        _set(session, "weekly_cap", "2", role="manager", projects=frozenset({"BJ-PILOT"}))
    with pytest.raises(ScopeError):
        _set(session, "weekly_cap", "2", project="BJ-PILOT", role="steward", projects=frozenset({"BJ-PILOT"}))


def test_when_a_setting_changes_twice_then_each_version_is_kept_and_audited_with_old_and_new(session):
    _set(session, "weekly_cap", "2", project="BJ-PILOT")
    out = _set(session, "daily_cap", "中级=1", project="BJ-PILOT")
    again = _set(session, "weekly_cap", "1", project="BJ-PILOT")
    assert again["version"] == 2 and out["value"]["中级"] == 1 and out["value"]["预警"] == 1
    events = (
        session.execute(select(AuditEvent).where(AuditEvent.action == "settings.changed").order_by(AuditEvent.id))
        .scalars()
        .all()
    )
    details = [json.loads(e.detail) if isinstance(e.detail, str) else e.detail for e in events]
    assert [(d["key"], d["old"], d["new"]) for d in details] == [
        ("weekly_cap", 3, 2),
        ("daily_cap", {"预警": 1, "初级": 1, "中级": 2, "高级": 2}, {"预警": 1, "初级": 1, "中级": 1, "高级": 2}),
        ("weekly_cap", 2, 1),
    ]
    policy = effective_policy(session, "BJ-PILOT")
    assert policy.weekly_cap == 1 and policy.daily_cap_by_stage["中级"] == 1


def test_when_the_cli_sets_shows_and_lists_history_then_the_json_is_machine_readable(small_url):
    run = CliRunner().invoke
    out = run(
        app,
        [
            "settings",
            "set",
            "holidays",
            "2024-09-16,2024-09-17",
            "--project",
            "BJ-PILOT",
            "--reason",
            "中秋",
            "--json",
            "--database-url",
            small_url,
        ],
    )
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["value"] == ["2024-09-16", "2024-09-17"]
    shown = json.loads(
        run(app, ["settings", "show", "--project", "BJ-PILOT", "--json", "--database-url", small_url]).output
    )
    assert shown["settings"]["holidays"] == {
        "label": "额外免打扰日期（法定节假日之外）",
        "value": ["2024-09-16", "2024-09-17"],
        "source": "project",
        "version": 1,
    }
    rows = json.loads(
        run(app, ["settings", "history", "--project", "BJ-PILOT", "--json", "--database-url", small_url]).output
    )
    assert [(r["key"], r["version"], r["reason"]) for r in rows] == [("holidays", 1, "中秋")]
    bad = run(app, ["settings", "set", "quiet_start", "7点", "--database-url", small_url])
    assert bad.exit_code != 0 and "HH:MM" in bad.output
