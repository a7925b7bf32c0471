"""The guardrails-ai layer: validators through a Guard, fixes, plan validation, no network."""

from __future__ import annotations

from datetime import datetime

import pytest
from guardrails.errors import ValidationError

from agent.validation import build_guard, guard_failures, validate_plan
from core.domain.compliance import check_messages
from tests.validation.compliance_helpers import ctx, msg

CLEAN = "您好，您本期物业费1680元，可通过小程序缴纳。"


@pytest.mark.parametrize(
    ("text", "stage", "channel"),
    [
        ("再不交就给你家断水", "初级", "wechat"),
        ("我是派出所的", "中级", "wechat"),
        ("您的物业费已逾期", "预警", "wechat"),
        ("在业主群公布您的房号", "中级", "wechat"),
        ("您本期物业费1580元", "初级", "wechat"),
        ("您本期物业费1680元", "初级", "sms"),
        ("我们将提起诉讼", "初级", "wechat"),
    ],
)
def test_when_guard_raises_on_fail_then_violations_raise(text: str, stage: str, channel: str) -> None:
    message = msg(text, stage=stage, channel=channel)
    guard = build_guard(ctx(), message, on_fail="exception")
    with pytest.raises(ValidationError):
        guard.validate(text)


@pytest.mark.parametrize("text", [CLEAN, "报修的水管已修好", "电梯已恢复运行", "您可以申请分期，每期280元"])
def test_when_guard_raises_on_fail_then_innocent_text_passes(text: str) -> None:
    guard = build_guard(ctx(), msg(text), on_fail="exception")
    outcome = guard.validate(text)
    assert outcome.validation_passed
    assert outcome.validated_output == text


def test_when_guard_collects_then_failures_keep_rule_span_and_hint() -> None:
    text = "您好，再不交就给你家断水"
    guard = build_guard(ctx(), msg(text), on_fail="noop")
    outcome = guard.validate(text)
    assert not outcome.validation_passed
    failures = guard_failures(guard)
    assert [(f.rule, f.excerpt) for f in failures] == [("no_utility_threat", "断水")]
    assert failures[0].span == (10, 12) and failures[0].hint
    summary = outcome.validation_summaries[0]
    assert summary.error_spans[0].start == 10


def test_when_guard_fixes_then_warning_words_are_replaced_and_opt_out_appended() -> None:
    text = "您的逾期物业费1680元请尽快缴纳"
    message = msg(text, stage="预警", channel="sms")
    outcome = build_guard(ctx(), message, on_fail="fix").validate(text)
    assert outcome.validated_output == "您的未缴物业费1680元请尽快缴纳 回T退订"


def test_when_guard_fixes_pii_then_owner_phone_is_masked() -> None:
    text = "已向13800138000发送账单"
    c = ctx(sensitive_values=("13800138000",))
    outcome = build_guard(c, msg(text), on_fail="fix").validate(text)
    assert outcome.validated_output == "已向***********发送账单"


def test_when_fix_is_unsafe_then_other_failures_are_still_recorded() -> None:
    text = "您的逾期物业费1580元"
    guard = build_guard(ctx(), msg(text, stage="预警"), on_fail="fix")
    outcome = guard.validate(text)
    assert outcome.validated_output == "您的未缴物业费1580元"
    assert {f.rule for f in guard_failures(guard)} == {"stage_wording", "amount_mismatch"}


def test_when_plan_is_validated_then_guard_report_equals_domain_report() -> None:
    plan = [
        msg("您的逾期物业费1580元", stage="预警", channel="sms", step_id="a", send_at=datetime(2024, 10, 9, 21, 0)),
        msg(CLEAN, stage="预警", step_id="b", send_at=datetime(2024, 10, 10, 10, 0)),
        msg("停你家暖气", stage="预警", step_id="c", send_at=datetime(2024, 10, 10, 15, 0)),
    ]
    guard_report = validate_plan(plan, ctx())
    domain_report = check_messages(plan, ctx())
    assert guard_report.to_dict() == domain_report.to_dict()
    assert {(f.rule, f.step_id) for f in guard_report.failures} >= {("daily_cap", "c"), ("no_utility_threat", "c")}


def test_when_plan_is_clean_then_guard_report_passes() -> None:
    report = validate_plan([msg(CLEAN)], ctx())
    assert report.passed and len(report.checked_rules) == 18


def test_when_guards_validate_then_no_network_call_is_attempted(network_attempts: list[object]) -> None:
    validate_plan([msg("再不交就给你家断水"), msg(CLEAN, step_id="b", send_at=datetime(2024, 10, 10, 10))], ctx())
    build_guard(ctx(), msg(CLEAN), on_fail="exception").validate(CLEAN)
    assert network_attempts == []
