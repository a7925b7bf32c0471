"""CI gate: the scripted model on a fixed 15-case subset meets the suite's thresholds; CLI, reports, compare."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli.main import app
from evals.cases import load_suite
from evals.compare import compare
from evals.summary import check_thresholds, load_thresholds

SUBSET = 15


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("reports")
    reviews = f"sqlite:///{out / 'no-reviews.db'}"
    result = CliRunner().invoke(
        app,
        [
            "eval",
            "run",
            "--model",
            "scripted",
            "--limit",
            str(SUBSET),
            "--json",
            "--out",
            str(out),
            "--reviews-url",
            reviews,
        ],
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    summary = json.loads(result.stdout[result.stdout.index("{") :])
    return {
        "exit_code": result.exit_code,
        "summary": summary,
        "report": json.loads(Path(summary["report_json"]).read_text(encoding="utf-8")),
        "html": Path(summary["report_html"]),
    }


def test_when_golden_files_are_loaded_then_there_are_enough_generated_and_hard_cases():
    suite = load_suite("golden")
    sources = [c.source for c in suite.cases]
    assert sources.count("generated") >= 60 and sources.count("hard") >= 20
    assert suite.seed is not None and suite.size is not None
    assert all(c.bundle for c in suite.cases if c.source == "hard")


def test_when_scripted_subset_runs_then_it_meets_the_thresholds_and_exits_zero(cli_run):
    report = cli_run["report"]
    assert report["summary"]["cases"] == SUBSET
    assert check_thresholds(report["summary"], load_thresholds()) == []
    assert cli_run["exit_code"] == 0 and cli_run["summary"]["gate_passed"]


def test_when_run_prints_json_then_it_has_the_documented_summary_keys(cli_run):
    for key in (
        "cases",
        "cause_top1",
        "cause_top3",
        "compliance_pass_rate",
        "pii_leaks",
        "model",
        "prompt_version",
        "kb_version",
    ):
        assert key in cli_run["summary"]
    assert cli_run["summary"]["pii_leaks"] == 0


def test_when_subset_runs_then_it_mixes_generated_and_hard_cases(cli_run):
    sources = {c["source"] for c in cli_run["report"]["cases"]}
    assert sources == {"generated", "hard"}


def test_when_report_is_written_then_html_is_self_contained_with_one_drilldown_per_case(cli_run):
    html = cli_run["html"].read_text(encoding="utf-8")
    assert html.count("<details") == SUBSET
    assert "<script src" not in html and "<link " not in html
    assert cli_run["report"]["meta"]["prompt_version"] in html


def test_when_a_case_regresses_then_compare_lists_it_with_its_failed_checks(cli_run):
    baseline = cli_run["report"]
    candidate = json.loads(json.dumps(baseline))
    victim = next(c for c in candidate["cases"] if c["passed"])
    victim["passed"], victim["checks"]["compliance"] = False, False
    candidate["summary"]["pass_rate"] = baseline["summary"]["pass_rate"] - 0.1
    result = compare(baseline, candidate)
    assert [r["id"] for r in result["regressions"]] == [victim["id"]]
    assert result["regressions"][0]["failed"] == ["compliance"]
    assert result["deltas"]["pass_rate"]["delta"] == pytest.approx(-0.1)


def test_when_thresholds_are_not_met_then_the_gate_reports_each_failure():
    failures = check_thresholds(
        {"cause_top1": 0.5, "pii_leaks": 2}, {"min": {"cause_top1": 0.7}, "max": {"pii_leaks": 0}}
    )
    assert len(failures) == 2 and "cause_top1" in failures[0] and "pii_leaks" in failures[1]


def test_when_a_profile_section_is_given_then_it_replaces_only_the_bounds_it_names(tmp_path: Path):
    path = tmp_path / "thresholds.yaml"
    path.write_text(
        "min:\n  cause_top1: 0.8\n  compliance_pass_rate: 1.0\nmax:\n  pii_leaks: 0\n"
        "endpoint:\n  min:\n    cause_top1: 0.6\n",
        encoding="utf-8",
    )
    assert load_thresholds(path)["min"] == {"cause_top1": 0.8, "compliance_pass_rate": 1.0}
    endpoint = load_thresholds(path, "endpoint")
    assert endpoint == {"min": {"cause_top1": 0.6, "compliance_pass_rate": 1.0}, "max": {"pii_leaks": 0}}
    assert load_thresholds(path, "scripted") == load_thresholds(path)


def test_when_the_shipped_thresholds_are_read_then_endpoint_runs_keep_the_absolute_safety_bounds():
    scripted, endpoint = load_thresholds(profile="scripted"), load_thresholds(profile="endpoint")
    for key in ("citation_validity", "compliance_pass_rate", "policy_pass_rate"):
        assert endpoint["min"][key] == scripted["min"][key] == 1.0
    assert endpoint["max"]["pii_leaks"] == scripted["max"]["pii_leaks"] == 0


def _case(case_id: str, expected: str, predicted: str | None, top1: bool, passed: bool) -> dict:
    cause = {"expected": expected, "predicted": predicted, "top1": top1, "top3": top1 or predicted is not None}
    return {
        "id": case_id,
        "household": "P/1",
        "expected": {"primary": expected},
        "passed": passed,
        "scores": {"cause": cause},
        "checks": {"cause_top1": top1},
    }


def test_when_causes_are_missed_then_per_cause_says_what_they_were_read_as_and_the_html_lists_weakest_first():
    from evals.report_html import _per_cause
    from evals.summary import per_cause

    cases = [
        _case("g1", "spec.blame_developer", "spec.developer_defects", False, False),
        _case("g2", "spec.blame_developer", "spec.developer_defects", False, False),
        _case("g3", "svc.slow_repair", "svc.slow_repair", True, True),
        _case("g4", "beh.malicious", "comm.single_reminder_channel", False, False),
        _case("g5", "beh.malicious", "beh.malicious", True, True),
    ]
    table = per_cause(cases)
    assert table["spec.blame_developer"]["misread_as"] == {"spec.developer_defects": 2}
    assert table["beh.malicious"]["misread_as"] == {"comm.single_reminder_channel": 1}
    assert table["svc.slow_repair"]["misread_as"] == {} and table["beh.malicious"]["top1_rate"] == 0.5
    html = _per_cause({"per_cause": table})
    order = [html.index(c) for c in ("spec.blame_developer", "beh.malicious", "svc.slow_repair")]
    assert order == sorted(order) and "spec.developer_defects ×2" in html


def test_when_a_report_is_rendered_then_its_title_names_the_model_that_produced_it(cli_run):
    html = cli_run["html"].read_text(encoding="utf-8")
    assert "<h1>催费方案评测报告 · 脚本模型（确定性测试替身，不代表产品效果）</h1>" in html
    from evals.report_html import model_title, render_html

    endpoint = {**cli_run["report"], "meta": {**cli_run["report"]["meta"], "model": "qwen2.5-coder-1.5b-instruct"}}
    assert f"<h1>催费方案评测报告 · {model_title('qwen2.5-coder-1.5b-instruct')}</h1>" in render_html(endpoint)


def test_when_eval_run_is_given_no_model_then_it_evaluates_the_configured_endpoint():
    import inspect

    from evals.cli import run

    assert inspect.signature(run).parameters["model"].default.default == "endpoint"


def test_when_the_scripted_subset_is_compared_with_its_baseline_then_nothing_is_significantly_worse(cli_run):
    """The CI gate on evals: a significant paired regression against the committed baseline fails the build."""
    from evals.compare import load_report, significant_regressions

    baseline = load_report(Path(__file__).resolve().parents[2] / "evals" / "baselines" / "scripted-golden-15.json")
    result = compare(baseline, cli_run["report"])
    assert result["common_cases"] == SUBSET
    assert significant_regressions(result) == [], result["paired"]
