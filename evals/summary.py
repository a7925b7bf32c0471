"""Aggregate per-case scores into the run summary, per-cause table, and threshold verdict."""

from __future__ import annotations

from pathlib import Path
from statistics import mean, median
from typing import Any

import yaml

from evals.stats import macro_f1, per_label_f1

THRESHOLDS_FILE = Path(__file__).resolve().parent / "thresholds.yaml"
CASE_CHECKS = ("cause", "compliance", "policy", "requirements", "pii", "citations")


def case_checks(scores: dict[str, Any]) -> dict[str, bool]:
    """The pass/fail checks that decide whether a case passes."""
    return {
        "cause": bool(scores["cause"]["top1"]),
        "compliance": bool(scores["compliance"]["passed"]),
        "policy": bool(scores["policy"]["passed"]),
        "requirements": bool(scores["requirements"]["passed"]),
        "pii": scores["pii"]["leaks"] == 0,
        "citations": bool(scores["citations"]["all_valid"]),
    }


def _rate(values: list[bool]) -> float:
    return round(sum(values) / len(values), 4) if values else 0.0


def _dimension(cause_id: str | None, causes: dict[str, Any]) -> str:
    return causes[cause_id].dimension if cause_id in causes else "无"


def summarize(cases: list[dict[str, Any]], causes: dict[str, Any]) -> dict[str, Any]:
    """Headline metrics over scored cases (errored cases count as failures)."""
    scored = [c for c in cases if c.get("scores")]
    s = [c["scores"] for c in scored]
    truth = [x["cause"]["expected"] for x in s]
    pred = [x["cause"]["predicted"] or "无" for x in s]
    dim_truth = [_dimension(t, causes) for t in truth]
    dim_pred = [_dimension(p, causes) for p in pred]
    seconds = sorted(x["usage"]["seconds"] for x in s)
    tones = [x["tone"]["score"] for x in s if x.get("tone", {}).get("score") is not None]
    support = [x["citations"]["support"] for x in s if x["citations"]["support"] is not None]
    return {
        "cases": len(cases),
        "errors": len(cases) - len(scored),
        "passed": sum(bool(c.get("passed")) for c in cases),
        "pass_rate": _rate([bool(c.get("passed")) for c in cases]),
        "cause_top1": _rate([x["cause"]["top1"] for x in s]),
        "cause_top1_strict": _rate([x["cause"]["top1_strict"] for x in s]),
        "cause_top3": _rate([x["cause"]["top3"] for x in s]),
        "cause_macro_f1": round(macro_f1(truth, pred), 4) if s else 0.0,
        "dimension_macro_f1": round(macro_f1(dim_truth, dim_pred), 4) if s else 0.0,
        "per_dimension_f1": {
            k: round(v, 4) for k, v in sorted(per_label_f1(dim_truth, dim_pred).items()) if k in set(dim_truth)
        },
        "citation_validity": round(mean(x["citations"]["validity"] for x in s), 4) if s else 0.0,
        "citation_support": round(mean(support), 4) if support else None,
        "compliance_pass_rate": _rate([x["compliance"]["guardrail_passed"] for x in s]),
        "independent_pass_rate": _rate([x["compliance"]["independent_passed"] for x in s]),
        "guardrail_independent_agreement": _rate([x["compliance"]["agree"] for x in s]),
        "fallback_rate": _rate([x["compliance"]["is_fallback"] for x in s]),
        "pii_leaks": sum(x["pii"]["leaks"] for x in s),
        "prompt_pii_leaks": sum(x["pii"]["prompt_leaks"] for x in s),
        "output_pii_leaks": sum(x["pii"]["output_leaks"] for x in s),
        "policy_pass_rate": _rate([x["policy"]["passed"] for x in s]),
        "requirements_pass_rate": _rate([x["requirements"]["passed"] for x in s]),
        "tone_mean": round(mean(tones), 3) if tones else None,
        "tone_scored": len(tones),
        "latency_median_s": round(median(seconds), 3) if seconds else None,
        "latency_p95_s": seconds[min(len(seconds) - 1, int(0.95 * len(seconds)))] if seconds else None,
        "input_tokens": sum(x["usage"]["input_tokens"] for x in s),
        "output_tokens": sum(x["usage"]["output_tokens"] for x in s),
    }


def per_cause(cases: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Accuracy by expected cause, with what each missed case was read as (``misread_as``: cause id → count)."""
    table: dict[str, dict[str, Any]] = {}
    for c in cases:
        cause = c.get("scores", {}).get("cause")
        key = cause["expected"] if cause else c["expected"]["primary"]
        row = table.setdefault(key, {"n": 0, "top1": 0, "top3": 0, "passed": 0, "misread_as": {}})
        row["n"] += 1
        row["top1"] += bool(cause and cause["top1"])
        row["top3"] += bool(cause and cause["top3"])
        row["passed"] += bool(c.get("passed"))
        if not (cause and cause["top1"]):
            predicted = (cause or {}).get("predicted") or "（无诊断）"
            row["misread_as"][predicted] = row["misread_as"].get(predicted, 0) + 1
    for row in table.values():
        row["top1_rate"] = round(row["top1"] / row["n"], 4)
        row["top3_rate"] = round(row["top3"] / row["n"], 4)
    return dict(sorted(table.items()))


def load_thresholds(path: Path | None = None, profile: str | None = None) -> dict[str, dict[str, float]]:
    """The suite's gate: ``min`` and ``max`` bounds per summary metric.

    Args:
        path: Thresholds file; ``evals/thresholds.yaml`` when omitted.
        profile: A top-level section of the file (``endpoint``) whose ``min``/``max`` bounds replace the
            defaults metric by metric; the defaults alone when omitted or when the file has no such section.
    """
    data = yaml.safe_load((path or THRESHOLDS_FILE).read_text(encoding="utf-8")) or {}
    override = (data.get(profile) or {}) if profile else {}
    return {bound: {**(data.get(bound) or {}), **(override.get(bound) or {})} for bound in ("min", "max")}


def check_thresholds(summary: dict[str, Any], thresholds: dict[str, dict[str, float]]) -> list[str]:
    """Human-readable failures (Chinese), empty when the run meets every bound."""
    failures = []
    for key, bound in thresholds.get("min", {}).items():
        value = summary.get(key)
        if value is None or value < bound:
            failures.append(f"{key} = {value}，低于阈值 {bound}")
    for key, bound in thresholds.get("max", {}).items():
        value = summary.get(key)
        if value is None or value > bound:
            failures.append(f"{key} = {value}，高于阈值 {bound}")
    return failures
