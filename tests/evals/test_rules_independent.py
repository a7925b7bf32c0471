"""The independent rule checker: a table of positives and negatives."""

from __future__ import annotations

from decimal import Decimal

import pytest

from evals.rules_independent import RuleContext, check_plan, check_step

CTX = RuleContext(arrears=Decimal("1680.00"), monthly_fee=Decimal("560.00"))


def _step(text: str, channel: str = "wechat", window: tuple[str, str] = ("10:00", "12:00")) -> dict:
    return {"seq": 1, "channel": channel, "window": list(window), "message": text, "outgoing": True}


@pytest.mark.parametrize(
    ("text", "stage", "rule"),
    [
        ("再不交物业费就给你家停水", "中级", "ind.utility_threat"),
        ("逾期不缴将停用门禁卡", "中级", "ind.utility_threat"),
        ("不交钱后果自负", "高级", "ind.threat"),
        ("我们会把欠费名单公之于众", "中级", "ind.threat"),
        ("派出所会联系您", "中级", "ind.impersonation"),
        ("我们已通知您的工作单位", "中级", "ind.third_party"),
        ("考虑到您失业的情况", "初级", "ind.hardship_detail"),
        ("您的物业费已逾期", "预警", "ind.stage_wording"),
        ("请核对身份证110105198603124520", "初级", "ind.pii"),
        ("请拨打13912345678", "初级", "ind.pii"),
        ("本期应缴999.00元", "初级", "ind.amount"),
    ],
)
def test_when_message_breaks_a_rule_then_checker_flags_it(text, stage, rule):
    rules = {v.rule for v in check_step(_step(text), stage, CTX)}
    assert rule in rules


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("王女士您好，您本期物业服务费1680.00元待缴，感谢支持。", "预警"),
        ("可分6期缴纳，每期280.00元，首期日期可商定。", "初级"),
        ("依据《民法典》第九百四十四条，我方将依法向人民法院提起诉讼或申请仲裁。", "高级"),
        ("关于您反映的电梯问题，我们已安排整改，并会回访。", "预警"),
    ],
)
def test_when_message_is_compliant_then_checker_passes_it(text, stage):
    assert check_step(_step(text), stage, CTX) == []


def test_when_sms_lacks_opt_out_then_it_is_flagged_and_passes_with_it():
    assert {v.rule for v in check_step(_step("您好，物业费待缴。", "sms"), "预警", CTX)} == {"ind.sms_opt_out"}
    assert check_step(_step("您好，物业费待缴。回复T退订", "sms"), "预警", CTX) == []


def test_when_window_leaves_08_to_20_then_quiet_hours_is_flagged():
    rules = {v.rule for v in check_step(_step("您好。", window=("19:30", "21:00")), "预警", CTX)}
    assert rules == {"ind.quiet_hours"}


def test_when_owner_opted_out_then_any_outgoing_step_is_flagged_but_internal_steps_are_not():
    ctx = RuleContext(arrears=Decimal("100"), opted_out_all=True)
    plan = {
        "stage": "预警",
        "steps": [
            _step("您好。"),
            {"seq": 2, "channel": "internal", "window": ["09:00", "18:00"], "message": "", "outgoing": False},
        ],
    }
    assert [v.rule for v in check_plan(plan, ctx)] == ["ind.opted_out_contact"]


def test_when_checker_module_is_read_then_it_imports_nothing_from_the_guardrail():
    import ast

    import evals.rules_independent as mod

    tree = ast.parse(open(mod.__file__, encoding="utf-8").read())
    modules = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    modules += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert modules and not any(m.startswith(("core.domain.compliance", "agent.validation", "app.")) for m in modules)
