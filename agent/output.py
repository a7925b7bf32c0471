"""The public JSON shape of a plan run (CLI --json, API, evals)."""

from __future__ import annotations


def plan_result(state: dict, kb) -> dict:  # noqa: ANN001
    """Project the graph state onto the documented output object."""
    diag = state.get("diagnosis") or {}
    causes = kb.causes
    secondary = [{"id": c, "name": causes[c].name, "dimension": causes[c].dimension, "category": causes[c].category}
                 for c in diag.get("secondary_cause_ids", []) if c in causes]
    plan = state.get("plan") or {}
    steps = [{k: s[k] for k in ("seq", "date", "window", "channel", "fallback_channel", "template_id", "action",
                                "role", "role_name", "outgoing", "message", "message_source")}
             for s in plan.get("steps", [])]
    return {
        "household": state.get("household"),
        "diagnosis": {"primary_cause": diag.get("primary_cause"), "secondary_causes": secondary,
                      "confidence": diag.get("confidence"), "explanation": diag.get("explanation"),
                      "citations": diag.get("citations", []), "flags": diag.get("flags", {}),
                      "source": diag.get("source")},
        "plan": {"stage": plan.get("stage"), "strategy": plan.get("strategy"),
                 "strategy_label": plan.get("strategy_label"), "arrears": plan.get("arrears"),
                 "days_overdue": plan.get("days_overdue"), "pause_forced_collection": plan.get("pause_forced_collection"),
                 "manager_review": plan.get("manager_review"), "notes": plan.get("notes", []),
                 "is_fallback": bool(plan.get("is_fallback")), "steps": steps},
        "validation": {"passed": (state.get("validation") or {}).get("passed", False),
                       "failures": (state.get("validation") or {}).get("failures", [])},
        "status": state.get("status"),
        "plan_id": state.get("plan_id"),
        "thread_id": state.get("thread_id"),
        "tool_calls": state.get("tool_calls", []),
        "usage": state.get("usage", []),
    }
