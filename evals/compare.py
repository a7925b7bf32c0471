"""Compare two eval runs: per-case wins and losses, an exact McNemar test per paired outcome, metric deltas.

A run is a JSON report written by the runner or a run folder under ``evals/runs/`` (``run.json`` +
``cases.jsonl``, read as its interim report).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ALPHA = 0.05
"""A difference counts as significant below this McNemar p-value."""
PAIRED = {
    "passed": lambda c: bool(c.get("passed")),
    "cause_top1": lambda c: bool(c.get("scores", {}).get("cause", {}).get("top1")),
    "cause_top3": lambda c: bool(c.get("scores", {}).get("cause", {}).get("top3")),
    "compliance": lambda c: bool(c.get("scores", {}).get("compliance", {}).get("passed")),
}
"""Per-case yes/no outcomes compared between the two runs."""


def load_report(path: Path | str) -> dict[str, Any]:
    """Read a JSON report written by the runner, or the interim report of a run folder."""
    path = Path(path)
    if path.is_dir():
        from evals.runner import progress_report

        return progress_report(path)
    return json.loads(path.read_text(encoding="utf-8"))


def paired_outcomes(cases_a: dict[str, Any], cases_b: dict[str, Any], common: list[str]) -> dict[str, Any]:
    """Per outcome: cases B wins (A wrong, B right) and loses, both right/wrong, and the exact McNemar p."""
    from evals.stats import mcnemar_exact

    out = {}
    for name, outcome in PAIRED.items():
        wins = [cid for cid in common if outcome(cases_b[cid]) and not outcome(cases_a[cid])]
        losses = [cid for cid in common if outcome(cases_a[cid]) and not outcome(cases_b[cid])]
        both = sum(1 for cid in common if outcome(cases_a[cid]) and outcome(cases_b[cid]))
        p = mcnemar_exact(len(wins), len(losses))
        out[name] = {
            "wins": wins,
            "losses": losses,
            "both_right": both,
            "both_wrong": len(common) - both - len(wins) - len(losses),
            "p_value": round(p, 4),
            "significant": p < ALPHA,
            "verdict": "better"
            if p < ALPHA and len(wins) > len(losses)
            else "worse"
            if p < ALPHA
            else "no significant difference",
        }
    return out


def _failed_checks(case: dict[str, Any]) -> list[str]:
    if case.get("error"):
        return ["error"]
    return [name for name, ok in case.get("checks", {}).items() if not ok]


def compare(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Regressions, fixes and numeric summary deltas from report ``a`` (baseline) to ``b`` (candidate)."""
    cases_a = {c["id"]: c for c in a["cases"]}
    cases_b = {c["id"]: c for c in b["cases"]}
    common = [cid for cid in cases_a if cid in cases_b]
    regressions = [
        {
            "id": cid,
            "household": cases_b[cid]["household"],
            "failed": _failed_checks(cases_b[cid]),
            "predicted": cases_b[cid].get("scores", {}).get("cause", {}).get("predicted"),
        }
        for cid in common
        if cases_a[cid].get("passed") and not cases_b[cid].get("passed")
    ]
    fixes = [cid for cid in common if not cases_a[cid].get("passed") and cases_b[cid].get("passed")]
    deltas = {}
    for key, old in a["summary"].items():
        new = b["summary"].get(key)
        if isinstance(old, int | float) and isinstance(new, int | float) and not isinstance(old, bool):
            deltas[key] = {"a": old, "b": new, "delta": round(new - old, 4)}
    return {
        "a": a["meta"],
        "b": b["meta"],
        "common_cases": len(common),
        "only_in_a": sorted(set(cases_a) - set(cases_b)),
        "only_in_b": sorted(set(cases_b) - set(cases_a)),
        "regressions": regressions,
        "fixes": fixes,
        "paired": paired_outcomes(cases_a, cases_b, common),
        "deltas": deltas,
    }


def significant_regressions(result: dict[str, Any]) -> list[str]:
    """Outcomes on which B is significantly worse than A."""
    return [name for name, p in result["paired"].items() if p["verdict"] == "worse"]
