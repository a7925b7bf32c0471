"""Compare two eval reports: regressions (passed in A, failed in B), fixes, and metric deltas."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def load_report(path: Path | str) -> dict[str, Any]:
    """Read a JSON report written by the runner."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


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
        "deltas": deltas,
    }
