"""Plans through the API: generation (JSON and SSE), approval once, edits validated again, rejection."""

from __future__ import annotations

import json

from sqlalchemy import select

from data.db.session import make_engine, make_session_factory
from data.db.workflow import AuditEvent, DunningPlan

H = "/households/BJ-PILOT/4-1203"


def _generate(api, user: str = "demo") -> dict:
    r = api.post(f"{H}/plans", user=user)
    assert r.status_code == 200, r.text
    return r.json()


def _sse(text: str) -> list[tuple[str, dict]]:
    events = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((lines["event"], json.loads(lines["data"])))
    return events


def test_when_plan_is_generated_then_it_awaits_approval_with_citations(any_db_api):
    result = _generate(any_db_api)
    assert result["status"] == "awaiting_approval" and result["validation"]["passed"]
    assert result["diagnosis"]["citations"] and result["plan"]["arrears"] == "1680.00"
    stored = any_db_api.get(f"/plans/{result['plan_id']}").json()
    assert stored["status_name"] == "待审批" and len(stored["steps"]) == len(result["plan"]["steps"])


def test_when_plan_is_streamed_then_each_node_label_arrives_before_the_result(api):
    r = api.post(f"{H}/plans/stream")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    events = _sse(r.text)
    labels = [d["label"] for e, d in events if e == "node"]
    assert labels[:3] == ["读取证据", "检索原因知识库", "诊断欠费原因"] and "合规校验" in labels
    assert events[-1][0] == "result" and events[-1][1]["status"] == "awaiting_approval"


def test_when_plan_is_streamed_then_candidates_and_the_diagnosis_arrive_before_the_plan_is_written(api):
    events = _sse(api.post(f"{H}/plans/stream").text)
    kinds = [e for e, _ in events]
    labels = [d.get("label") for _, d in events]
    assert kinds.index("candidates") < kinds.index("diagnosis") < labels.index("制定方案并撰写话术")
    candidates = dict(events)["candidates"]["candidates"]
    assert 1 <= len(candidates) <= 3 and all(c["id"] and c["name"] for c in candidates)
    early, final = dict(events)["diagnosis"], events[-1][1]["diagnosis"]
    assert early == final  # what was shown early is what the plan is built on
    assert early["primary_cause"]["id"] and early["explanation"] and early["citations"]


def test_when_the_steward_picks_the_cause_then_the_plan_follows_it_and_an_unknown_cause_is_422(api):
    first = _generate(api)
    before = first["diagnosis"]["primary_cause"]["id"]
    r = api.post(f"{H}/plans?cause=svc.slow_repair")
    assert r.status_code == 200, r.text
    picked = r.json()["diagnosis"]
    assert picked["primary_cause"]["id"] == "svc.slow_repair" and picked["source"] == "steward"
    assert picked["corrected_from"] == before and picked["unsure"] is False
    bad = api.post(f"{H}/plans?cause=svc.no_such_cause")
    assert bad.status_code == 422 and "未知原因编号" in bad.json()["detail"]


def test_when_plan_is_approved_twice_then_the_second_is_409_in_chinese(any_db_api):
    plan_id = _generate(any_db_api)["plan_id"]
    first = any_db_api.post(f"/plans/{plan_id}/approve", json={"comment": "同意"})
    assert first.status_code == 200 and first.json()["status"] == "approved"
    second = any_db_api.post(f"/plans/{plan_id}/approve", json={}, user="bj")
    assert second.status_code == 409 and "已批准" in second.json()["detail"]


def test_when_plan_is_edited_with_a_threat_then_graph_validates_again_and_saves_a_new_version(api, api_url):
    result = _generate(api)
    seq = next(s["seq"] for s in result["plan"]["steps"] if s["outgoing"])
    r = api.patch(f"/plans/{result['plan_id']}", json={"edits": {str(seq): "不交钱就停你家电梯卡。"}})
    assert r.status_code == 200, r.text
    edited = r.json()
    assert edited["plan_id"] != result["plan_id"] and edited["status"] == "awaiting_approval"
    assert all("电梯卡" not in s["message"] for s in edited["plan"]["steps"])
    with make_session_factory(make_engine(api_url))() as s:
        assert s.get(DunningPlan, result["plan_id"]).status == "superseded"
    assert api.post(f"/plans/{result['plan_id']}/approve", json={}).status_code == 409


def test_when_plan_is_rejected_then_it_is_closed_and_audited(api, api_url):
    plan_id = _generate(api)["plan_id"]
    r = api.post(f"/plans/{plan_id}/reject", json={"comment": "原因不对"})
    assert r.status_code == 200 and r.json()["status"] == "ignored"
    assert api.get(f"/plans/{plan_id}").json()["status_name"] == "已驳回"
    with make_session_factory(make_engine(api_url))() as s:
        actions = s.execute(select(AuditEvent.action)).scalars().all()
        assert "plan.drafted" in actions and "plan.ignored" in actions


def test_when_readonly_or_compliance_generates_then_403(api):
    for user in ("ro", "compliance"):
        r = api.post(f"{H}/plans", user=user)
        assert r.status_code == 403 and "只能查看" in r.json()["detail"]


def test_when_diagnoses_are_listed_then_the_latest_one_is_first(api):
    _generate(api)
    rows = api.get(f"{H}/diagnoses").json()
    assert rows and rows[0]["primary_cause_id"].startswith("svc.") and rows[0]["citations"]


def test_finding5_two_generates_then_only_the_latest_can_be_approved(any_db_api, pg_portfolio_url):
    first = _generate(any_db_api)["plan_id"]
    second = _generate(any_db_api, user="bj")["plan_id"]
    assert second != first
    stale = any_db_api.post(f"/plans/{first}/approve", json={})
    assert stale.status_code == 409
    assert "已被新版本替代" in stale.json()["detail"] or "最新" in stale.json()["detail"]
    assert any_db_api.post(f"/plans/{second}/approve", json={}).status_code == 200
    third = _generate(any_db_api)["plan_id"]
    assert any_db_api.post(f"/plans/{third}/approve", json={}).status_code == 200
    with make_session_factory(make_engine(pg_portfolio_url))() as s:
        statuses = dict(
            s.execute(
                select(DunningPlan.id, DunningPlan.status).where(DunningPlan.id.in_([first, second, third]))
            ).all()
        )
    assert statuses == {first: "superseded", second: "superseded", third: "approved"}


def test_finding4_read_only_and_compliance_scopes_carry_no_write_right(api_url):
    import pytest

    from app.services.plan_runs import PlanService
    from app.services.users import caller_for
    from core.scope import ScopeError

    with make_session_factory(make_engine(api_url))() as s:
        rights = {u: caller_for(s, u).scope.can_write for u in ("ro", "compliance", "demo", "manager", "admin")}
    assert rights == {"ro": False, "compliance": False, "demo": True, "manager": True, "admin": True}
    service = PlanService(graph=None, context_for=lambda scope: pytest.fail("no agent context for a reader"))
    with make_session_factory(make_engine(api_url))() as s:
        for user in ("ro", "compliance"):
            with pytest.raises(ScopeError, match="只能查看"):
                service.generate(caller_for(s, user).scope, "BJ-PILOT/4-1203")
