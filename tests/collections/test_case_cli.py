"""The case loop through the CLI: `steward payments record`, `steward case event`, `steward case show`."""

from __future__ import annotations

import json
from datetime import date

from typer.testing import CliRunner

from app.cli.main import app
from data.db.session import init_db, make_session_factory
from tests.collections.loop_helpers import approve_plan, dispatch, outbox, reachable_household, yuan

runner = CliRunner()
D1, D2 = date(2024, 9, 3), date(2024, 9, 5)


def steward(url: str, *args: str):
    result = runner.invoke(app, [*args, "--database-url", url])
    return result


def show(url: str, key: str) -> dict:
    result = steward(url, "case", "show", key, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_when_half_then_the_rest_is_recorded_from_the_cli_then_the_amount_follows_and_the_case_settles(small_url):
    engine = init_db(small_url)
    with make_session_factory(engine)() as s:
        key, unit, arrears = reachable_household(s)
        approve_plan(s, unit, arrears, [D1, D2])
        half = arrears // 2
        r = steward(small_url, "payments", "record", key, f"{half / 100:.2f}", "--channel", "现金")
        assert r.exit_code == 0 and "缴费" in r.output, r.output
        view = show(small_url, key)
        assert view["state"] == "支付" and view["arrears"] == yuan(arrears - half)
        assert view["next_step"]["date"] == "2024-09-03" and view["next_step"]["will_send"] is True
        assert dispatch(engine, D1).sent == 1
        assert f"{yuan(arrears - half)}元" in outbox(s, unit)[0].text
        r = steward(small_url, "payments", "record", key, f"{(arrears - half) / 100:.2f}")
        assert r.exit_code == 0, r.output
        view = show(small_url, key)
        assert view["state"] == "已结清" and view["hold"]["rule"] == "settled"
        assert view["contacts"][0] == {"at": "2024-09-03 10:00", "channel": "sms", "outcome": "delivered"}
        assert dispatch(engine, D2).sent == 0 and len(outbox(s, unit)) == 1


def test_when_a_dispute_is_opened_and_resolved_from_the_cli_then_sending_pauses_and_resumes(small_url):
    engine = init_db(small_url)
    with make_session_factory(engine)() as s:
        key, unit, arrears = reachable_household(s)
        approve_plan(s, unit, arrears, [D1, D2])
        assert steward(small_url, "case", "event", key, "dispute_opened", "--note", "车位费不该收").exit_code == 0
        view = show(small_url, key)
        assert view["state"] == "异议中" and view["next_step"]["will_send"] is False
        assert "异议处理中" in view["why"]
        assert dispatch(engine, D1).held == 1
        bad = steward(small_url, "case", "event", key, "dispute_resolved")
        assert bad.exit_code == 1 and "处理结果" in bad.output
        ok = steward(small_url, "case", "event", key, "dispute_resolved", "--reason", "车位费已减免")
        assert ok.exit_code == 0 and "异议中 → 已触达" in ok.output
        assert dispatch(engine, D2).sent == 1


def test_when_a_steward_blacklists_from_the_cli_then_it_is_refused_and_a_manager_role_may(small_url):
    init_db(small_url)
    with make_session_factory(init_db(small_url))() as s:
        key, _unit, _ = reachable_household(s)
    refused = steward(small_url, "case", "event", key, "blacklist_added", "--reason", "辱骂")
    assert refused.exit_code == 1 and "经理" in refused.output
    ok = steward(
        small_url, "case", "event", key, "blacklist_added", "--reason", "辱骂", "--role", "manager", "--user", "王经理"
    )
    assert ok.exit_code == 0
    assert show(small_url, key)["events"][-1]["kind"] == "blacklist_added"
    unknown = steward(small_url, "case", "event", key, "nonsense")
    assert unknown.exit_code == 1 and "不支持" in unknown.output
