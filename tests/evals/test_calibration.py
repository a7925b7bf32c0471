"""Reliability of the diagnosis confidence: bins, ECE, Brier, and which errors the unsure prompt catches."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli.main import app
from evals.calibration import reliability

RUN = Path(__file__).resolve().parents[2] / "evals" / "runs" / "2026-11-30-40b065d-first24"


def _case(confidence: float | None, right: bool) -> dict:
    return {
        "diagnosis": {"confidence": confidence, "primary_cause": {"id": "x"}, "source": "model"},
        "scores": {"cause": {"top1": right}},
    }


def test_when_confidence_matches_accuracy_in_each_bin_then_the_calibration_error_is_zero():
    cases = [_case(0.9, True)] * 9 + [_case(0.9, False)] + [_case(0.5, True), _case(0.5, False)] * 2
    result = reliability(cases)
    high = next(b for b in result["bins"] if b["lo"] == 0.8)
    middle = next(b for b in result["bins"] if b["lo"] == 0.4)
    assert (high["n"], high["accuracy"], high["gap"]) == (10, 0.9, 0.0)
    assert (middle["n"], middle["accuracy"], middle["gap"]) == (4, 0.5, 0.0)
    assert result["ece"] == 0.0
    assert result["brier"] == pytest.approx((9 * 0.01 + 0.81 + 4 * 0.25) / 14, abs=1e-3)


def test_when_errors_sit_below_the_unsure_threshold_then_the_unsure_split_counts_them():
    cases = [_case(0.45, False), _case(0.5, False), _case(0.55, True), _case(0.8, True), _case(0.75, False)]
    result = reliability(cases)
    assert result["unsure"] == {"n": 3, "wrong": 2, "accuracy": 0.333}
    assert result["sure"] == {"n": 2, "wrong": 1, "accuracy": 0.5}
    # bins: 0.4–0.6 stated 0.50, right 1/3; 0.6–0.8 stated 0.75, right 0/1; 0.8–1.0 stated 0.80, right 1/1
    assert result["ece"] == pytest.approx((3 * (0.5 - 1 / 3) + 0.75 + 0.2) / 5, abs=1e-3)


def test_when_a_case_has_no_confidence_or_no_cause_score_then_it_is_left_out():
    result = reliability([_case(None, True), {"diagnosis": {"confidence": 0.7}}, _case(1.0, True)])
    assert result["cases"] == 1 and result["bins"][-1]["n"] == 1


def test_when_the_cli_reads_a_run_folder_then_the_bins_add_up_to_its_cases():
    out = CliRunner().invoke(app, ["eval", "calibration", str(RUN), "--json"])
    assert out.exit_code == 0, out.output
    result = json.loads(out.output)
    lines = (RUN / "cases.jsonl").read_text(encoding="utf-8").splitlines()
    assert result["cases"] == len(lines) == sum(b["n"] for b in result["bins"])
    assert result["unsure"]["n"] + result["sure"]["n"] == result["cases"]


def test_when_the_run_is_missing_then_the_cli_says_so_in_chinese(tmp_path):
    out = CliRunner().invoke(app, ["eval", "calibration", str(tmp_path / "nope")])
    assert out.exit_code != 0 and "找不到" in out.output
