"""Plan: a deterministic skeleton (stage, strategy, dates, channels) and the model's words per step."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.runtime import Runtime

from agent.context import AgentContext
from agent.contracts import PlanDraft, PlanStep
from agent.messages import (
    fill_template,
    finish_for_channel,
    restore_placeholders,
    slots,
    with_opening,
)
from agent.nodes.common import facts_for, model_for, timed_call
from agent.schemas import openings_model
from agent.state import AgentState
from core.domain.compliance.lexicon import FORBIDDEN_TEMPLATE_WORDS, NEIGHBOUR_TERMS
from core.domain.money import to_yuan
from core.domain.planning import ROLES_ZH, PlanInputs, build_steps
from core.domain.strategy import OwnerFlags, decide
from data.repositories.plan_facts import PlanFacts
from knowledge_base.catalog import get_template
from prompts.agent import OPENINGS_INPUT, WRITE_OPENINGS

log = logging.getLogger(__name__)
OPENING_GROUPS = frozenset({"service_quality", "dispute"})  # causes where the owner raised something to answer
STAGE_RULES = {
    "预警": "预警阶段不得出现“催收”“逾期”“欠款人”等词，用“待缴”“温馨提示”。",
    "初级": "语气正式但礼貌，可提分期方案。",
    "中级": "语气正式，可说明后续会按规定程序处理，不得威胁。",
    "高级": "语气正式，只陈述依法可采取的程序，不得威胁。",
}


def skeleton(facts: PlanFacts, diagnosis: dict, kb) -> dict:  # noqa: ANN001
    """Stage, strategy and dated steps; no model involved."""
    cause = kb.causes[diagnosis["primary_cause_id"]]
    flags = diagnosis["flags"]
    owner = OwnerFlags(
        **{k: bool(flags.get(k)) for k in ("vulnerable", "high_value", "hardship", "malicious", "dispute_risk")}
    )
    decision = decide(cause.strategy_group, owner, facts.days_overdue)
    inputs = PlanInputs(
        as_of=facts.as_of,
        days_overdue=facts.days_overdue,
        arrears_cents=facts.arrears_cents,
        decision=decision,
        preferred_channel=facts.preferred_channel,
        available_channels=facts.available_channels,
        opted_out_channels=facts.opted_out_channels,
        opted_out_all=facts.opted_out_all,
        blacklisted=facts.blacklisted,
        owner_window=facts.owner_window,
        fix_actions=tuple(cause.handling.fix_first),
        instalment_eligible=cause.handling.instalment_eligible,
        cause_id=cause.id,
    )
    steps = build_steps(inputs)
    followup = next((s.day for s in steps if s.action.startswith("整改回访")), facts.as_of + timedelta(days=7))
    fixes = "；".join(cause.handling.fix_first[:2])
    out = []
    for s in steps:
        values = slots(facts, months=s.instalment_months, fix_actions=fixes, followup=f"{followup:%m月%d日}")
        values["due_date"] = f"{s.day + timedelta(days=7):%m月%d日}"  # a reply/payment date after this step
        template_text = fill_template(get_template(s.template_id).text, values) if s.template_id else ""
        out.append(
            PlanStep(
                seq=s.seq,
                date=s.day.isoformat(),
                window=[s.window_start, s.window_end],
                channel=s.channel,
                fallback_channel=s.fallback_channel,
                template_id=s.template_id,
                action=s.action,
                role=s.role,
                role_name=ROLES_ZH.get(s.role, s.role),
                outgoing=s.outgoing,
                instalment_months=s.instalment_months,
                template_text=finish_for_channel(template_text, s.channel) if template_text else "",
            )
        )
    stage = decision.stage.name if decision.stage else "预警"
    draft = PlanDraft(
        stage=stage,
        strategy=decision.name,
        strategy_label=decision.label,
        pause_forced_collection=decision.pause_forced_collection,
        manager_review=decision.manager_review,
        notes=list(decision.notes),
        arrears=f"{to_yuan(facts.arrears_cents):.2f}",
        days_overdue=facts.days_overdue,
        followup_date=followup.isoformat(),
        fix_actions=fixes,
        tone=cause.handling.tone,
        steps=out,
    )
    return draft.model_dump(exclude={"is_fallback"})


def steps_for_model(plan: dict, days: int | None) -> list[dict]:
    """The outgoing steps the model opens now: those within ``days`` of the first (all when None).

    Later steps keep their reviewed template text, filled with the household's facts; the model's time goes
    to the messages the owner receives first.
    """
    outgoing = [s for s in plan["steps"] if s["outgoing"] and s["template_text"]]
    if not outgoing or days is None:
        return outgoing
    first = date.fromisoformat(outgoing[0]["date"])
    return [s for s in outgoing if (date.fromisoformat(s["date"]) - first).days <= days]


def write_messages(
    runtime: Runtime[AgentContext],
    plan: dict,
    diagnosis: dict,
    facts: PlanFacts,
    instruction: str = "",
    household: str = "",
) -> tuple[dict[int, str], list[dict]]:
    """The words of the near-term outgoing steps: the model's opening sentence in front of each reviewed template.

    The model writes one short sentence per step that answers what the owner raised (a few dozen tokens instead
    of whole messages); amounts, dates and fixes stay in the template. Returns seq → full text (may be partial).
    """
    outgoing = steps_for_model(plan, runtime.context.message_days)
    cause = runtime.context.kb.causes.get(diagnosis["primary_cause_id"])
    if not outgoing or cause is None or cause.strategy_group not in OPENING_GROUPS:
        # Nothing the owner raised to answer (forgetful, hardship, refusal): the cause's reviewed templates
        # say it all, and the model is not asked.
        return {}, []
    prompt = OPENINGS_INPUT.format(
        tone=plan["tone"] + ("；" + instruction if instruction else ""),
        stage_rule=STAGE_RULES.get(plan["stage"], ""),
        diagnosis=diagnosis["primary_cause"]["name"],
        explanation=diagnosis.get("explanation") or "无",
        steps="\n".join(f"{s['seq']}. {s['channel']}：{s['action']}" for s in outgoing),
    )
    model = model_for(runtime, household, temperature=0.3, max_tokens=70 * len(outgoing) + 40)
    schema = openings_model([s["seq"] for s in outgoing])
    structured = model.with_structured_output(schema, method="json_schema", include_raw=True)
    try:
        out, record = timed_call(
            "write_messages", lambda: structured.invoke([SystemMessage(WRITE_OPENINGS), HumanMessage(prompt)])
        )
    except Exception as exc:
        log.warning("plan: model call failed: %s", type(exc).__name__)
        return {}, []
    parsed = out.get("parsed")
    if parsed is None:
        return {}, [record]
    templates = {s["seq"]: restore_for_prompt(s["template_text"], facts) for s in outgoing}
    kept = {o.seq: o.text for o in parsed.openings if o.seq in templates and not unfit_opening(o.text)}
    if len(kept) < len(parsed.openings):
        log.info(
            "plan: %d opening(s) dropped for words reviewed templates may not use", len(parsed.openings) - len(kept)
        )
    return {seq: with_opening(templates[seq], text) for seq, text in kept.items()}, [record]


def unfit_opening(text: str) -> bool:
    """An opening holding a word no reviewed template may use (third parties, threats, ID or card numbers…).

    Such an opening is dropped and the step keeps its template: an opening repeats what the owner said, and
    "当着邻居的面" is not something to write back to them.
    """
    return any(word in text for word in (*FORBIDDEN_TEMPLATE_WORDS, *NEIGHBOUR_TERMS))


def restore_for_prompt(template_text: str, facts: PlanFacts) -> str:
    """Template text as the model may see it: the owner's title and unit replaced by placeholders."""
    return template_text.replace(facts.owner_title, "【业主】").replace(facts.unit_label, "【本户】")


def apply_messages(plan: dict, texts: dict[int, str], facts: PlanFacts, source: str) -> dict:
    """Put model texts into outgoing steps (template text where the model gave none)."""
    steps = []
    for s in plan["steps"]:
        s = dict(s)
        if s["outgoing"]:
            if s["seq"] in texts and texts[s["seq"]].strip():
                s["message"] = finish_for_channel(restore_placeholders(texts[s["seq"]], facts), s["channel"])
                s["message_source"] = source
            elif not s["message"]:
                s["message"], s["message_source"] = s["template_text"], "template"
        steps.append(s)
    return {**plan, "steps": steps}


def plan(state: AgentState, runtime: Runtime[AgentContext]) -> dict:
    """Build the skeleton, then let the model write the words."""
    facts = facts_for(runtime, state["household"])
    draft = skeleton(facts, state["diagnosis"], runtime.context.kb)
    texts, usage = write_messages(
        runtime, draft, state["diagnosis"], facts, state.get("instruction", ""), state["household"]
    )
    return {
        "plan": apply_messages(draft, texts, facts, "model"),
        "usage": usage,
        "revisions": 0,
        "revise_stalled": False,
    }
