"""Graph state of the diagnosis → plan → validation → approval flow."""

from __future__ import annotations

from typing import Annotated, Any, TypedDict

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages

REPLACE = "__replace__"


def append_records(current: list[dict] | None, update: list[dict] | dict | None) -> list[dict]:
    """Append tool-call records; an update ``{"__replace__": [...]}`` replaces the list instead."""
    current = list(current or [])
    if update is None:
        return current
    if isinstance(update, dict) and REPLACE in update:
        return list(update[REPLACE])
    if isinstance(update, dict):
        return [*current, update]
    return [*current, *update]


class AgentState(TypedDict, total=False):
    """State of one plan run for one household."""

    household: str
    """Household key, e.g. BJ-PILOT/4-1203 (never shown to the model)."""
    thread_id: str
    """Checkpointer thread of this run (stored with the plan so a later approval can resume it)."""
    messages: Annotated[list[AnyMessage], add_messages]
    """The evidence-gathering conversation with the model (tool calls and results)."""
    tool_calls: Annotated[list[dict], append_records]
    """Every evidence read: tool, arguments, and whether the model or the graph made it."""
    evidence: dict[str, Any]
    """Redacted evidence per source (tool name → payload)."""
    candidates: list[dict]
    """Ranked candidate causes from the knowledge base with their supporting evidence ids."""
    diagnosis: dict[str, Any]
    """Primary and secondary causes, confidence, explanation, citations and owner flags."""
    plan: dict[str, Any]
    """Stage, strategy and steps with their messages."""
    validation: dict[str, Any]
    """The last guardrail report (passed, failures)."""
    revisions: int
    """Revision rounds used so far (at most 2 before the template fallback)."""
    revise_stalled: bool
    """The last revision changed no message (no point asking again with the same prompt)."""
    instruction: str
    """A steward's instruction for the next revision (e.g. 语气再温和一点)."""
    cause_pick: str
    """A cause the steward chose when the diagnosis was unsure: the model is not asked, the plan follows it."""
    corrected_from: str
    """The cause the steward's pick replaces (kept with the diagnosis as a labelled correction)."""
    plan_id: int
    """Database id of the saved plan."""
    status: str
    """awaiting_approval | approved | rejected | ignored | blocked."""
    usage: Annotated[list[dict], append_records]
    """Token usage and latency per model call."""
