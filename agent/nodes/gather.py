"""Gather: the model reads evidence through tools; the graph then reads any required source it skipped."""

from __future__ import annotations

import json
import logging

from langchain_core.messages import HumanMessage, SystemMessage, ToolMessage
from langgraph.runtime import Runtime

from agent.context import AgentContext
from agent.nodes.common import facts_for, model_for, reader_for, timed_call
from agent.state import AgentState
from prompts.agent import GATHER
from tools.evidence import REQUIRED_SOURCES
from tools.household_tools import make_evidence_tools

log = logging.getLogger(__name__)
RESULT_PREVIEW_CHARS = 400  # the model sees a preview; the full payload stays in state


def gather(state: AgentState, runtime: Runtime[AgentContext]) -> dict:
    """Let the model call evidence tools for a few rounds, then guarantee coverage."""
    facts_for(runtime, state["household"], fresh=True)  # a new run reads the household's facts anew
    with reader_for(runtime, state["household"]) as reader:
        tools = {t.name: t for t in make_evidence_tools(reader)}
        evidence: dict[str, object] = {}
        records: list[dict] = []
        messages = [SystemMessage(GATHER), HumanMessage("请读取【本户】的证据。")]
        usage: list[dict] = []
        try:
            base = model_for(runtime, state["household"], temperature=0.0, max_tokens=200)
            for round_no in range(runtime.context.gather_rounds):
                # The first round must read something; later rounds may stop.
                model = base.bind_tools(list(tools.values()), tool_choice="required" if round_no == 0 else "auto")
                reply, record = timed_call(f"gather_{round_no}", lambda model=model: model.invoke(messages))
                usage.append(record)
                messages.append(reply)
                if not reply.tool_calls:
                    break
                for call in reply.tool_calls:
                    tool = tools.get(call["name"])
                    if tool is None:
                        content = json.dumps({"error": f"没有这个工具：{call['name']}"}, ensure_ascii=False)
                    else:
                        content = tool.invoke(call.get("args") or {})
                        evidence[call["name"]] = json.loads(content)
                        records.append({"tool": call["name"], "args": call.get("args") or {}, "by": "model"})
                    messages.append(ToolMessage(content[:RESULT_PREVIEW_CHARS], tool_call_id=call["id"]))
        except Exception as exc:  # the endpoint may be down: coverage below still reads everything
            log.warning("gather: model tool calling failed (%s); reading sources deterministically", type(exc).__name__)
            records.append({"tool": "model", "args": {}, "by": "graph", "error": type(exc).__name__})
        for name in (*REQUIRED_SOURCES, "get_commitments", "get_consent_state"):
            if name not in evidence:
                evidence[name] = json.loads(tools[name].invoke({}))
                records.append({"tool": name, "args": {}, "by": "graph"})
    return {"evidence": evidence, "tool_calls": records, "messages": messages[2:], "usage": usage}
