"""The diagnosis → plan → guardrail → approval graph."""

from __future__ import annotations

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph

from agent.context import AgentContext
from agent.nodes.approve import approve, persist
from agent.nodes.diagnose import diagnose
from agent.nodes.gather import gather
from agent.nodes.plan import plan
from agent.nodes.retrieve import retrieve
from agent.nodes.validate import fallback, revise, route_after_validate, validate
from agent.state import AgentState


def build_graph(checkpointer: BaseCheckpointSaver | None = None):  # noqa: ANN201
    """Compile the plan graph; pass a checkpointer to pause at the approval interrupt."""
    builder = StateGraph(AgentState, context_schema=AgentContext)
    builder.add_node("gather", gather)
    builder.add_node("retrieve", retrieve)
    builder.add_node("diagnose", diagnose)
    builder.add_node("plan", plan)
    builder.add_node("validate", validate)
    builder.add_node("revise", revise)
    builder.add_node("fallback", fallback)
    builder.add_node("persist", persist)
    builder.add_node("approve", approve)
    builder.add_edge(START, "gather")
    builder.add_edge("gather", "retrieve")
    builder.add_edge("retrieve", "diagnose")
    builder.add_edge("diagnose", "plan")
    builder.add_edge("plan", "validate")
    builder.add_conditional_edges("validate", route_after_validate, ["revise", "fallback", "persist"])
    builder.add_edge("revise", "validate")
    builder.add_edge("fallback", "validate")
    builder.add_edge("persist", "approve")
    builder.add_edge("approve", END)
    return builder.compile(checkpointer=checkpointer)
