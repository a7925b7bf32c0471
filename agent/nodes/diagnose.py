"""Diagnose: the model names the primary cause among the candidates, with citations checked to exist."""

from __future__ import annotations

import json
import logging

from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.runtime import Runtime

from agent.context import AgentContext
from agent.contracts import Diagnosis
from agent.messages import EXPLANATION_MAX_CHARS, whole_sentences
from agent.nodes.common import model_for, timed_call
from agent.schemas import diagnosis_model
from agent.state import AgentState
from core.domain.malice import HARDSHIP, MALICIOUS, states_hardship
from core.domain.strategy import OwnerFlags
from prompts.agent import DIAGNOSE, DIAGNOSE_INPUT, DIAGNOSE_RETRY
from tools.contracts import Evidence

log = logging.getLogger(__name__)
ACCEPT_RATIO = 0.6  # the model's pick must score at least this share of the best candidate
MAX_ATTEMPTS = 3
# The owner lines the diagnosis reads: those retrieval matched to the leading candidates, and the latest two.
FOCUS_CANDIDATES = 3
DIGEST_LINES = 6
DIGEST_WIDTH = 60


def owner_lines_for(ev: Evidence, focus: set[str] | None, limit: int, recent: int = 2) -> list:
    """The owner's lines the prompt shows, in time order, at most ``limit``, repeated lines once.

    With ``focus`` (the ids retrieval matched to the leading candidates): those lines and the ``recent`` latest;
    without it: the latest lines.
    """
    lines = ev.owner_lines()
    if focus is not None:
        keep = {m.id for m in lines if m.id in focus} | {m.id for m in lines[-recent:]}
        lines = [m for m in lines if m.id in keep]
    seen, out = set(), []
    for m in lines:
        key = m.text.strip()[:12]
        if key and key not in seen:
            seen.add(key)
            out.append(m)
    return out[-limit:]


def evidence_digest(
    evidence: Evidence | dict, limit_msgs: int = 10, width: int = 80, focus: set[str] | None = None
) -> tuple[str, list[str]]:
    """Compact evidence lines for the prompt, and every id they show (see `owner_lines_for` for ``focus``)."""
    ev = Evidence.of(evidence)
    lines, ids = [], []
    profile = ev.profile
    lines.append(
        f"[{profile.get('id', 'bill')}] 欠费{profile.get('arrears')}元，账龄{profile.get('days_overdue')}天，"
        f"未缴账期{','.join(profile.get('unpaid_periods', []))}；{profile.get('notes', '')}"
    )
    ids.append(profile.get("id", "bill"))
    # The owner's own words carry the cause; staff replies mostly restate them.
    for m in owner_lines_for(ev, focus, limit_msgs):
        lines.append(f"[{m.id}] {m.time[:10]} 业主：{m.text[:width]}")
        ids.append(m.id)
    for t in ev.tickets:
        lines.append(f"[{t.id}] 工单 {t.type}：{t.description}；状态{t.status}；满意度{t.satisfaction}")
        ids.append(t.id)
    for c in ev.claims:
        recs = "；".join(r.text for r in c.records[-2:])
        lines.append(f"[{c.id}] 诉求 {c.type}：{'；'.join(c.items)}（协商：{recs}）")
        ids.append(c.id)
    habits, records = ev.payments.habits, ev.payments.records
    if records:
        lines.append(
            f"[{records[-1].id}] 缴费习惯：按时率{habits.get('on_time_rate')}，"
            f"延迟中位{habits.get('median_delay_days')}天，常用{habits.get('usual_channel')}"
        )
        ids.append(records[-1].id)
    return "\n".join(lines), ids


def owner_flags(evidence: Evidence | dict, primary: str) -> dict:
    """Owner flags from tags, consent, commitments and the diagnosed cause (deterministic)."""
    ev = Evidence.of(evidence)
    tags = ev.profile.get("owner_tags", [])
    disputes = ev.open_disputes()
    flags = OwnerFlags.from_tags(tags, hardship=primary == "ext.hardship", malicious=primary == "beh.malicious")
    return {
        "vulnerable": flags.vulnerable,
        "high_value": flags.high_value,
        "hardship": flags.hardship,
        "malicious": flags.malicious,
        "dispute_risk": bool(disputes) or primary.startswith(("mgmt.", "spec.")),
    }


def known_ids(evidence: Evidence | dict) -> set[str]:
    """Every citable id present in the gathered evidence."""
    return Evidence.of(evidence).citable_ids()


