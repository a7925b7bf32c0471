"""Validate: every outgoing message passes the guardrail; failures go to revision, then to templates."""

from __future__ import annotations

import logging
from datetime import datetime, time
from decimal import Decimal
from typing import Literal

from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.runtime import Runtime

from agent.context import AgentContext
from agent.messages import finish_for_channel, instalment_amount, restore_placeholders
from agent.nodes.common import facts_for, model_for, timed_call
from agent.nodes.plan import restore_for_prompt
from agent.schemas import StepMessages
from agent.state import AgentState
from agent.validation.guard import validate_plan
from core.domain.compliance.escalation import COMMITTEE
from core.domain.compliance.types import ComplianceContext, OutgoingMessage
from core.domain.money import to_yuan
from core.domain.planning import COMMITTEE_ACTION
from data.repositories.plan_facts import PlanFacts
from prompts.agent import REVISE, REVISE_INPUT

log = logging.getLogger(__name__)


def compliance_context(facts: PlanFacts, plan: dict) -> ComplianceContext:
    """The guardrail's view of the owner, ledger and policy."""
    months = {s["instalment_months"] for s in plan["steps"] if s.get("instalment_months")} | {6, 12}
    allowed = {to_yuan(facts.monthly_fee_cents)}
    allowed |= {Decimal(instalment_amount(facts, m)) for m in months if instalment_amount(facts, m)}
    return ComplianceContext(
        ledger_amount=to_yuan(facts.arrears_cents),
        allowed_amounts=frozenset(allowed),
        owner_opted_out=facts.opted_out_all,
        opted_out_channels=facts.opted_out_channels,
        owner_blacklisted=facts.blacklisted,
        prior_contacts=facts.prior_contacts,
        sensitive_values=facts.sensitive_values,
        owner_unit=facts.unit_label,
        planned_steps=planned_escalation(plan),
    )


def planned_escalation(plan: dict) -> tuple[tuple[datetime, str], ...]:
    """The plan's internal 提请业委会督促 steps, timed at the start of their window."""
    return tuple(
        (datetime.combine(datetime.fromisoformat(s["date"]).date(), time.fromisoformat(s["window"][0])), COMMITTEE)
        for s in plan["steps"]
        if s["channel"] == "internal" and s["action"].startswith(COMMITTEE_ACTION)
    )


def outgoing_messages(plan: dict) -> list[OutgoingMessage]:
    """The plan's owner-facing steps as guardrail inputs."""
    out = []
    for s in plan["steps"]:
        if s["outgoing"]:
            day = datetime.fromisoformat(s["date"])
            send_at = datetime.combine(day.date(), time.fromisoformat(s["window"][0]))
            out.append(OutgoingMessage(str(s["seq"]), s["channel"], s["message"], send_at, plan["stage"]))
    return out


def run_validation(facts: PlanFacts, plan: dict) -> dict:
    """Validate the plan's messages and return the report as a dict."""
    return validate_plan(outgoing_messages(plan), compliance_context(facts, plan)).to_dict()


def validate(state: AgentState, runtime: Runtime[AgentContext]) -> dict:
    """Check every outgoing message of the current plan."""
    facts = facts_for(runtime, state["household"])
    return {"validation": run_validation(facts, state["plan"])}


def route_after_validate(state: AgentState, runtime: Runtime[AgentContext]) -> Literal["revise", "fallback", "persist"]:
    """Passed → persist; else revise (bounded), then the template fallback, then persist as blocked.

    Revising stops early when the last revision changed nothing: the same prompt would be sent again.
    """
    if state["validation"]["passed"]:
        return "persist"
    if state.get("revisions", 0) < runtime.context.max_revisions and not state.get("revise_stalled"):
        return "revise"
    if not state["plan"].get("is_fallback"):
        return "fallback"
    return "persist"


def failing_steps(state: AgentState) -> dict[int, list[dict]]:
    """Failures grouped by step number."""
    grouped: dict[int, list[dict]] = {}
    for f in state["validation"]["failures"]:
        grouped.setdefault(int(f["step_id"]), []).append(f)
    return grouped


def revise(state: AgentState, runtime: Runtime[AgentContext]) -> dict:
    """Send the failing messages back to the model with the rule, span and hint of each failure."""
    facts = facts_for(runtime, state["household"])
    grouped = failing_steps(state)
    items = []
    for s in state["plan"]["steps"]:
        if s["seq"] in grouped:
            problems = "；".join(f"{f['message']}（{f['hint']}）" for f in grouped[s["seq"]])
            items.append(f"{s['seq']}. [{s['channel']}] {restore_for_prompt(s['message'], facts)}\n   问题：{problems}")
    prompt = REVISE_INPUT.format(
        instruction=state.get("instruction") or "语气礼貌，金额以系统为准", items="\n".join(items)
    )
    model = model_for(runtime, state["household"], temperature=0.2, max_tokens=140 * len(items) + 80)
    usage: list[dict] = []
    texts: dict[int, str] = {}
    try:
        out, record = timed_call(
            "revise",
            lambda: model.with_structured_output(StepMessages, method="json_schema", include_raw=True).invoke(
                [SystemMessage(REVISE), HumanMessage(prompt)]
            ),
        )
        usage.append(record)
        if out.get("parsed") is not None:
            texts = {m.seq: m.text for m in out["parsed"].messages if m.seq in grouped}
    except Exception as exc:
        log.warning("revise: model call failed: %s", type(exc).__name__)
    steps = []
    changed = False
    for s in state["plan"]["steps"]:
        s = dict(s)
        if s["seq"] in texts and texts[s["seq"]].strip():
            message = finish_for_channel(restore_placeholders(texts[s["seq"]], facts), s["channel"])
            changed |= message != s["message"]
            s["message"], s["message_source"] = message, "model_revised"
        steps.append(s)
    # A revision that changed nothing would be asked again with the very same prompt: go to the templates.
    return {
        "plan": {**state["plan"], "steps": steps},
        "revisions": state.get("revisions", 0) + 1,
        "revise_stalled": not changed,
        "instruction": "",
        "usage": usage,
    }


def fallback(state: AgentState, runtime: Runtime[AgentContext]) -> dict:
    """Replace every still-failing message by its reviewed template, filled deterministically."""
    grouped = failing_steps(state)
    steps = []
    for s in state["plan"]["steps"]:
        s = dict(s)
        if s["seq"] in grouped and s["template_text"]:
            s["message"], s["message_source"] = s["template_text"], "template_fallback"
        steps.append(s)
    return {"plan": {**state["plan"], "steps": steps, "is_fallback": True}}
