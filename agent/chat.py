"""Chat with the assistant about one household: a tool-calling agent with memory in the checkpointer."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool, StructuredTool

from agent.context import AgentContext
from agent.graph import build_graph
from agent.output import plan_result
from agent.runner import resume, run_plan
from prompts.agent import CHAT
from tools.evidence import EvidenceReader
from tools.household_tools import make_evidence_tools

PLAN_REQUEST = re.compile(r"方案|分期|语气|话术|改写|重写|重新生成|修改|调整")
"""What a steward's own message says when it asks for a plan to be written or revised."""
GATE_KEY = "plan_write_gate"
NO_RIGHTS = "未执行：当前账号只能查看，不能生成或修改方案。"
NOT_ASKED = "未执行：只有管家在本轮消息中明确要求（如“生成方案”“改成分期方案”）时才会生成或修改方案。"


@dataclass
class PlanGate:
    """Whether the current chat turn may write a plan, decided from the steward's own message only.

    Tool results (owner chats, tickets, claims) reach the model but never this object: owner text cannot open it.
    One turn writes at most one plan version.
    """

    steward_text: str
    allowed: bool
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def for_turn(cls, text: str) -> PlanGate:
        """The gate of a turn whose steward message is ``text``."""
        return cls(text, bool(PLAN_REQUEST.search(text or "")))

    def take(self) -> bool:
        """Use the turn's one plan write; False when the steward did not ask or it was used already."""
        with self._lock:
            allowed, self.allowed = self.allowed, False
            return allowed


def plan_tool(ctx: AgentContext, household: str, checkpointer: Any) -> BaseTool:
    """A tool that runs the plan graph (or revises the pending plan) when the caller may and the steward asked."""
    graph = build_graph(checkpointer=checkpointer)

    def generate_plan(instruction: str = "", config: RunnableConfig = None) -> str:  # type: ignore[assignment]
        """为【本户】生成（或按要求修改）催费方案，例如 instruction="改成分期方案" 或 "语气再温和一点"。返回诊断和方案摘要，方案需管家审批。"""
        from data.repositories.households import find_unit
        from data.repositories.plans import latest_pending

        if not ctx.scope.can_write:
            return NO_RIGHTS
        gate = ((config or {}).get("configurable") or {}).get(GATE_KEY)
        if not isinstance(gate, PlanGate) or not gate.take():
            return NOT_ASKED
        with ctx.session_factory() as session:
            pending = latest_pending(session, find_unit(session, household).id)
            thread = pending.thread_id if pending else None
        if thread and instruction:
            # The revision follows the steward's own words, not text the model may have taken from evidence.
            state = resume(
                graph,
                ctx,
                thread,
                {"action": "respond", "user": ctx.scope.user, "instruction": gate.steward_text[:500]},
            )
        else:
            state = run_plan(graph, ctx, household)
        out = plan_result(state, ctx.kb)
        summary = {
            "原因": (out["diagnosis"]["primary_cause"] or {}).get("name"),
            "阶段": out["plan"]["stage"],
            "策略": out["plan"]["strategy_label"],
            "步骤数": len(out["plan"]["steps"]),
            "校验通过": out["validation"]["passed"],
            "状态": out["status"],
        }
        return json.dumps(summary, ensure_ascii=False)

    return StructuredTool.from_function(generate_plan, name="generate_plan", description=generate_plan.__doc__)


def build_chat_agent(ctx: AgentContext, reader: EvidenceReader, checkpointer: Any) -> Any:
    """A ReAct agent over the household's tools and the knowledge base, plus plan generation for writers.

    Read-only and compliance users get the reading tools alone.
    """
    from langgraph.prebuilt import create_react_agent

    def search(query: str, k: int) -> list[dict]:
        return [h.to_dict() for h in ctx.kb.search_many([query], k)[0]]

    tools = make_evidence_tools(reader, search=search)
    if ctx.scope.can_write:
        tools = [*tools, plan_tool(ctx, reader.household, checkpointer)]
    model = ctx.model_factory(temperature=0.2, max_tokens=400)
    return create_react_agent(model, tools, prompt=CHAT, checkpointer=checkpointer)


def chat_turn(agent: Any, text: str, thread_id: str) -> Iterator[tuple[str, str]]:
    """Send one steward message; yield ("token"|"tool_call"|"tool_result"|"answer", text) events.

    The turn's plan gate is opened by ``text`` alone (the steward's message), never by tool output.
    """
    config = {"configurable": {"thread_id": thread_id, GATE_KEY: PlanGate.for_turn(text)}}
    streamed = False
    for message, _meta in agent.stream({"messages": [HumanMessage(text)]}, config, stream_mode="messages"):
        if isinstance(message, AIMessageChunk) and message.content:
            streamed = True
            yield "token", str(message.content)
        elif isinstance(message, AIMessage) and message.tool_calls:
            for call in message.tool_calls:
                yield "tool_call", f"{call['name']}({json.dumps(call.get('args') or {}, ensure_ascii=False)})"
        elif isinstance(message, AIMessageChunk) and message.tool_call_chunks:
            for call in message.tool_call_chunks:
                if call.get("name"):
                    yield "tool_call", f"{call['name']}({call.get('args') or ''})"
        elif isinstance(message, ToolMessage):
            yield "tool_result", str(message.content)[:200]
        elif isinstance(message, AIMessage) and message.content and not streamed:
            yield "answer", str(message.content)
