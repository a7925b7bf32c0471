"""A small golden-set run on the real embedded model and judge: it completes, is safe, and prints its scores."""

from __future__ import annotations

import json

import pytest

from evals.report_html import write_reports
from evals.runner import RunOptions, cli_summary, run_suite

pytestmark = [pytest.mark.llm, pytest.mark.embedding]
CASES = 2  # one generated household and one hand-written hard case (the subset alternates)


def test_when_a_small_golden_subset_runs_on_the_embedded_model_then_it_is_safe_and_scored(
    real_settings, tmp_path, capsys
):
    options = RunOptions(limit=CASES, model="endpoint", judge="endpoint", work_dir=tmp_path / "work")
    report = run_suite(options, real_settings)
    json_path, html_path = write_reports(report, tmp_path / "reports")
    summary = cli_summary(report)
    with capsys.disabled():
        print("\nEval on the embedded model:", json.dumps(summary, ensure_ascii=False))
    assert report["meta"]["model"] == real_settings.llm_model and report["meta"]["judge"] != "scripted"
    assert summary["cases"] == CASES and report["summary"]["errors"] == 0
    assert {c["source"] for c in report["cases"]} == {"generated", "hard"}
    assert summary["pii_leaks"] == 0
    assert summary["citation_validity"] == 1.0
    assert summary["compliance_pass_rate"] == 1.0 and summary["policy_pass_rate"] == 1.0
    assert all(c["scores"]["usage"]["input_tokens"] > 0 for c in report["cases"]), report["cases"][0]["scores"]
    assert json_path.exists() and html_path.read_text(encoding="utf-8").count("<details") == CASES
