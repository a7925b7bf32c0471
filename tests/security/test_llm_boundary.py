"""The LLM boundary: prompts with raw personal data are refused before leaving; real prompts pass."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest
from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.checkpoint.memory import InMemorySaver

from agent.graph import build_graph
from agent.llm.boundary import PIIBoundaryError, check_prompt, known_values
from agent.llm.client import get_chat_model
from agent.runner import run_plan
from core.settings import Settings
from data.generator.pilot import PILOT_OWNER
from tests.security.conftest import PILOT

KILL_SWITCH = "real model requests are disabled"


@pytest.fixture
def model_settings(tmp_path) -> Settings:
    return Settings(var_dir=tmp_path, llm_base_url="http://127.0.0.1:9/v1", llm_max_retries=0)


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("业主电话13912345678，请联系", "CN_MOBILE"),
        ("身份证110105198503124523", "CN_RESIDENT_ID"),
        ("银行卡号 6222 0212 3456 7890 128", "CN_BANK_CARD"),
        ("邮箱 wangli@example.com", "EMAIL_ADDRESS"),
        ("微信号：wangli_1203", "CN_WECHAT_ID"),
    ],
)
def test_when_prompt_has_raw_pii_then_it_is_refused_with_the_type_only(model_settings, caplog, text, entity):
    caplog.set_level(logging.WARNING)
    with pytest.raises(PIIBoundaryError) as err:
        get_chat_model(model_settings).invoke([SystemMessage("你是物业助手"), HumanMessage(text)])
    assert entity in err.value.entity_types
    raw = text.split("，")[0][-8:]
    assert raw not in str(err.value) and raw not in caplog.text and entity in caplog.text


def test_when_prompt_is_redacted_then_it_passes_the_boundary(model_settings):
    with pytest.raises(RuntimeError, match=KILL_SWITCH):
        get_chat_model(model_settings).invoke("【业主】反映电梯故障，手机号【手机号1】，欠费1680.00元，账龄64天")


def test_when_streaming_or_structured_then_the_boundary_still_applies(model_settings):
    model = get_chat_model(model_settings, streaming=True)
    with pytest.raises(PIIBoundaryError):
        list(model.stream("电话13912345678"))
    with pytest.raises(PIIBoundaryError):
        model.bind_tools([]).invoke("电话13912345678")


async def _ainvoke(model, text):  # noqa: ANN001, ANN202
    return await model.ainvoke(text)


def test_when_called_async_then_the_boundary_still_applies(model_settings):
    import asyncio

    with pytest.raises(PIIBoundaryError):
        asyncio.run(_ainvoke(get_chat_model(model_settings), "身份证110105198503124523"))


def test_when_household_values_are_known_then_they_are_refused_too(model_settings):
    with pytest.raises(PIIBoundaryError, match="已知个人信息"):
        get_chat_model(model_settings, known_values=["王丽"]).invoke("王丽说下周缴费")
    with known_values(["王丽"]), pytest.raises(PIIBoundaryError):
        get_chat_model(model_settings).invoke("王丽说下周缴费")
    with pytest.raises(RuntimeError, match=KILL_SWITCH):
        get_chat_model(model_settings).invoke("王丽说下周缴费")  # a bare name alone is not blocked


def test_when_the_pilot_graph_runs_then_every_real_prompt_passes_the_boundary(agent_context, fake_model):
    # With a model round for evidence too, so every kind of prompt the graph can send is checked.
    run_plan(build_graph(checkpointer=InMemorySaver()), replace(agent_context, gather_rounds=1), PILOT)
    assert len(fake_model.sent) >= 3
    pilot = (PILOT_OWNER["name"], PILOT_OWNER["mobile"], PILOT_OWNER["id_number"], PILOT_OWNER["wechat"])
    for messages in fake_model.sent:
        check_prompt(messages, pilot)


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("业主电话 138.0013.8000，请联系", "CN_MOBILE"),
        ("业主电话１３８００１３８０００，请联系", "CN_MOBILE"),
        ("业主电话 １38-００13-8000，请联系", "CN_MOBILE"),
        ("身份证 110105 19850312 4523，请核对", "CN_RESIDENT_ID"),
        ("银行卡 ６２２２０２１２３４５６７８９０１２８，请核对", "CN_BANK_CARD"),
    ],
)
def test_finding7_when_a_number_variant_reaches_the_model_boundary_then_it_is_refused(model_settings, text, entity):
    with pytest.raises(PIIBoundaryError) as err:
        get_chat_model(model_settings).invoke([SystemMessage("你是物业助手"), HumanMessage(text)])
    assert entity in err.value.entity_types
