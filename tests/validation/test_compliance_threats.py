"""Tables for no_utility_threat, coercion and impersonation, plus innocent service sentences."""

from __future__ import annotations

import pytest

from core.domain.compliance.engine import check_message
from tests.validation.compliance_helpers import ctx, msg, rules

UTILITY_THREATS = [
    "再不交就给你家断水",
    "停你家暖气",
    "门禁卡会被注销",
    "电梯卡将失效",
    "月底前不缴清，我们将暂停供电",
    "您家的水会被停掉",
    "水电会被停",
    "不交费就不给你开暖气",
    "燃气将被关闭",
    "我们会切断您家的供水",
    "停水停电是迟早的事",
    "暖气就不给开了",
    "您的门禁权限可能被冻结",
    "注销您家门禁卡",
    "到时候不让你坐电梯",
    "停你家电梯",
    "断 水 断 电",  # spaced to dodge keyword filters
    "不缴费的话，冬天的暖气就别想开了",
    "下个月起停止为您提供供暖服务",
    "把你家的燃气阀门关了",
    "拉你家电闸",
    "不交钱就别想用水",
    "电梯卡我们会收回",
]

INNOCENT = [
    "报修的水管已修好",
    "电梯已恢复运行",
    "门禁系统已维修完毕",
    "停车位已重新划线",
    "我们会尽快处理漏水",
    "物业费560元/月",
    "您可以申请分期",
    "我们不会因欠费停水停电，请您放心",
    "请将您的电动车停放在指定位置",
    "因管道检修，明日9:00-12:00停水，请提前储水",
    "如您近期经济困难，可申请分期缴纳",
    "感谢您和家人一直以来的支持",
    "物业费收支情况已在公告栏公示",
    "门禁卡丢失可到前台补办",
    "热水器维修已预约，师傅明天上午上门",
    "您反映的电梯异响，维保单位已排查完毕",
    "如有疑问，欢迎联系管家小李",
    "本期账单已发送到您的微信，请查收",
    "本小区将于11月15日开始供暖",
    "停水通知：因市政管网施工，明天停水一天",
    "您的门禁卡已激活，可正常使用",
    "电动车请勿进入电梯",
    "请关闭水阀再出门",
    "电闸跳闸请联系值班电话",
    "请小心您的财物安全",
    "您可以和家人商量后再决定",
    "燃气公司将于周三入户安检",
]

COERCION = [
    "后果自负",
    "别怪我们不客气",
    "我们会天天上门",
    "每天都会打电话给您",
    "一直打到你交为止",
    "欠费会影响您的征信",
    "小心让你在小区住不下去",
    "这是最后一次警告",
    "限你今天之内交清",
    "到时候会拘留你",
    "你不交试试看",
    "小心你的车",
    "出了什么事别怪我们",
    "我们会派人天天堵你家门口",
]

NOT_COERCION = [
    "欠费不会影响您的征信，请放心",
    "请于本月底前缴纳",
    "我们每天都会巡查小区设施",
]

IMPERSONATION = [
    ("我是派出所的", "初级"),
    ("法院马上来人", "高级"),
    ("法院马上来人", "初级"),
    ("我们会报警处理", "中级"),
    ("公安已经介入", "高级"),
    ("我们会让律师找您", "初级"),
    ("我是律师，代表物业通知你", "中级"),
    ("我们是街道办的", "初级"),
    ("我司将依法向人民法院提起诉讼", "中级"),
]

LAWFUL_AUTHORITY = [
    ("我司将依法向人民法院提起诉讼", "高级"),
    ("我司已委托律师事务所向您发送律师函", "中级"),
    ("律师函已寄出，请查收", "高级"),
]


@pytest.mark.parametrize("text", UTILITY_THREATS)
def test_when_text_threatens_utilities_or_cards_then_no_utility_threat_fails(text: str) -> None:
    assert "no_utility_threat" in rules(text)


@pytest.mark.parametrize("text", INNOCENT)
@pytest.mark.parametrize("stage", ["预警", "初级", "中级", "高级"])
def test_when_sentence_is_innocent_then_every_rule_passes(text: str, stage: str) -> None:
    assert rules(text, stage=stage) == set()


@pytest.mark.parametrize("text", COERCION)
def test_when_text_threatens_or_pressures_then_coercion_fails(text: str) -> None:
    assert "coercion" in rules(text)


@pytest.mark.parametrize("text", NOT_COERCION)
def test_when_text_reassures_or_sets_due_date_then_coercion_passes(text: str) -> None:
    assert "coercion" not in rules(text)


@pytest.mark.parametrize(("text", "stage"), IMPERSONATION)
def test_when_authority_is_invoked_outside_lawful_step_then_impersonation_fails(text: str, stage: str) -> None:
    assert "impersonation" in rules(text, stage=stage, completed_steps=frozenset({"催告", "业委会督促"}))


@pytest.mark.parametrize(("text", "stage"), LAWFUL_AUTHORITY)
def test_when_lawful_step_is_described_in_late_stage_then_impersonation_passes(text: str, stage: str) -> None:
    assert "impersonation" not in rules(text, stage=stage, completed_steps=frozenset({"催告", "业委会督促"}))


def test_when_threat_is_found_then_failure_points_at_original_span() -> None:
    text = "您好，再不交就给你家断水。"
    failures = check_message(msg(text), ctx())
    threat = next(f for f in failures if f.rule == "no_utility_threat")
    assert threat.span is not None
    assert text[threat.span[0] : threat.span[1]] == threat.excerpt == "断水"
    assert threat.hint and threat.step_id == "s1"


def test_when_spaced_threat_is_found_then_span_covers_the_spaced_original() -> None:
    text = "再不交就断 水"
    threat = next(f for f in check_message(msg(text), ctx()) if f.rule == "no_utility_threat")
    assert threat.excerpt == "断 水"
