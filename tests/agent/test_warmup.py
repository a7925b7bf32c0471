"""The warm-up sends exactly the system text each model call of a plan starts with (so the cache prefix matches)."""

from __future__ import annotations

from langchain_core.messages import SystemMessage
from langgraph.checkpoint.memory import InMemorySaver

from agent.graph import build_graph
from agent.runner import run_plan
from agent.warmup import warm_prompt_cache

PILOT = "BJ-PILOT/4-1203"


def _systems(sent: list) -> list[str]:
    return [str(call[0].content) for call in sent if call and isinstance(call[0], SystemMessage)]


def test_when_the_cache_is_warmed_then_it_holds_the_system_text_every_plan_call_starts_with(agent_context, fake_model):
    run_plan(build_graph(checkpointer=InMemorySaver()), agent_context, PILOT)
    in_plan = _systems(fake_model.sent)
    assert len(in_plan) >= 2, "the pilot's plan asks the model to diagnose and to open its first message"
    fake_model.sent.clear()
    records = warm_prompt_cache(lambda **_: fake_model)
    assert [r["call"] for r in records] == ["diagnose", "write_messages"]
    warmed = _systems(fake_model.sent)
    assert set(in_plan) == set(warmed)
    # No household text sits in the system turn: it would differ per household and defeat the cache.
    assert not any("BJ-PILOT" in s or "1680" in s or "msg:m" in s.replace("msg:m3", "") for s in in_plan)


def test_when_the_endpoint_fails_during_warm_up_then_it_is_reported_not_raised():
    class Down:
        def with_structured_output(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            return self

        def invoke(self, messages):  # noqa: ANN001, ANN202
            raise ConnectionError("down")

    records = warm_prompt_cache(lambda **_: Down())
    assert [r["ok"] for r in records] == [False, False]


def test_when_the_one_token_answer_is_cut_short_then_the_warm_up_counts_as_done():
    from openai import LengthFinishReasonError

    class Cut:
        def with_structured_output(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            return self

        def invoke(self, messages):  # noqa: ANN001, ANN202
            raise LengthFinishReasonError.__new__(LengthFinishReasonError)  # what the client raises at max_tokens

    records = warm_prompt_cache(lambda **_: Cut())
    assert [r["ok"] for r in records] == [True, True]


def test_when_households_differ_then_the_output_shape_the_model_reads_is_the_same_text():
    from langchain_core.utils.function_calling import convert_to_json_schema

    from agent.schemas import diagnosis_model, openings_model
    from app.llm_server.translate import build_upstream_request

    def system_text(schema) -> str:  # noqa: ANN001
        body = {
            "messages": [{"role": "system", "content": "规则"}, {"role": "user", "content": "本户"}],
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "x", "schema": convert_to_json_schema(schema)},
            },
        }
        upstream, _ = build_upstream_request(body)
        return upstream["messages"][0]["content"]

    assert system_text(diagnosis_model(["beh.forgetful"])) == system_text(
        diagnosis_model(["svc.slow_repair", "ext.hardship"])
    )
    assert system_text(openings_model([1])) == system_text(openings_model([2, 3]))
    upstream, _ = build_upstream_request(
        {
            "messages": [{"role": "user", "content": "x"}],
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "x", "schema": convert_to_json_schema(openings_model([2, 3]))},
            },
        }
    )
    assert "maxItems" in str(upstream["json_schema"])  # the grammar still bounds the answer


def test_when_the_warm_up_runs_then_its_output_shapes_are_those_of_the_plan_calls():
    from langchain_core.utils.function_calling import convert_to_json_schema

    from agent.schemas import diagnosis_model, openings_model
    from app.llm_server.translate import schema_shape

    seen = []

    class Recorder:
        def with_structured_output(self, schema, **kwargs):  # noqa: ANN001, ANN003, ANN202
            seen.append(schema_shape(convert_to_json_schema(schema)))
            return self

        def invoke(self, messages):  # noqa: ANN001, ANN202
            return {}

    warm_prompt_cache(lambda **_: Recorder())
    assert seen == [
        schema_shape(convert_to_json_schema(diagnosis_model(["svc.slow_repair"]))),
        schema_shape(convert_to_json_schema(openings_model([2, 4]))),
    ]