def check(result: dict, candidates: dict[str, dict], known: set[str]) -> list[str]:
    """Problems with a model diagnosis: unknown causes, citations that do not exist."""
    problems = []
    if result["primary_cause_id"] not in candidates:
        problems.append(f"未知原因编号 {result['primary_cause_id']}")
    for cit in result["citations"]:
        missing = [e for e in cit["evidence_ids"] if e not in known]
        if missing:
            problems.append(f"引用了不存在的证据 {','.join(missing)}")
    return problems


def fallback_diagnosis(candidates: list[dict], evidence: Evidence | dict) -> dict:
    """The retrieval ranking's own answer, used when the model cannot give a valid one."""
    top = candidates[0]
    profile_id = Evidence.of(evidence).profile_id
    return {
        "primary_cause_id": top["cause_id"],
        "secondary_cause_ids": [c["cause_id"] for c in candidates[1:2]],
        "confidence": 0.5,
        "explanation": f"根据证据检索，最接近“{top['name']}”。",
        "citations": [{"cause_id": top["cause_id"], "evidence_ids": top["support"][:3] or [profile_id]}],
        "source": "retrieval",
    }


def guard_malice(result: dict, candidates: list[dict], evidence: Evidence) -> dict:
    """Keep ``beh.malicious`` only on positive evidence; otherwise take the best cause that is not malice.

    Hardship in the evidence prefers ``ext.hardship``; any other grievance prefers the best-supported candidate.
    """
    causes = [result["primary_cause_id"], *result.get("secondary_cause_ids", [])]
    if MALICIOUS not in causes:
        return result
    check = evidence.malice_check()
    if check.allowed:
        return result
    result = {
        **result,
        "secondary_cause_ids": [c for c in result.get("secondary_cause_ids", []) if c != MALICIOUS],
        "malice_check": {"allowed": False, "reason": check.reason},
    }
    if result["primary_cause_id"] != MALICIOUS:
        return result
    ranked = [c for c in candidates if c["cause_id"] != MALICIOUS]
    if check.hardship:
        said = [m.id for m in evidence.owner_lines() if states_hardship(m.text)]
        pick = next((c for c in ranked if c["cause_id"] == HARDSHIP), None) or {"cause_id": HARDSHIP, "support": said}
    else:
        pick = ranked[0] if ranked else {"cause_id": "beh.forgetful", "support": []}
    cause_id = pick["cause_id"]
    support = pick.get("support", [])[:3] or [evidence.profile_id]
    result["primary_cause_id"] = cause_id
    result["citations"] = [
        {"cause_id": cause_id, "evidence_ids": support},
        *(c for c in result.get("citations", []) if c["cause_id"] != MALICIOUS),
    ]
    result["confidence"] = min(float(result.get("confidence") or 0.5), 0.6)
    result["source"] = f"{result.get('source') or 'model'}+malice_guard"
    return result


def candidate_lines(candidates: list[dict]) -> str:
    """One line per candidate cause: id, name and dimension."""
    return "\n".join(f"- {c['cause_id']}：{c['name']}（{c['dimension']}）" for c in candidates)


def from_model(out: dict, candidates: list[dict]) -> dict:
    """The internal diagnosis from the model's short answer; secondary cause and confidence from retrieval.

    Confidence is the chosen cause's share of retrieval support against the best other candidate, mapped to
    0.3–0.9 (0.6 when they tie): an agreement measure the workbench shows as 把握, not a calibrated probability.
    """
    cause = out["cause"]
    scores = {c["cause_id"]: c["score"] for c in candidates}
    others = [c for c in candidates if c["cause_id"] != cause]
    picked = scores.get(cause, 0.0)
    rival = others[0]["score"] if others else 0.0
    share = picked / (picked + rival) if picked + rival > 0 else 0.5
    secondary = [others[0]["cause_id"]] if others and picked > 0 and rival >= 0.5 * picked else []
    return {
        "primary_cause_id": cause,
        "secondary_cause_ids": secondary,
        "confidence": round(0.3 + 0.6 * share, 2),
        "explanation": whole_sentences(out["why"], EXPLANATION_MAX_CHARS),
        "citations": [{"cause_id": cause, "evidence_ids": list(out["evidence"])}],
    }


