"""A real langchain ChatOpenAI talking to the proxy (fake upstream) through the TestClient."""

from __future__ import annotations

import json

import pytest
from langchain_core.messages import HumanMessage, ToolMessage
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI
from pydantic import BaseModel, Field

from agent.llm.client import get_chat_model
from core.settings import Settings


@tool
def get_arrears(household_id: str) -> str:
    """查询某户的欠费金额和欠费月数。"""
    return "欠费 1260.00 元，共 6 个月"


class Cause(BaseModel):
    """欠费原因判断。"""

    cause_group: str = Field(description="欠费原因类别")
    confidence: float = Field(description="0 到 1 的置信度")


@pytest.fixture(autouse=True)
def _block_model_requests() -> None:
    """Overrides the suite's kill switch: every request here goes to the scripted fake upstream."""


@pytest.fixture
def model(client) -> ChatOpenAI:
    return ChatOpenAI(
        model="qwen2.5-coder-1.5b-instruct",
        base_url="http://testserver/v1",
        api_key="sk-local",
        http_client=client,
        max_retries=0,
    )


def test_when_bound_tools_then_langchain_gets_parsed_tool_calls_and_usage(model, fake):
    fake.reply('{"tool": "get_arrears", "arguments": {"household_id": "H-1203"}}')
    message = model.bind_tools([get_arrears]).invoke("H-1203 欠了多少？")
    assert message.tool_calls[0]["name"] == "get_arrears"
    assert message.tool_calls[0]["args"] == {"household_id": "H-1203"}
    assert message.usage_metadata["total_tokens"] == 18
    sent = fake.last
    assert sent["json_schema"]["oneOf"][0]["properties"]["arguments"]["required"] == ["household_id"]


def test_when_tool_loop_continues_then_upstream_sees_call_and_result(model, fake):
    fake.reply('{"tool": "get_arrears", "arguments": {"household_id": "H-1203"}}')
    fake.reply('{"tool": "final_answer", "content": "H-1203 欠费 1260 元。"}')
    bound = model.bind_tools([get_arrears])
    history = [HumanMessage("H-1203 欠了多少？")]
    first = bound.invoke(history)
    call = first.tool_calls[0]
    history += [first, ToolMessage(get_arrears.invoke(call["args"]), tool_call_id=call["id"])]
    final = bound.invoke(history)
    assert final.content == "H-1203 欠费 1260 元。" and final.tool_calls == []
    roles = [m["role"] for m in fake.last["messages"]]
    assert roles == ["system", "user", "assistant", "user"]
    assert json.loads(fake.last["messages"][2]["content"])["arguments"] == {"household_id": "H-1203"}
    assert "欠费 1260.00 元，共 6 个月" in fake.last["messages"][3]["content"]


def test_when_structured_output_json_schema_then_pydantic_object(model, fake):
    fake.reply('{"cause_group": "服务质量", "confidence": 0.8}')
    result = model.with_structured_output(Cause, method="json_schema").invoke("楼道灯坏了没人修")
    assert result == Cause(cause_group="服务质量", confidence=0.8)
    assert fake.last["json_schema"]["properties"]["cause_group"]["type"] == "string"


def test_when_structured_output_function_calling_then_named_tool_is_forced(model, fake):
    fake.reply('{"tool": "Cause", "arguments": {"cause_group": "经济困难", "confidence": 0.6}}')
    result = model.with_structured_output(Cause, method="function_calling").invoke("最近失业了")
    assert result == Cause(cause_group="经济困难", confidence=0.6)
    assert fake.last["json_schema"]["properties"]["tool"] == {"const": "Cause"}
    assert "final_answer" not in json.dumps(fake.last["json_schema"])


def test_when_streaming_through_langchain_then_chunks_add_up(model, fake):
    fake.reply("您好，物业费可以分期缴纳。")
    chunks = list(model.stream("能分期吗"))
    assert len(chunks) > 2
    assert "".join(c.content for c in chunks) == "您好，物业费可以分期缴纳。"


def test_when_streaming_a_tool_call_through_langchain_then_call_is_assembled(model, fake):
    fake.reply('{"tool": "get_arrears", "arguments": {"household_id": "H-7"}}')
    merged = None
    for chunk in model.bind_tools([get_arrears]).stream("查 H-7"):
        merged = chunk if merged is None else merged + chunk
    assert merged.tool_calls[0]["args"] == {"household_id": "H-7"}


def test_when_factory_is_called_then_model_uses_settings():
    settings = Settings(
        llm_base_url="http://example.invalid:9/v1",
        llm_model="m1",
        llm_api_key="k1",
        llm_timeout=7.0,
        llm_max_retries=4,
    )
    chat = get_chat_model(settings, temperature=0.0, max_tokens=99)
    assert (chat.model_name, chat.openai_api_base, chat.openai_api_key.get_secret_value()) == (
        "m1",
        "http://example.invalid:9/v1",
        "k1",
    )
    assert (chat.request_timeout, chat.max_retries, chat.max_tokens, chat.temperature) == (
        7.0,
        4,
        99,
        0.0,
    )
    assert get_chat_model(settings, streaming=True).streaming is True
