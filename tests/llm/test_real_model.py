"""The real embedded model behind the real endpoint: tool calls and structured output."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from langchain_core.tools import tool
from pydantic import BaseModel, Field

from agent.llm.client import endpoint_healthy, get_chat_model
from app.llm_server.lifecycle import ensure_endpoint
from app.llm_server.server import free_port
from core.settings import Settings

pytestmark = pytest.mark.llm


@tool
def get_arrears(household_id: str) -> str:
    """查询某户业主的欠费金额和欠费月数。household_id 是房号，例如 7栋1203。"""
    return "欠费 1260.00 元，共 6 个月"


class Diagnosis(BaseModel):
    """对业主欠费原因的判断。"""

    cause_group: str = Field(description="欠费原因类别，例如 服务质量、经济困难")
    confidence: float = Field(description="0 到 1 之间的置信度")
    evidence: list[str] = Field(description="支持判断的原话")


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    var_dir: Path = tmp_path_factory.mktemp("llm-var")
    settings = Settings(var_dir=var_dir, llm_base_url=f"http://127.0.0.1:{free_port()}/v1")
    process = ensure_endpoint(settings, timeout=120)
    assert process is not None and endpoint_healthy(settings)
    try:
        yield settings
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_when_endpoint_already_runs_then_ensure_starts_nothing(endpoint):
    assert ensure_endpoint(endpoint) is None


def test_when_asked_about_a_households_arrears_then_model_calls_the_tool(endpoint):
    model = get_chat_model(endpoint, temperature=0.0).bind_tools([get_arrears])
    message = model.invoke("请帮我查一下7栋1203这户欠了多少物业费？")
    assert len(message.tool_calls) == 1
    call = message.tool_calls[0]
    assert call["name"] == "get_arrears"
    assert "1203" in call["args"]["household_id"]
    assert message.usage_metadata["input_tokens"] > 50


def test_when_structured_output_is_requested_then_both_methods_return_valid_objects(endpoint):
    model = get_chat_model(endpoint, temperature=0.0, max_tokens=200)
    question = "业主原话：楼道灯坏了三个月没人修，电梯也老停，我不交物业费。请判断欠费原因。"
    for method in ("json_schema", "function_calling"):
        result = model.with_structured_output(Diagnosis, method=method).invoke(question)
        assert isinstance(result, Diagnosis), method
        assert result.cause_group.strip() and result.evidence, method