def _ask_model(
    runtime: Runtime[AgentContext], household: str, evidence: dict, candidates: list[dict]
) -> tuple[dict | None, list]:
    focus = {e for c in candidates[:FOCUS_CANDIDATES] for e in c.get("support", [])}
    digest, shown_ids = evidence_digest(evidence, limit_msgs=DIGEST_LINES, width=DIGEST_WIDTH, focus=focus)
    schema = diagnosis_model([c["cause_id"] for c in candidates])
    model = model_for(runtime, household, temperature=0.0, max_tokens=160).with_structured_output(
        schema, method="json_schema", include_raw=True
    )
    prompt = DIAGNOSE_INPUT.format(candidates=candidate_lines(candidates), evidence=digest)
    messages = [SystemMessage(DIAGNOSE), HumanMessage(prompt)]
    by_id = {c["cause_id"]: c for c in candidates}
    usage = []
    for attempt in range(MAX_ATTEMPTS):
        try:
            out, record = timed_call(f"diagnose_{attempt}", lambda: model.invoke(messages))
        except Exception as exc:  # endpoint errors are retried by the client; give up after that
            log.warning("diagnose: model call failed: %s", type(exc).__name__)
            return None, usage
        usage.append(record)
        parsed = out.get("parsed")
        if parsed is None:
            messages.append(HumanMessage(DIAGNOSE_RETRY.format(problems="输出不是合法的JSON")))
            continue
        result = from_model(json.loads(parsed.model_dump_json()), candidates)
        problems = check(result, by_id, set(shown_ids) | known_ids(evidence))
        if not problems:
            result["source"] = "model"
            return result, usage
        messages.append(HumanMessage(DIAGNOSE_RETRY.format(problems="；".join(problems))))
    return None, usage


def picked_diagnosis(pick: str, name: str, candidates: list[dict], evidence: Evidence | dict, replaced: str) -> dict:
    """The steward's choice of cause as a diagnosis: cited with retrieval's support for it, not the model's."""
    ev = Evidence.of(evidence)
    chosen = next((c for c in candidates if c["cause_id"] == pick), None)
    support = (chosen or {}).get("support", [])[:2] or [ev.profile_id]
    return {
        "primary_cause_id": pick,
        "secondary_cause_ids": [c["cause_id"] for c in candidates if c["cause_id"] != pick][:1],
        "confidence": 1.0,
        "explanation": f"管家判断主要原因为“{name}”。",
        "citations": [{"cause_id": pick, "evidence_ids": support}],
        "source": "steward",
        **({"corrected_from": replaced} if replaced else {}),
    }


def diagnose(state: AgentState, runtime: Runtime[AgentContext]) -> dict:
    """Ask the model, check its answer against the candidates and evidence, fall back to retrieval.

    When the steward picked the cause, the pick stands (the malice guard still applies) and the model is not asked.
    """
    candidates = state["candidates"]
    evidence = state["evidence"]
    kb = runtime.context.kb
    pick = state.get("cause_pick")
    if pick and pick in kb.causes:
        result = picked_diagnosis(pick, kb.causes[pick].name, candidates, evidence, state.get("corrected_from", ""))
        usage = []
    else:
        result, usage = _ask_model(runtime, state["household"], evidence, candidates)
    if result is None:
        result = fallback_diagnosis(candidates, evidence)
    elif result.get("source") == "model":
        scores = {c["cause_id"]: c["score"] for c in candidates}
        best = candidates[0]
        if scores[result["primary_cause_id"]] < ACCEPT_RATIO * best["score"]:
            # The model's pick has weak support in the evidence; keep its reasoning as secondary.
            result["secondary_cause_ids"] = [result["primary_cause_id"], *result["secondary_cause_ids"]][:2]
            result["primary_cause_id"] = best["cause_id"]
            result["citations"] = [
                {"cause_id": best["cause_id"], "evidence_ids": best["support"][:3]},
                *result["citations"],
            ]
            result["source"] = "model+retrieval"
    result = guard_malice(result, candidates, Evidence.of(evidence))
    primary = kb.causes[result["primary_cause_id"]]
    result["primary_cause"] = {
        "id": primary.id,
        "name": primary.name,
        "dimension": primary.dimension,
        "category": primary.category,
    }
    result["secondary_cause_ids"] = [c for c in result["secondary_cause_ids"] if c != primary.id]
    result["flags"] = owner_flags(evidence, primary.id)
    return {"diagnosis": Diagnosis.model_validate(result).model_dump(exclude_unset=True), "usage": usage}
