"""Typed contracts of a plan run: facts read once per run, evidence and plan shapes validated by their models."""

from __future__ import annotations

from langgraph.checkpoint.memory import InMemorySaver

from agent.contracts import Diagnosis, PlanDraft, PlanResult
from agent.graph import build_graph
from agent.output import plan_result
from agent.runner import run_plan
from tools.contracts import OWNER_SPEAKER, Evidence

PILOT = "BJ-PILOT/4-1203"


def test_when_a_plan_runs_then_the_household_facts_are_read_once(agent_context, monkeypatch):
    import data.repositories.plan_facts as plan_facts

    calls: list[str] = []
    real = plan_facts.load_plan_facts

    def counting(session, household, as_of=None):  # noqa: ANN001
        calls.append(household)
        return real(session, household, as_of)

    monkeypatch.setattr(plan_facts, "load_plan_facts", counting)
    state = run_plan(build_graph(checkpointer=InMemorySaver()), agent_context, PILOT)
    assert state["status"] == "awaiting_approval"
    assert calls == [PILOT]
    run_plan(build_graph(checkpointer=InMemorySaver()), agent_context, PILOT)
    assert calls == [PILOT, PILOT], "a second run must read the facts anew"


def test_when_a_plan_runs_then_state_and_result_validate_against_the_contracts(agent_context):
    state = run_plan(build_graph(checkpointer=InMemorySaver()), agent_context, PILOT)
    diagnosis = Diagnosis.model_validate(state["diagnosis"])
    draft = PlanDraft.model_validate(state["plan"])
    assert diagnosis.primary_cause and diagnosis.primary_cause.id == diagnosis.primary_cause_id
    assert draft.steps and all(step.date >= "2024-09-02" for step in draft.steps)
    result = PlanResult.model_validate(plan_result(state, agent_context.kb))
    assert [s.seq for s in result.plan.steps] == [s.seq for s in draft.steps]
    evidence = Evidence.from_sources(state["evidence"])
    cited = {e for c in diagnosis.citations for e in c.evidence_ids}
    assert cited and cited <= evidence.citable_ids()
    owner = evidence.owner_lines()
    assert owner and all(line.speaker == OWNER_SPEAKER for line in owner)
    assert len(owner) < len(evidence.chat)


def test_when_sources_are_missing_then_evidence_is_empty_not_an_error():
    evidence = Evidence.from_sources({"get_tickets": [{"id": "ticket:T1", "type": "保洁", "description": "垃圾"}]})
    assert evidence.owner_lines() == [] and evidence.citable_ids() == {"ticket:T1"}
    assert evidence.texts() == {"ticket:T1": "保洁：垃圾"}
