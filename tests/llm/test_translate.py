"""Request translation: tools to schema and prompt, history rendering, reply parsing."""

from __future__ import annotations

import json

import pytest

from app.llm_server.sse import FinalAnswerStream
from app.llm_server.translate import (
    FINAL_TOOL,
    build_upstream_request,
    parse_tool_output,
    plan_tools,
    render_messages,
    tool_schema,
    tool_system_prompt,
)

ARREARS_TOOL = {
    "type": "function",
    "function": {
        "name": "get_arrears",
        "description": "查询某户的欠费金额。",
        "parameters": {
            "type": "object",
            "properties": {"household_id": {"type": "string"}},
            "required": ["household_id"],
        },
    },
}
NOTICE_TOOL = {
    "type": "function",
    "function": {
        "name": "send_notice",
        "description": "发送缴费提醒。",
        "parameters": {"type": "object", "properties": {}},
    },
}


def test_when_tool_choice_auto_then_schema_offers_each_tool_and_final_answer():
    plan = plan_tools([ARREARS_TOOL, NOTICE_TOOL], "auto")
    schema = tool_schema(plan)
    consts = [opt["properties"]["tool"]["const"] for opt in schema["oneOf"]]
    assert consts == ["get_arrears", "send_notice", FINAL_TOOL]
    args = schema["oneOf"][0]["properties"]["arguments"]
    assert args["required"] == ["household_id"] and args["additionalProperties"] is False


def test_when_tool_choice_required_then_no_final_answer_option():
    schema = tool_schema(plan_tools([ARREARS_TOOL, NOTICE_TOOL], "required"))
    assert [o["properties"]["tool"]["const"] for o in schema["oneOf"]] == [
        "get_arrears",
        "send_notice",
    ]


def test_when_tool_choice_names_a_tool_then_schema_is_that_tool_only():
    choice = {"type": "function", "function": {"name": "send_notice"}}
    schema = tool_schema(plan_tools([ARREARS_TOOL, NOTICE_TOOL], choice))
    assert schema["properties"]["tool"] == {"const": "send_notice"}


def test_when_tool_choice_names_unknown_tool_then_value_error():
    with pytest.raises(ValueError, match="nope"):
        plan_tools([ARREARS_TOOL], {"type": "function", "function": {"name": "nope"}})


def test_when_tool_choice_none_or_no_tools_then_plain_chat():
    assert plan_tools([ARREARS_TOOL], "none") is None
    assert plan_tools([], "auto") is None


def test_when_a_tool_is_named_final_answer_then_direct_answer_uses_other_name():
    clash = {"type": "function", "function": {"name": FINAL_TOOL, "parameters": {"type": "object"}}}
    plan = plan_tools([clash], "auto")
    assert plan.final_name != FINAL_TOOL
    assert plan.final_name in tool_system_prompt(plan)


def test_when_tools_given_then_chinese_system_prompt_lists_them_after_callers_system_text():
    body = {
        "messages": [
            {"role": "system", "content": "你是物业管家助手。"},
            {"role": "user", "content": "查 H-1"},
        ],
        "tools": [ARREARS_TOOL],
    }
    upstream, plan = build_upstream_request(body)
    system = upstream["messages"][0]
    assert system["role"] == "system" and system["content"].startswith("你是物业管家助手。")
    assert "get_arrears：查询某户的欠费金额。" in system["content"]
    assert '"tool": "final_answer"' in system["content"]
    assert upstream["json_schema"] == tool_schema(plan)
    assert "tools" not in upstream and len(upstream["messages"]) == 2


def test_when_history_has_tool_calls_then_model_sees_its_calls_and_the_results():
    messages = [
        {"role": "user", "content": "查 H-1 和 H-2"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_a",
                    "type": "function",
                    "function": {"name": "get_arrears", "arguments": '{"household_id": "H-1"}'},
                },
                {
                    "id": "call_b",
                    "type": "function",
                    "function": {"name": "get_arrears", "arguments": '{"household_id": "H-2"}'},
                },
            ],
        },
        {"role": "tool", "tool_call_id": "call_a", "content": "欠费 100 元"},
        {
            "role": "tool",
            "tool_call_id": "call_b",
            "content": [{"type": "text", "text": "欠费 200 元"}],
        },
    ]
    rendered = render_messages(messages)
    assert [m["role"] for m in rendered] == ["user", "assistant", "user"]
    calls = [json.loads(line) for line in rendered[1]["content"].splitlines()]
    assert calls[0] == {"tool": "get_arrears", "arguments": {"household_id": "H-1"}}
    assert "get_arrears（调用 call_a）：\n欠费 100 元" in rendered[2]["content"]
    assert "get_arrears（调用 call_b）：\n欠费 200 元" in rendered[2]["content"]


