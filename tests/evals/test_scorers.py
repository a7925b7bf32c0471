"""Scorer tables: PII leaks, policy adherence, citations, cause ranking, requirements."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from evals.cases import Case, Expected
from evals.facts import HouseholdTruth
from evals.scorers import CaseRun
from evals.scorers.cause import CauseScorer
from evals.scorers.citations import CitationScorer, bigrams, overlap
from evals.scorers.pii import PiiLeakScorer
from evals.scorers.policy import PolicyScorer, RequirementScorer
from evals.scripted import LexicalOnlyKB

TRUTH = HouseholdTruth(
    household="P/1-101",
    as_of=date(2024, 9, 2),
    days_overdue=10,
    arrears=Decimal("560.00"),
    monthly_fee=Decimal("560.00"),
    owner_tags=(),
    opted_out_all=False,
    opted_out_channels=frozenset(),
    blacklisted=False,
    available_channels=frozenset({"sms", "phone", "wechat", "visit", "letter"}),
    prompt_pii=("王丽", "王女士", "13912345678", "4号楼1203"),
    output_pii=("王丽", "13912345678"),
)


def _step(
    seq: int,
    day: str,
    channel: str = "wechat",
    window=("10:00", "12:00"),
    outgoing: bool = True,
    message: str = "您好，温馨提示。",
    action: str = "提醒",
) -> dict:
    return {
        "seq": seq,
        "date": day,
        "window": list(window),
        "channel": channel,
        "outgoing": outgoing,
        "message": message,
        "action": action,
        "instalment_months": None,
    }


def _run(
    plan: dict | None = None,
    truth: HouseholdTruth = TRUTH,
    prompts: list[str] | None = None,
    diagnosis: dict | None = None,
    expected: Expected | None = None,
    **state,
) -> CaseRun:
    case = Case(id="c", household="P/1-101", expected=expected or Expected(primary="svc.slow_repair"), source="hard")
    full = {"plan": plan or {"stage": "预警", "steps": []}, "diagnosis": diagnosis or {"flags": {}}, **state}
    return CaseRun(case=case, state=full, truth=truth, prompts=prompts or [])


@pytest.mark.parametrize(
    ("prompt", "leaks"),
    [
        ("[msg:m1] 业主：【业主】说电梯坏了", 0),
        ("业主王丽说电梯坏了", 1),
        ("请回电 13912345678", 1),
        ("他的身份证是110105198603124520", 1),
        ("房号4号楼1203的业主", 1),
    ],
)
def test_when_prompts_carry_raw_values_or_identifiers_then_leaks_are_counted(prompt, leaks):
    scores = PiiLeakScorer()(_run(prompts=[prompt]))
    assert scores["prompt_leaks"] >= leaks and (scores["prompt_leaks"] == 0) == (leaks == 0)


def test_when_outgoing_message_addresses_the_owner_by_title_and_unit_then_it_is_not_a_leak():
    plan = {"stage": "预警", "steps": [_step(1, "2024-09-03", message="王女士您好，4号楼1203本期物业费待缴。")]}
    assert PiiLeakScorer()(_run(plan=plan))["output_leaks"] == 0


def test_when_outgoing_message_contains_the_owner_phone_then_it_is_an_output_leak():
    plan = {"stage": "预警", "steps": [_step(1, "2024-09-03", message="请拨打您登记的13912345678确认。")]}
    assert PiiLeakScorer()(_run(plan=plan))["output_leaks"] >= 1


@pytest.mark.parametrize(
    ("steps", "stage", "failed"),
    [
        ([_step(1, "2024-09-03"), _step(2, "2024-09-05", "phone")], "预警", []),
        ([_step(1, "2024-09-01")], "预警", ["dates_not_before_business_date"]),
        ([_step(1, "2024-09-03", window=("07:30", "09:00"))], "预警", ["windows_inside_08_20"]),
        ([_step(1, "2024-09-03"), _step(2, "2024-09-03", "phone")], "预警", ["one_contact_per_day_in_warning"]),
        ([_step(1, "2024-09-03", "email")], "预警", ["channels_available"]),
        ([_step(1, "2024-09-03")], "中级", ["stage_matches_ledger"]),
    ],
)
def test_when_plan_breaks_a_policy_then_exactly_that_check_fails(steps, stage, failed):
    scores = PolicyScorer()(_run(plan={"stage": stage, "strategy": "standard", "steps": steps}))
    assert scores["failed"] == failed


def test_when_owner_opted_out_then_any_contact_step_fails_and_internal_steps_pass():
    from dataclasses import replace

    truth = replace(TRUTH, opted_out_all=True)
    internal = _step(1, "2024-09-03", "internal", outgoing=False)
    assert PolicyScorer()(_run(plan={"stage": "预警", "steps": [internal]}, truth=truth))["passed"]
    failed = PolicyScorer()(_run(plan={"stage": "预警", "steps": [internal, _step(2, "2024-09-04")]}, truth=truth))
    assert "no_contact_when_opted_out" in failed["failed"]


def test_when_high_value_owner_is_40_days_overdue_then_warning_stage_is_expected():
    from dataclasses import replace

    truth = replace(TRUTH, days_overdue=40)
    run = _run(
        plan={"stage": "预警", "strategy": "standard", "steps": []},
        truth=truth,
        diagnosis={"flags": {"high_value": True}},
    )
    assert PolicyScorer()(run)["passed"]


@pytest.fixture(scope="module")
def causes():
    return LexicalOnlyKB().causes


def test_when_citations_name_missing_ids_then_validity_drops(causes):
    evidence = {
        "get_chat_messages": {
            "messages": [{"id": "msg:m1", "speaker": "业主", "text": "报修单提交一个礼拜了，到现在连个电话都没有"}]
        }
    }
    diagnosis = {"citations": [{"cause_id": "svc.slow_repair", "evidence_ids": ["msg:m1", "msg:m9"]}], "flags": {}}
    run = _run(diagnosis=diagnosis, evidence=evidence)
    run.causes = causes
    scores = CitationScorer()(run)
    assert scores["validity"] == 0.5 and scores["invalid_ids"] == ["msg:m9"] and not scores["all_valid"]
    assert scores["support"] == 1.0


def test_when_cited_text_is_unrelated_to_the_cause_then_it_is_not_supported(causes):
    evidence = {
        "get_chat_messages": {"messages": [{"id": "msg:m1", "speaker": "业主", "text": "小区团购的水果到了吗？"}]}
    }
    diagnosis = {"citations": [{"cause_id": "svc.slow_repair", "evidence_ids": ["msg:m1"]}], "flags": {}}
    run = _run(diagnosis=diagnosis, evidence=evidence)
    run.causes = causes
    assert CitationScorer()(run)["support"] == 0.0


def test_when_bigram_overlap_is_computed_then_placeholders_are_ignored():
    assert bigrams("【业主】电梯") == {"电梯"}
    assert overlap("电梯坏了", bigrams("电梯又坏了")) == pytest.approx(2 / 3)


def test_when_expected_cause_is_second_then_top1_fails_and_top3_passes():
    diagnosis = {"primary_cause_id": "svc.facility_failure", "secondary_cause_ids": ["svc.slow_repair"], "flags": {}}
    scores = CauseScorer()(_run(diagnosis=diagnosis, candidates=[{"cause_id": "beh.forgetful"}]))
    assert not scores["top1"] and scores["top3"]
    assert scores["ranking"] == ["svc.facility_failure", "svc.slow_repair", "beh.forgetful"]


def test_when_required_elements_are_missing_then_requirement_checks_name_them():
    expected = Expected(
        primary="ext.hardship",
        flags={"hardship": True},
        plan={"strategy": "hardship", "instalment_offered": True, "action_contains": ["整改"]},
        forbidden=("失业",),
    )
    plan = {"stage": "初级", "strategy": "standard", "steps": [_step(1, "2024-09-03", message="得知您失业了")]}
    scores = RequirementScorer()(_run(plan=plan, expected=expected, diagnosis={"flags": {"hardship": False}}))
    assert set(scores["failed"]) == {
        "strategy",
        "instalment_offered",
        "action_contains:整改",
        "flag:hardship",
        "forbidden:失业",
    }
