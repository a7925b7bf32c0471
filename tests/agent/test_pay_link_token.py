"""Drafts carry the 【缴费链接】 token, never a URL: plans, model words, template review and the public result."""

from __future__ import annotations

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from sqlalchemy import select

from agent.graph import build_graph
from agent.messages import restore_placeholders
from agent.output import plan_result
from agent.runner import run_plan
from app.services.template_review import review_templates
from core.domain.collections.pay_link import PAY_LINK_LABEL, PAY_LINK_TOKEN, fill_pay_link, has_url, show_pay_link
from data.db.workflow import DunningPlan, PlanStep
from tests.fakes import sensible_structured

PILOT = "BJ-PILOT/4-1203"


def _outgoing(state: dict) -> list[dict]:
    return [s for s in state["plan"]["steps"] if s["outgoing"]]


def _stored_messages(agent_context, plan_id: int) -> list[str]:  # noqa: ANN001
    with agent_context.session_factory() as s:
        assert s.get(DunningPlan, plan_id) is not None
        return list(s.execute(select(PlanStep.message).where(PlanStep.plan_id == plan_id)).scalars())


@pytest.mark.parametrize("words", ["model", "templates"])
def test_when_a_plan_is_generated_then_its_drafts_carry_the_token_and_no_url(agent_context, fake_model, words):
    if words == "templates":  # the endpoint is down: every message is its reviewed template

        def down(*_args, **_kwargs):  # noqa: ANN002, ANN003, ANN202
            raise ConnectionError("endpoint down")

        fake_model.chat_handler = fake_model.structured_handler = down
    state = run_plan(build_graph(checkpointer=InMemorySaver()), agent_context, PILOT)
    assert state["validation"]["passed"], state["validation"]["failures"]
    texts = [s["message"] for s in _outgoing(state)] + _stored_messages(agent_context, state["plan_id"])
    assert texts
    for text in texts:
        assert "pay.steward.local" not in text and not has_url(text), text
    public = plan_result(state, agent_context.kb)["plan"]["steps"]
    for step in public:
        assert step["pay_link"] == (PAY_LINK_LABEL if PAY_LINK_TOKEN in step["message"] else None)


def test_when_a_reminder_plan_is_drafted_from_templates_then_the_link_is_the_token(agent_context, lexical_kb):
    from agent.nodes.plan import skeleton
    from data.repositories.plan_facts import load_plan_facts

    with agent_context.session_factory() as s:
        facts = load_plan_facts(s, PILOT)
    plan = skeleton(facts, {"primary_cause_id": "beh.forgetful", "flags": {}}, lexical_kb)
    texts = [s["template_text"] for s in plan["steps"] if s["outgoing"] and s["template_text"]]
    assert any(PAY_LINK_TOKEN in t for t in texts), texts
    assert not any(has_url(t) for t in texts), texts


def test_when_the_model_writes_a_web_address_then_the_draft_gets_the_token_instead(agent_context, fake_model):
    from tests.fakes import step_seqs, step_texts

    def inventive(schema, messages):  # noqa: ANN001, ANN202
        if schema.__name__ in ("StepMessages", "StepOpenings"):
            seqs = step_seqs("\n".join(str(m.content) for m in messages))
            return step_texts(schema, seqs, "抱歉添麻烦了，见 https://a.cn/p?i=9 或 www.wy.cn")
        return sensible_structured(schema, messages)

    fake_model.structured_handler = inventive
    state = run_plan(build_graph(checkpointer=InMemorySaver()), agent_context, PILOT)
    model_steps = [s for s in _outgoing(state) if s["message_source"].startswith("model")]
    assert model_steps, "no step kept the model's words"
    for step in model_steps:
        assert not has_url(step["message"]) and step["message"].count(PAY_LINK_TOKEN) >= 2, step["message"]
    for text in _stored_messages(agent_context, state["plan_id"]):
        assert not has_url(text), text


def test_restoring_model_words_keeps_the_token_and_drops_other_placeholders(agent_context):
    from data.repositories.plan_facts import load_plan_facts

    with agent_context.session_factory() as s:
        facts = load_plan_facts(s, PILOT)
    assert facts.pay_link == PAY_LINK_TOKEN
    text = restore_placeholders("【业主】您好，请通过【缴费链接】缴纳【某某】，或 http://evil.example/pay 。", facts)
    assert text == f"{facts.owner_title}您好，请通过{PAY_LINK_TOKEN}缴纳，或 {PAY_LINK_TOKEN} 。"
    assert (
        fill_pay_link(text, "https://bill.example/bill/T")
        == f"{facts.owner_title}您好，请通过https://bill.example/bill/T缴纳，或 https://bill.example/bill/T 。"
    )
    assert show_pay_link(text).count("〔发送时附专属缴费链接〕") == 2


def test_when_templates_are_reviewed_then_the_samples_show_the_token_and_pass_the_wording_checks():
    reviews = review_templates()
    with_link = [r for r in reviews if "{pay_link}" in r["text"]]
    assert len(with_link) >= 5
    for review in reviews:
        assert not has_url(review["sample"]), review["id"]
    for review in with_link:
        assert PAY_LINK_TOKEN in review["sample"], review["id"]
        assert not [h for h in review["hints"] if "缴费链接" in (h["excerpt"] or "")], review["hints"]


def test_saved_plan_steps_label_the_token_for_api_callers():
    from agent.contracts import StoredStep

    base = {
        "seq": 1,
        "date": "2024-09-03",
        "window": ["10:00", "12:00"],
        "channel": "sms",
        "action": "短信",
        "role": "s",
    }
    assert StoredStep(**base, message=f"请通过{PAY_LINK_TOKEN}缴纳").model_dump()["pay_link"] == PAY_LINK_LABEL
    assert StoredStep(**base, message="感谢支持").model_dump()["pay_link"] is None
