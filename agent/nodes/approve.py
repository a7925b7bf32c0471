"""Persist the draft, then wait for the steward: accept / edit / respond / ignore."""

from __future__ import annotations

from typing import Literal

from langgraph.graph import END
from langgraph.runtime import Runtime
from langgraph.types import Command, interrupt
from pydantic import BaseModel, Field

from agent.context import AgentContext
from agent.state import AgentState
from data.repositories import plans
from data.repositories.households import find_unit
from prompts import PROMPT_VERSION


class ApprovalDecision(BaseModel):
    """The steward's answer to the approval interrupt."""

    action: Literal["accept", "edit", "respond", "ignore"]
    user: str = Field(description="Who decides")
    edits: dict[int, str] = Field(default_factory=dict, description="Step number → new text (edit)")
    instruction: str = Field("", description="What to change, e.g. 语气再温和一点 (respond)")
    comment: str = ""


def persist(state: AgentState, runtime: Runtime[AgentContext]) -> dict:
    """Store the diagnosis and this plan version (blocked if validation failed)."""
    ctx = runtime.context
    with ctx.session_factory() as session:
        unit = find_unit(session, state["household"])
        ctx.scope.check_write(unit.project.code)  # the one place plans are written: rights follow the caller
        model = ctx.settings.llm_model if ctx.settings else ""
        row = plans.save_draft(
            session,
            unit_id=unit.id,
            diagnosis=state["diagnosis"],
            plan=state["plan"],
            validation=state["validation"],
            thread_id=state.get("thread_id"),
            actor=ctx.scope.user,
            at=ctx.clock(),
            model=model,
            prompt_version=PROMPT_VERSION,
            supersedes=state.get("plan_id"),
        )
        session.commit()
        status = row.status
        plan_id = row.id
    return {"plan_id": plan_id, "status": status}


def approval_payload(state: AgentState) -> dict:
    """What the workbench renders while waiting."""
    return {
        "plan_id": state.get("plan_id"),
        "status": state.get("status"),
        "diagnosis": state.get("diagnosis"),
        "plan": state.get("plan"),
        "validation": state.get("validation"),
        "actions": ["accept", "edit", "respond", "ignore"],
    }


def approve(state: AgentState, runtime: Runtime[AgentContext]) -> Command[Literal["validate", "plan", "__end__"]]:
    """Interrupt for the steward's decision (no side effects before the interrupt)."""
    if state.get("status") == "blocked":
        return Command(goto=END)
    raw = interrupt(approval_payload(state))
    decision = ApprovalDecision.model_validate(raw)
    ctx = runtime.context
    if decision.action == "edit":
        steps = [
            {
                **s,
                "message": decision.edits.get(s["seq"], s["message"]),
                "message_source": "steward_edit" if s["seq"] in decision.edits else s["message_source"],
            }
            for s in state["plan"]["steps"]
        ]
        return Command(
            goto="validate", update={"plan": {**state["plan"], "steps": steps}, "revisions": 0, "revise_stalled": False}
        )
    if decision.action == "respond":
        return Command(goto="plan", update={"instruction": decision.instruction})
    verdict = "accept" if decision.action == "accept" else "ignore"
    ctx.scope.check_write()
    with ctx.session_factory() as session:
        plans.decide(
            session,
            plan_id=state["plan_id"],
            decision=verdict,
            username=decision.user,
            at=ctx.clock(),
            comment=decision.comment,
        )
        session.commit()
    return Command(goto=END, update={"status": "approved" if verdict == "accept" else "ignored"})
