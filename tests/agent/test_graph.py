"""Graph tests with a scripted model: coverage, diagnosis checks, validation, interrupt and resume."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from sqlalchemy import select

from agent.graph import build_graph
from agent.runner import resume, run_plan
from data.db.workflow import Approval, AuditEvent, DunningPlan
from data.generator.pilot import PILOT_OWNER
from tests.fakes import step_seqs, step_texts
from tools.evidence import REQUIRED_SOURCES

PILOT = "BJ-PILOT/4-1203"


def _graph():
    return build_graph(checkpointer=InMemorySaver())


def test_when_plan_runs_then_it_pauses_for_approval_with_a_saved_valid_plan(agent_context):
    state = run_plan(_graph(), agent_context, PILOT)
    assert state["status"] == "awaiting_approval"
    assert state["validation"]["passed"], state["validation"]["failures"]
    with agent_context.session_factory() as s:
        plan = s.get(DunningPlan, state["plan_id"])
        assert plan.status == "awaiting_approval" and len(plan.steps) == len(state["plan"]["steps"])


def test_when_model_reads_only_chats_then_graph_reads_every_other_required_source(agent_context):
    state = run_plan(_graph(), replace(agent_context, gather_rounds=1), PILOT)
    by = {c["tool"]: c["by"] for c in state["tool_calls"]}
    assert by["get_chat_messages"] == "model"
    for name in REQUIRED_SOURCES:
        assert name in by
    assert by["get_tickets"] == "graph"


def test_when_gather_rounds_are_zero_then_no_model_call_reads_evidence_and_every_source_is_read(
    agent_context, fake_model
):
    state = run_plan(_graph(), agent_context, PILOT)
    assert agent_context.gather_rounds == 0
    assert {c["by"] for c in state["tool_calls"]} == {"graph"}
    assert set(REQUIRED_SOURCES) <= {c["tool"] for c in state["tool_calls"]}
    assert [u["call"] for u in state["usage"]][:1] == ["diagnose_0"]
    assert not any("tools" in str(call) and "读取" in str(call[0].content) for call in fake_model.sent)


def test_when_a_plan_is_drafted_then_the_model_writes_only_the_first_days_and_later_steps_keep_templates(
    agent_context, fake_model
):
    state = run_plan(_graph(), agent_context, PILOT)
    outgoing = [s for s in state["plan"]["steps"] if s["outgoing"]]
    assert len(outgoing) >= 2, "the pilot's plan has several outgoing steps"
    first = date.fromisoformat(outgoing[0]["date"])
    for step in outgoing:
        near = (date.fromisoformat(step["date"]) - first).days <= agent_context.message_days
        assert step["message_source"] == ("model" if near else "template"), step
    prompt = next(str(call[-1].content) for call in fake_model.sent if "<步骤>" in str(call[-1].content))
    asked = set(step_seqs(prompt))
    assert asked == {s["seq"] for s in outgoing if s["message_source"] == "model"}


def test_when_pilot_is_planned_then_service_first_strategy_pauses_forced_collection(agent_context):
    state = run_plan(_graph(), agent_context, PILOT)
    assert state["diagnosis"]["primary_cause_id"].startswith("svc.")
    plan = state["plan"]
    assert plan["strategy"] == "service_first" and plan["pause_forced_collection"]
    assert plan["arrears"] == "1680.00"
    actions = " ".join(s["action"] for s in plan["steps"])
    assert "整改" in actions and "回访" in actions and "诉讼" not in actions


def test_when_the_model_is_sent_anything_then_no_raw_pii_is_in_it(agent_context, fake_model):
    run_plan(_graph(), agent_context, PILOT)
    sent = fake_model.all_text()
    assert sent, "the model was never called"
    for raw in (PILOT_OWNER["mobile"], PILOT_OWNER["id_number"], PILOT_OWNER["name"], "王女士", "4号楼1203"):
        assert raw not in sent
    assert not re.search(r"1[3-9]\d{9}", sent)


def test_when_model_cites_missing_evidence_then_it_is_retried_and_checked(agent_context, fake_model):
    calls = {"n": 0}
    original = fake_model.structured_handler

    def bad_first(schema, messages):
        data = original(schema, messages)
        if schema.__name__ == "Diagnosis" and calls["n"] == 0:
            calls["n"] += 1
            data["evidence"] = ["msg:m999"]
        return data

    fake_model.structured_handler = bad_first
    state = run_plan(_graph(), agent_context, PILOT)
    retry_prompts = [m.content for call in fake_model.sent for m in call if "不存在的证据" in str(m.content)]
    assert retry_prompts
    cited = {e for c in state["diagnosis"]["citations"] for e in c["evidence_ids"]}
    assert "msg:m999" not in cited


def test_when_model_endpoint_fails_then_plan_still_completes_from_retrieval_and_templates(agent_context, fake_model):
    def down(*_args, **_kwargs):
        raise ConnectionError("endpoint down")

    fake_model.chat_handler = down
    fake_model.structured_handler = down
    state = run_plan(_graph(), agent_context, PILOT)
    assert state["diagnosis"]["source"] == "retrieval"
    assert all(s["message_source"].startswith("template") for s in state["plan"]["steps"] if s["outgoing"])
    assert state["validation"]["passed"]


def test_when_model_writes_a_threat_then_it_is_revised_then_falls_back_to_templates(agent_context, fake_model):
    def threatening(schema, messages):
        if schema.__name__ in ("StepMessages", "StepOpenings"):
            seqs = step_seqs("\n".join(str(m.content) for m in messages))
            # A threat in words no template list holds, so it reaches the guardrail (lexicon words are dropped).
            return step_texts(schema, seqs, "不交钱就把你家水断了，看你怎么办。")
        return __import__("tests.fakes", fromlist=["x"]).sensible_structured(schema, messages)

    fake_model.structured_handler = threatening
    state = run_plan(_graph(), agent_context, PILOT)
    # The first revision replaces the opened template with the bare threat; the second gives the same threat
    # back, so the run stops asking (stalled) and falls back.
    assert state["revisions"] == 2 and state["revise_stalled"]
    assert state["plan"]["is_fallback"]
    assert state["validation"]["passed"]
    assert all("水断了" not in s["message"] for s in state["plan"]["steps"])


def test_when_each_revision_changes_the_text_but_still_fails_then_two_rounds_then_templates(agent_context, fake_model):
    rounds = iter(range(100))

    def threatening(schema, messages):
        if schema.__name__ in ("StepMessages", "StepOpenings"):
            seqs = step_seqs("\n".join(str(m.content) for m in messages))
            return step_texts(schema, seqs, f"第{next(rounds)}次提醒：不交钱就把你家水断了。")
        return __import__("tests.fakes", fromlist=["x"]).sensible_structured(schema, messages)

    fake_model.structured_handler = threatening
    state = run_plan(_graph(), agent_context, PILOT)
    assert state["revisions"] == 2 and not state["revise_stalled"]
    assert state["plan"]["is_fallback"] and state["validation"]["passed"]


def test_when_steward_accepts_then_approval_and_audit_are_stored(agent_context):
    graph = _graph()
    state = run_plan(graph, agent_context, PILOT)
    final = resume(graph, agent_context, state["thread_id"], {"action": "accept", "user": "li"})
    assert final["status"] == "approved"
    with agent_context.session_factory() as s:
        approval = s.execute(select(Approval).where(Approval.plan_id == state["plan_id"])).scalar_one()
        assert approval.username == "li" and approval.decision == "accept"
        actions = [e.action for e in s.execute(select(AuditEvent)).scalars()]
        assert "plan.drafted" in actions and "plan.approved" in actions


def test_when_steward_edits_with_a_forbidden_word_then_the_edit_is_validated_again(agent_context):
    graph = _graph()
    state = run_plan(graph, agent_context, PILOT)
    seq = next(s["seq"] for s in state["plan"]["steps"] if s["outgoing"])
    final = resume(
        graph,
        agent_context,
        state["thread_id"],
        {"action": "edit", "user": "li", "edits": {seq: "不交钱就停你家电梯卡。"}},
    )
    step = next(s for s in final["plan"]["steps"] if s["seq"] == seq)
    assert "电梯卡" not in step["message"]
    assert final["status"] == "awaiting_approval" and final["plan_id"] != state["plan_id"]
    with agent_context.session_factory() as s:
        assert s.get(DunningPlan, state["plan_id"]).status == "superseded"


def test_when_steward_responds_then_plan_is_rewritten_with_the_instruction(agent_context, fake_model):
    graph = _graph()
    state = run_plan(graph, agent_context, PILOT)
    final = resume(
        graph, agent_context, state["thread_id"], {"action": "respond", "user": "li", "instruction": "语气再温和一点"}
    )
    assert final["status"] == "awaiting_approval"
    assert any("语气再温和一点" in str(m.content) for call in fake_model.sent for m in call)


def test_when_steward_ignores_then_plan_is_ignored_and_cannot_be_approved_twice(agent_context):
    from data.repositories.plans import PlanConflict, decide

    graph = _graph()
    state = run_plan(graph, agent_context, PILOT)
    final = resume(graph, agent_context, state["thread_id"], {"action": "ignore", "user": "li"})
    assert final["status"] == "ignored"
    with agent_context.session_factory() as s, pytest.raises(PlanConflict):
        decide(s, plan_id=state["plan_id"], decision="accept", username="wang", at=agent_context.clock())


def test_when_caller_has_no_access_to_the_project_then_the_run_fails(agent_context):
    from core.scope import CallerScope, ScopeError

    agent_context.scope = CallerScope("other", frozenset({"SH-PD"}))
    with pytest.raises(ScopeError):
        run_plan(_graph(), agent_context, PILOT)


def test_when_the_steward_picks_the_cause_then_the_model_is_not_asked_and_the_correction_is_kept(
    agent_context, fake_model
):
    from data.db.workflow import Diagnosis

    first = run_plan(_graph(), agent_context, PILOT)
    before = first["diagnosis"]["primary_cause_id"]
    pick = next(c["cause_id"] for c in first["candidates"] if c["cause_id"] != before)
    fake_model.sent.clear()
    state = run_plan(_graph(), agent_context, PILOT, cause_pick=pick, corrected_from=before)
    diag = state["diagnosis"]
    assert diag["primary_cause_id"] == pick and diag["source"] == "steward" and diag["corrected_from"] == before
    assert not any("<候选原因>" in str(m.content) for call in fake_model.sent for m in call)  # no diagnose call
    assert diag["citations"][0]["evidence_ids"]
    assert state["status"] == "awaiting_approval"
    with agent_context.session_factory() as s:
        stored = s.get(DunningPlan, state["plan_id"])
        assert s.get(Diagnosis, stored.diagnosis_id).primary_cause_id == pick
        drafted = s.execute(select(AuditEvent).where(AuditEvent.action == "plan.drafted")).scalars().all()
        assert drafted[-1].detail["corrected_from"] == before and drafted[-1].detail["source"] == "steward"


def test_when_the_model_picks_a_weakly_supported_cause_then_the_public_diagnosis_is_marked_unsure(agent_context):
    from agent.output import is_unsure

    assert is_unsure({"confidence": 0.45, "source": "model"})
    assert not is_unsure({"confidence": 0.7, "source": "model"})
    assert is_unsure({"confidence": 0.7, "source": "model+malice_guard"})
    assert is_unsure({"confidence": 0.5, "source": "retrieval"})
    assert not is_unsure({"confidence": 1.0, "source": "steward"})
