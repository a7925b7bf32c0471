"""sms_opt_out_line and escalation_order."""

from __future__ import annotations

from datetime import datetime

import pytest

from core.domain.compliance import check_messages
from core.domain.compliance.sms import add_opt_out_line
from tests.validation.compliance_helpers import ctx, msg, rules


@pytest.mark.parametrize(
    ("text", "channel", "missing"),
    [
        ("您好，本期物业费1680元。回T退订", "sms", False),
        ("您好，本期物业费1680元。退订回T", "sms", False),
        ("您好，本期物业费1680元。回复T退订", "sms", False),
        ("您好，本期物业费1680元。回复 t 退订", "sms", False),
        ("您好，本期物业费1680元。", "sms", True),
        ("您好，本期物业费1680元。", "wechat", False),
    ],
)
def test_when_sms_lacks_opt_out_line_then_sms_opt_out_line_fails(text: str, channel: str, missing: bool) -> None:
    assert ("sms_opt_out_line" in rules(text, channel=channel)) is missing


def test_when_opt_out_line_is_added_then_it_is_appended_once() -> None:
    once = add_opt_out_line("您好。")
    assert once == "您好。 回T退订"
    assert add_opt_out_line(once) == once


@pytest.mark.parametrize(
    ("text", "stage", "completed", "breaks"),
    [
        ("如仍未缴纳，我们将提起诉讼", "预警", frozenset(), True),
        ("如仍未缴纳，我们将申请仲裁", "初级", frozenset({"催告"}), True),
        ("业委会将督促您限期缴纳", "预警", frozenset(), True),
        ("业委会将督促您限期缴纳", "初级", frozenset({"催告"}), False),
        ("业委会将督促您限期缴纳", "初级", frozenset(), True),  # no reminder yet
        ("我司将依法向人民法院提起诉讼", "高级", frozenset({"催告"}), True),  # committee skipped
        ("我司将依法向人民法院提起诉讼", "高级", frozenset({"催告", "业委会督促"}), False),
        ("我司将启动法律程序准备", "中级", frozenset({"催告", "业委会督促"}), False),
        ("我方已提请业主委员会督促，请于9月9日前缴纳", "中级", frozenset(), True),  # committee step, no reminder
        ("您的意见我们会汇总提交业委会，按程序讨论调价", "预警", frozenset(), False),  # governance, not collection
        ("我们会协助筹备成立业委会、召开业主大会", "预警", frozenset(), False),
    ],
)
def test_when_message_skips_an_escalation_step_then_escalation_order_fails(
    text: str, stage: str, completed: frozenset, breaks: bool
) -> None:
    assert ("escalation_order" in rules(text, stage=stage, completed_steps=completed)) is breaks


def test_when_plan_escalates_in_order_then_escalation_order_passes() -> None:
    plan = [
        msg(
            "您好，本期物业费1680元尚未缴纳，请尽快缴纳。", stage="中级", step_id="a", send_at=datetime(2024, 11, 4, 10)
        ),
        msg("业委会将督促您限期缴纳。", stage="中级", step_id="b", send_at=datetime(2024, 11, 11, 10)),
        msg("我司将依法向人民法院提起诉讼。", stage="高级", step_id="c", send_at=datetime(2024, 11, 18, 10)),
    ]
    assert check_messages(plan, ctx()).passed


def test_when_plan_jumps_to_litigation_then_only_that_step_fails() -> None:
    plan = [
        msg("您好，本期物业费1680元尚未缴纳。", stage="高级", step_id="a", send_at=datetime(2024, 11, 4, 10)),
        msg("我司将依法向人民法院提起诉讼。", stage="高级", step_id="c", send_at=datetime(2024, 11, 18, 10)),
    ]
    report = check_messages(plan, ctx())
    assert [(f.rule, f.step_id) for f in report.failures] == [("escalation_order", "c")]


def test_when_the_plan_takes_the_committee_step_internally_then_a_later_legal_notice_passes() -> None:
    notice = msg("我司将依法向人民法院提起诉讼。", stage="高级", step_id="c", send_at=datetime(2024, 11, 18, 10))
    reminder = msg("您好，本期物业费1680元尚未缴纳。", stage="高级", step_id="a", send_at=datetime(2024, 11, 4, 10))
    assert not check_messages([reminder, notice], ctx()).passed
    before = ((datetime(2024, 11, 11, 9), "业委会督促"),)
    assert check_messages([reminder, notice], ctx(planned_steps=before)).passed
    after = ((datetime(2024, 11, 19, 9), "业委会督促"),)
    assert not check_messages([reminder, notice], ctx(planned_steps=after)).passed
