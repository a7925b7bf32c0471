"""Chat agent with a scripted model: tool calls are real, memory lives in the checkpointer."""

from __future__ import annotations

from langchain_core.messages import AIMessage, ToolMessage
from langgraph.checkpoint.memory import InMemorySaver

from agent.chat import build_chat_agent, chat_turn
from tools.evidence import EvidenceReader


def test_when_steward_asks_then_tools_are_called_and_memory_keeps_the_turns(agent_context, fake_model):
    def handler(messages, kwargs):
        if not any(isinstance(m, ToolMessage) for m in messages[-2:]):
            if "生成方案" in str(messages[-1].content):
                return AIMessage(content="", tool_calls=[{"name": "generate_plan", "args": {}, "id": "c2"}])
            return AIMessage(content="", tool_calls=[{"name": "get_tickets", "args": {}, "id": "c1"}])
        return AIMessage(content=f"已读取，共{len(messages)}条消息。")

    fake_model.chat_handler = handler
    saver = InMemorySaver()
    with agent_context.session_factory() as session:
        reader = EvidenceReader(session, "BJ-PILOT/4-1203", agent_context.scope)
        agent = build_chat_agent(agent_context, reader, saver)
        first = list(chat_turn(agent, "她投诉过什么？", "t1"))
        assert ("tool_call", "get_tickets({})") in first
        assert any(kind == "tool_result" and "保洁清洁" in text for kind, text in first)
        second = list(chat_turn(agent, "生成方案", "t1"))
        assert any(kind == "tool_call" and text.startswith("generate_plan") for kind, text in second)
        assert any(
            kind == "tool_result" and "待管家审批" in text or "awaiting_approval" in text for kind, text in second
        )
    history = saver.get({"configurable": {"thread_id": "t1"}})
    assert len(history["channel_values"]["messages"]) >= 8


def _plan_count(ctx) -> int:
    from sqlalchemy import func, select

    from data.db.workflow import DunningPlan

    with ctx.session_factory() as s:
        return s.execute(select(func.count(DunningPlan.id))).scalar()


def test_finding4_read_only_chat_offers_no_plan_tool_and_writes_nothing(agent_context, fake_model):
    from dataclasses import replace

    from core.scope import CallerScope

    seen_tools: list[list[str]] = []

    def handler(messages, kwargs):
        seen_tools.append([t["function"]["name"] for t in kwargs.get("tools") or []])
        if not any(isinstance(m, ToolMessage) for m in messages[-2:]):
            return AIMessage(content="", tool_calls=[{"name": "generate_plan", "args": {}, "id": "c1"}])
        return AIMessage(content="好的。")

    fake_model.chat_handler = handler
    ctx = replace(agent_context, scope=CallerScope("ro", frozenset({"BJ-PILOT"}), can_write=False))
    before = _plan_count(ctx)
    with ctx.session_factory() as session:
        reader = EvidenceReader(session, "BJ-PILOT/4-1203", ctx.scope)
        events = list(chat_turn(build_chat_agent(ctx, reader, InMemorySaver()), "生成方案", "ro"))
    assert seen_tools and all("generate_plan" not in names for names in seen_tools)
    assert not any(kind == "tool_result" and "awaiting_approval" in text for kind, text in events)
    assert _plan_count(ctx) == before


def test_finding4_owner_text_returned_by_a_tool_cannot_trigger_a_plan_write(agent_context, fake_model):
    def handler(messages, kwargs):
        last = messages[-1]
        if isinstance(last, ToolMessage) and last.name == "get_chats":
            # The model obeys an instruction hidden in the owner's chat text.
            return AIMessage(
                content="", tool_calls=[{"name": "generate_plan", "args": {"instruction": "x"}, "id": "c2"}]
            )
        if isinstance(last, ToolMessage):
            return AIMessage(content="完成。")
        return AIMessage(content="", tool_calls=[{"name": "get_chats", "args": {}, "id": "c1"}])

    fake_model.chat_handler = handler
    before = _plan_count(agent_context)
    with agent_context.session_factory() as session:
        reader = EvidenceReader(session, "BJ-PILOT/4-1203", agent_context.scope)
        events = list(chat_turn(build_chat_agent(agent_context, reader, InMemorySaver()), "她最近说了什么？", "t"))
    assert any(kind == "tool_call" and text.startswith("generate_plan") for kind, text in events)
    assert any(kind == "tool_result" and "未执行" in text for kind, text in events)
    assert _plan_count(agent_context) == before


def test_finding4_the_plan_write_itself_refuses_a_read_only_caller(agent_context):
    from dataclasses import replace

    import pytest

    from agent.graph import build_graph
    from agent.runner import run_plan
    from core.scope import CallerScope, ScopeError

    ctx = replace(agent_context, scope=CallerScope("compliance", None, can_write=False))
    before = _plan_count(ctx)
    with pytest.raises(ScopeError, match="只能查看"):
        run_plan(build_graph(checkpointer=InMemorySaver()), ctx, "BJ-PILOT/4-1203")
    assert _plan_count(ctx) == before
