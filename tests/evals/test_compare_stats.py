"""`steward eval compare`: per-case wins and losses, the exact McNemar test, and the gate on a significant regression."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli.main import app
from evals.compare import compare, load_report, significant_regressions
from evals.stats import mcnemar_exact

RUNS = Path(__file__).resolve().parents[2] / "evals" / "runs"


@pytest.mark.parametrize(
    ("wins", "losses", "p"),
    [(0, 0, 1.0), (0, 6, 2 / 64), (6, 0, 2 / 64), (1, 5, 2 * 7 / 64), (3, 3, 1.0), (0, 1, 1.0)],
)
def test_when_discordant_pairs_are_counted_then_the_exact_mcnemar_p_value_is_the_binomial_tail(wins, losses, p):
    assert mcnemar_exact(wins, losses) == pytest.approx(p)


def _case(cid: str, top1: bool, passed: bool | None = None) -> dict:
    ok = top1 if passed is None else passed
    return {
        "id": cid,
        "household": f"P/{cid}",
        "passed": ok,
        "checks": {"cause_top1": top1},
        "scores": {"cause": {"top1": top1, "top3": True}, "compliance": {"passed": True}},
    }


def _report(outcomes: list[bool], name: str) -> dict:
    cases = [_case(f"c{i}", ok) for i, ok in enumerate(outcomes)]
    return {"meta": {"run_id": name}, "summary": {"cause_top1": sum(outcomes) / len(outcomes)}, "cases": cases}


def test_when_b_loses_seven_cases_and_wins_none_then_the_regression_is_significant(tmp_path):
    a = _report([True] * 20, "a")
    b = _report([False] * 7 + [True] * 13, "b")
    result = compare(a, b)
    top1 = result["paired"]["cause_top1"]
    assert (len(top1["wins"]), len(top1["losses"]), top1["both_right"], top1["both_wrong"]) == (0, 7, 13, 0)
    assert top1["losses"] == [f"c{i}" for i in range(7)]
    assert top1["verdict"] == "worse" and top1["p_value"] < 0.05
    assert result["paired"]["cause_top3"]["verdict"] == "no significant difference"
    assert significant_regressions(result) == ["passed", "cause_top1"]

    (tmp_path / "a.json").write_text(json.dumps(a), encoding="utf-8")
    (tmp_path / "b.json").write_text(json.dumps(b), encoding="utf-8")
    args = ["eval", "compare", str(tmp_path / "a.json"), str(tmp_path / "b.json"), "--fail-on-significant"]
    out = CliRunner().invoke(app, args)
    assert out.exit_code == 1, out.output
    assert "McNemar" in out.output and "显著变差" in out.output


def test_when_b_loses_one_case_then_the_gate_passes_and_the_loss_is_still_listed(tmp_path):
    a = _report([True] * 20, "a")
    b = _report([False] + [True] * 19, "b")
    (tmp_path / "a.json").write_text(json.dumps(a), encoding="utf-8")
    (tmp_path / "b.json").write_text(json.dumps(b), encoding="utf-8")
    out = CliRunner().invoke(
        app, ["eval", "compare", str(tmp_path / "a.json"), str(tmp_path / "b.json"), "--fail-on-significant", "--json"]
    )
    assert out.exit_code == 0, out.output
    result = json.loads(out.output)
    assert result["paired"]["cause_top1"]["losses"] == ["c0"]
    assert result["paired"]["cause_top1"]["p_value"] == 1.0


def test_when_two_run_folders_are_compared_then_their_cases_are_paired():
    a, b = RUNS / "2026-11-29-34a581e-first24", RUNS / "2026-11-29-6509813-first24"
    result = compare(load_report(a), load_report(b))
    assert result["common_cases"] == 24
    top1 = result["paired"]["cause_top1"]
    records_a = {json.loads(line)["id"]: json.loads(line) for line in (a / "cases.jsonl").read_text().splitlines()}
    records_b = {json.loads(line)["id"]: json.loads(line) for line in (b / "cases.jsonl").read_text().splitlines()}
    expected_wins = sorted(
        cid
        for cid in records_a
        if records_b[cid]["scores"]["cause"]["top1"] and not records_a[cid]["scores"]["cause"]["top1"]
    )
    assert sorted(top1["wins"]) == expected_wins
    assert len(top1["wins"]) + len(top1["losses"]) + top1["both_right"] + top1["both_wrong"] == 24
