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
        assert any(kind == "tool_result" and "待管家审批" in text or "awaiting_approval" in text for kind, text in second)
    history = saver.get({"configurable": {"thread_id": "t1"}})
    assert len(history["channel_values"]["messages"]) >= 8
