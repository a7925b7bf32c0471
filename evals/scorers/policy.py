"""Plan policy adherence (stage, dates, windows, cadence, consent, channels) and the case's required elements."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from core.domain.stages import stage_for
from evals.scorers import CaseRun

HIGH_VALUE_TOLERANCE = 30  # PRD: high-value owners get a 45-day 预警 window
WINDOW = ("08:00", "20:00")
OWNER_FACING = frozenset({"sms", "wechat", "phone", "visit", "letter", "email"})


def expected_stage(days_overdue: int, high_value: bool, strategy: str | None) -> str:
    """The stage the ledger implies (the plan defaults to 预警 when nothing is overdue)."""
    tolerance = HIGH_VALUE_TOLERANCE if high_value and strategy != "malicious" else 0
    stage = stage_for(days_overdue, tolerance_days=tolerance)
    return stage.name if stage else "预警"


def policy_checks(plan: dict[str, Any], run: CaseRun) -> dict[str, bool]:
    """Each policy rule → whether the plan keeps it."""
    t = run.truth
    steps = plan.get("steps", [])
    flags = (run.state.get("diagnosis") or {}).get("flags", {})
    outgoing = [s for s in steps if s.get("outgoing") and s.get("channel") in OWNER_FACING]
    per_day = Counter(s["date"] for s in outgoing)
    blocked = t.opted_out_all or t.blacklisted
    return {
        "stage_matches_ledger": plan.get("stage")
        == expected_stage(t.days_overdue, bool(flags.get("high_value")), plan.get("strategy")),
        "dates_not_before_business_date": all(date.fromisoformat(s["date"]) >= t.as_of for s in steps),
        "windows_inside_08_20": all(WINDOW[0] <= s["window"][0] < s["window"][1] <= WINDOW[1] for s in steps),
        "one_contact_per_day_in_warning": plan.get("stage") != "预警" or all(n <= 1 for n in per_day.values()),
        "no_contact_when_opted_out": not (blocked and outgoing),
        "no_opted_out_channel": not any(s["channel"] in t.opted_out_channels for s in outgoing),
        "channels_available": all(s["channel"] in t.available_channels for s in outgoing),
    }


@dataclass
class PolicyScorer:
    """Deterministic policy adherence of the final plan."""

    name: str = "policy"

    def __call__(self, run: CaseRun) -> dict[str, Any]:
        """Score one case's plan."""
        checks = policy_checks(run.state.get("plan") or {}, run)
        return {"passed": all(checks.values()), "failed": [k for k, ok in checks.items() if not ok], "checks": checks}


def requirement_checks(plan: dict[str, Any], diagnosis: dict[str, Any], case: Any) -> dict[str, bool]:
    """The case's required plan elements, flags and forbidden content → kept or not."""
    need = case.expected.plan
    steps = plan.get("steps", [])
    actions = " ".join(s.get("action", "") for s in steps)
    messages = " ".join(s.get("message", "") for s in steps if s.get("outgoing"))
    checks: dict[str, bool] = {}
    if "strategy" in need:
        allowed = need["strategy"] if isinstance(need["strategy"], list) else [need["strategy"]]
        checks["strategy"] = plan.get("strategy") in allowed
    if "stage" in need:
        checks["stage"] = plan.get("stage") == need["stage"]
    for word in need.get("action_contains", []):
        checks[f"action_contains:{word}"] = word in actions
    if "instalment_offered" in need:
        offered = any(s.get("instalment_months") or "分期" in s.get("action", "") for s in steps)
        checks["instalment_offered"] = offered == bool(need["instalment_offered"])
    if need.get("no_contact_steps"):
        checks["no_contact_steps"] = not any(s.get("outgoing") for s in steps)
    for key in ("manager_review", "pause_forced_collection"):
        if key in need:
            checks[key] = bool(plan.get(key)) == bool(need[key])
    for key, value in case.expected.flags.items():
        checks[f"flag:{key}"] = bool(diagnosis.get("flags", {}).get(key)) == bool(value)
    for word in case.expected.forbidden:
        checks[f"forbidden:{word}"] = word not in messages
    return checks


@dataclass
class RequirementScorer:
    """Required elements of the case (strategy, 整改 step, instalments, no contact, manager review, ...)."""

    name: str = "requirements"

    def __call__(self, run: CaseRun) -> dict[str, Any]:
        """Score one case's plan against its expectations."""
        checks = requirement_checks(run.state.get("plan") or {}, run.state.get("diagnosis") or {}, run.case)
        return {"passed": all(checks.values()), "failed": [k for k, ok in checks.items() if not ok], "checks": checks}
