"""An interrupted eval run resumes in its work folder: finished cases are kept, the rest run, nothing twice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli.main import app
from core.settings import Settings
from evals import runner
from evals.runner import CASES_FILE, ResumeError, RunOptions, run_suite
from evals.summary import load_thresholds
from tests.conftest import models_dir

LIMIT = 4
RUN_CASE = runner.run_case


class Killed(Exception):
    """Stands for the process being killed between two cases."""


def _ran(monkeypatch: pytest.MonkeyPatch, stop_after: int | None = None) -> list[str]:
    """Record the ids run_case is called with; optionally interrupt the run after some cases."""
    ran: list[str] = []

    def counting(case, harness, scorers):  # noqa: ANN001, ANN202
        if stop_after is not None and len(ran) == stop_after:
            raise Killed
        ran.append(case.id)
        return RUN_CASE(case, harness, scorers)

    monkeypatch.setattr(runner, "run_case", counting)
    return ran


def test_when_a_run_is_interrupted_then_resume_runs_only_the_missing_cases(tmp_path, monkeypatch):
    settings = Settings(var_dir=tmp_path / "var", models_dir=models_dir())
    work = tmp_path / "work"
    first = _ran(monkeypatch, stop_after=2)
    with pytest.raises(Killed):
        run_suite(RunOptions(limit=LIMIT, work_dir=work), settings)
    assert len(first) == 2
    assert [json.loads(x)["id"] for x in (work / CASES_FILE).read_text().splitlines()] == first
    progress = CliRunner().invoke(app, ["eval", "progress", str(work), "--json"])
    assert progress.exit_code == 0, progress.output
    interim = json.loads(progress.stdout[progress.stdout.index("{") :])
    assert (interim["finished_cases"], interim["planned_cases"], interim["cases"]) == (2, LIMIT, 2)
    with pytest.raises(ResumeError, match="--resume"):
        run_suite(RunOptions(limit=LIMIT, work_dir=work), settings)
    with pytest.raises(ResumeError, match="limit"):
        run_suite(RunOptions(limit=LIMIT + 2, work_dir=work, resume=True), settings)
    second = _ran(monkeypatch)
    report = run_suite(RunOptions(limit=LIMIT, work_dir=work, resume=True), settings)
    assert len(second) == LIMIT - 2 and not set(second) & set(first)
    assert [c["id"] for c in report["cases"]][:2] == first
    assert report["summary"]["cases"] == LIMIT and report["meta"]["resumed_cases"] == 2
    fresh = run_suite(RunOptions(limit=LIMIT), settings)
    assert fresh["summary"]["cause_top1"] == report["summary"]["cause_top1"]  # same verdicts as one go


def test_when_resume_has_no_work_dir_then_the_cli_says_so_in_chinese(tmp_path: Path):
    result = CliRunner().invoke(app, ["eval", "run", "--model", "scripted", "--limit", "1", "--resume"])
    assert result.exit_code != 0 and "--work-dir" in result.output
    result = CliRunner().invoke(app, ["eval", "progress", str(tmp_path)])
    assert result.exit_code != 0 and "不是评测工作目录" in result.output


def test_when_cases_file_has_a_cut_line_and_a_rerun_then_the_reader_keeps_the_latest_whole_lines(tmp_path):
    cases = tmp_path / CASES_FILE
    cases.write_text(
        '{"id": "a", "error": "timeout"}\n{"id": "b", "passed": true}\n{"id": "a", "passed": false}\n'
        '\n{"id": "c", "pass',
        encoding="utf-8",
    )
    records = runner.read_cases(cases)
    assert sorted(records) == ["a", "b"] and records["a"] == {"id": "a", "passed": False}
    assert runner.read_cases(tmp_path / "missing.jsonl") == {}


def test_when_the_committed_full_run_is_read_then_it_covers_the_golden_set_and_meets_the_endpoint_gate():
    runs = Path(__file__).resolve().parents[2] / "evals" / "runs"
    full = runner.progress_report(runs / "2026-11-22-934126a")
    assert full["meta"]["finished_cases"] == full["meta"]["planned_cases"] == full["summary"]["cases"] >= 80
    assert full["summary"]["errors"] == 0 and full["summary"]["pii_leaks"] == 0
    assert full["gate"]["thresholds"] == load_thresholds(profile="endpoint") != load_thresholds()
    assert full["gate"]["passed"], full["gate"]["failures"]
    older = runner.progress_report(runs / "2026-11-22-de5d671")  # before the template escalation fix
    assert any("compliance_pass_rate" in f for f in older["gate"]["failures"])