def test_when_response_format_json_schema_then_schema_is_enforced_and_described():
    schema = {"type": "object", "properties": {"cause": {"type": "string", "description": "原因"}}}
    body = {
        "messages": [{"role": "user", "content": "判断原因"}],
        "response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": schema}},
        "max_completion_tokens": 50,
        "temperature": 0,
        "logprobs": True,
    }
    upstream, plan = build_upstream_request(body)
    assert plan is None and upstream["json_schema"] == schema
    assert '"description":"原因"' in upstream["messages"][0]["content"]
    assert upstream["max_tokens"] == 50 and upstream["temperature"] == 0
    assert "logprobs" not in upstream and "response_format" not in upstream


def test_when_schema_values_change_per_call_then_the_system_text_stays_the_same_and_the_grammar_keeps_them():
    def request(causes: list[str]) -> dict:
        schema = {
            "type": "object",
            "properties": {"cause": {"enum": causes, "type": "string"}, "kind": {"const": "x"}},
            "required": ["cause"],
        }
        return {
            "messages": [{"role": "system", "content": "规则"}, {"role": "user", "content": "本户证据"}],
            "response_format": {"type": "json_schema", "json_schema": {"name": "d", "schema": schema}},
        }

    first, _ = build_upstream_request(request(["svc.slow_repair", "beh.forgetful"]))
    second, _ = build_upstream_request(request(["ext.hardship"]))
    assert first["messages"][0] == second["messages"][0]  # the cacheable prefix is identical
    assert "slow_repair" not in first["messages"][0]["content"]
    assert first["json_schema"]["properties"]["cause"]["enum"] == ["svc.slow_repair", "beh.forgetful"]
    assert second["json_schema"]["properties"]["kind"]["const"] == "x"


def test_when_response_format_json_object_then_any_object_is_enforced():
    body = {
        "messages": [{"role": "user", "content": "x"}],
        "response_format": {"type": "json_object"},
    }
    upstream, _ = build_upstream_request(body)
    assert upstream["json_schema"] == {"type": "object"}


def test_when_messages_missing_then_value_error():
    with pytest.raises(ValueError):
        build_upstream_request({"messages": []})


def test_when_model_calls_a_tool_then_reply_has_openai_tool_call():
    plan = plan_tools([ARREARS_TOOL], "auto")
    reply = parse_tool_output('{"tool": "get_arrears", "arguments": {"household_id": "H-1203"}}', plan)
    assert reply.content is None
    call = reply.tool_calls[0]
    assert call["id"].startswith("call_") and call["type"] == "function"
    assert call["function"]["name"] == "get_arrears"
    assert json.loads(call["function"]["arguments"]) == {"household_id": "H-1203"}


def test_when_model_answers_directly_then_reply_is_content_only():
    plan = plan_tools([ARREARS_TOOL], "auto")
    reply = parse_tool_output('{"tool": "final_answer", "content": "您好"}', plan)
    assert reply.content == "您好" and reply.tool_calls == []


def test_when_output_is_not_json_then_text_is_kept_as_content():
    plan = plan_tools([ARREARS_TOOL], "auto")
    assert parse_tool_output('{"tool": "get_arr', plan).content == '{"tool": "get_arr'


def test_when_direct_answer_streams_then_text_arrives_decoded_in_pieces():
    follower = FinalAnswerStream(plan_tools([ARREARS_TOOL], "auto"))
    raw = '{"tool": "final_answer", "content": "第一行\\n引号\\"和\\u4e2d文"}'
    pieces = [follower.feed(raw[i : i + 4]) for i in range(0, len(raw), 4)]
    assert "".join(pieces) == '第一行\n引号"和中文'
    assert all("\\" not in p for p in pieces)


def test_when_stream_is_a_tool_call_then_no_text_is_emitted():
    follower = FinalAnswerStream(plan_tools([ARREARS_TOOL], "auto"))
    raw = '{"tool": "get_arrears", "arguments": {"content": "x"}}'
    assert "".join(follower.feed(ch) for ch in raw) == ""
