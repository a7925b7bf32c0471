"""End to end on the real embedded model and the real sample data: the pilot household's plan."""

from __future__ import annotations

import re

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from agent.graph import build_graph
from agent.output import plan_result
from agent.runner import resume, run_plan
from app.runtime import build_agent_runtime
from data.db.session import init_db
from data.generator.generate import generate
from data.generator.pilot import PILOT_OWNER
from evals.scripted import PromptRecorder

pytestmark = [pytest.mark.llm, pytest.mark.embedding]


@pytest.fixture(scope="module")
def real_context(real_settings):
    engine = init_db(real_settings.resolved_database_url)
    generate(engine, 300, seed=7)
    engine.dispose()
    recorder = PromptRecorder()
    from agent.llm.client import get_chat_model

    def model_factory(**kw):
        model = get_chat_model(real_settings, **kw)
        model.callbacks = [recorder]
        return model

    yield build_agent_runtime(real_settings, model_factory=model_factory).context(user="e2e"), recorder


def test_when_pilot_is_planned_on_the_real_model_then_service_quality_cause_and_a_valid_plan(real_context):
    ctx, recorder = real_context
    graph = build_graph(checkpointer=InMemorySaver())
    state = run_plan(graph, ctx, "BJ-PILOT/4-1203")
    result = plan_result(state, ctx.kb)
    cause = result["diagnosis"]["primary_cause"]
    assert cause["dimension"] == "物业服务", result["diagnosis"]
    evidence_ids = set()
    for source in state["evidence"].values():
        evidence_ids |= set(re.findall(r"'id': '([a-z]+:[^']+)'", str(source)))
    for citation in result["diagnosis"]["citations"]:
        assert citation["evidence_ids"] and set(citation["evidence_ids"]) <= evidence_ids
    assert result["validation"]["passed"], result["validation"]["failures"]
    assert result["status"] == "awaiting_approval"
    assert result["plan"]["strategy"] == "service_first"
    assert {c["by"] for c in state["tool_calls"]} == {"graph"}, state["tool_calls"]  # no model round to read
    sent = "\n".join(recorder.prompts)
    assert sent
    for raw in (PILOT_OWNER["mobile"], PILOT_OWNER["id_number"], PILOT_OWNER["name"], "王女士", "4号楼1203"):
        assert raw not in sent
    final = resume(graph, ctx, state["thread_id"], {"action": "accept", "user": "e2e"})
    assert final["status"] == "approved"
    usage = state.get("usage", [])
    print(
        "\nE2E pilot:",
        cause,
        "steps",
        len(result["plan"]["steps"]),
        "calls",
        [(u["call"], u["seconds"], u["input_tokens"], u["output_tokens"]) for u in usage],
    )
