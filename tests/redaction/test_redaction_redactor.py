"""HouseholdRedactor: consistent placeholders, owner/staff roles, pilot texts, boundary check."""

from __future__ import annotations

from core.redaction import Finding, HouseholdRedactor, find_raw_pii, redact_text

PILOT_CHAT = [
    "王女士：李管家，这已经是第三次了！4 号楼楼梯口的垃圾袋上周五就堆在那儿，今天早上出门还看见蟑螂爬出来，你们保洁到底有没有按时清理？",
    "李管家：王女士非常抱歉让您反复操心，我立刻联系保洁主管处理。您看这样行吗：",
    "王女士：我要看到实际行动，不是口头承诺。上次说加派人手，结果还是老样子...",
    "李管家：理解您的心情。今天我会全程跟进，中午 12 点前给您书面整改方案。",
    "王女士：好吧，希望这次能彻底解决。",
]
PILOT_TICKET = (
    "工单编号：WD-20240801-001\n- 房号：4 号楼 1203\n- 业主：王女士\n- 报修时间：2024-08-01 09:30\n"
    "- 完成时间：2024-08-01 15:20\n- 满意度评价：3 分（一般）\n- 跟进记录：\n  - 09:35 已联系保洁主管张师傅\n"
    "  - 15:20 清理完成，增加该楼层巡检频次\n欠费金额：1,680 元（物业费 560 元/月 ×3 月）"
)
RAW_NAMES = ("王女士", "李管家", "张师傅", "王丽")


def test_when_same_phone_appears_twice_then_same_placeholder_and_second_phone_gets_2():
    redactor = HouseholdRedactor()
    first = redactor.redact("电话13800138000")
    second = redactor.redact("还是 138 0013 8000，另一个 13912345678")
    assert first == "电话【手机号1】"
    assert second == "还是 【手机号1】，另一个 【手机号2】"


def test_when_owner_is_named_in_many_forms_then_always_owner_placeholder():
    redactor = HouseholdRedactor(owner_names=["王丽"])
    out = redactor.redact_many(["王女士你好", "我是王丽", "丽姐说明天交", "王丽女士的账单"])
    assert out == ["【业主】你好", "我是【业主】", "【业主】说明天交", "【业主】的账单"]


def test_when_staff_and_others_appear_then_numbered_by_role():
    redactor = HouseholdRedactor(owner_names=["王丽"], staff_names=["李明"])
    out = redactor.redact_many(["李管家和张师傅来了", "客服小李回复了，老赵在旁边", "张师傅又来了，刘阿姨也在"])
    assert out == [
        "【工作人员1】和【工作人员2】来了",
        "客服【工作人员1】回复了，【人员1】在旁边",
        "【工作人员2】又来了，【人员2】也在",
    ]


def test_when_household_unit_and_other_units_appear_then_own_unit_is_benhu():
    redactor = HouseholdRedactor(owner_unit="4号楼1203")
    assert redactor.redact("4 号楼 1203 楼上是 4号楼1303") == "【本户】 楼上是 【地址1】"


def test_when_every_entity_type_appears_then_each_gets_its_label():
    text = (
        "座机010-12345678，身份证31010419770703346X，卡号6222023194875749119，"
        "邮箱wangli@163.com，微信号：wang_li88，车牌粤B·D12345，朝阳区建国路88号"
    )
    out = redact_text(text)
    for label in (
        "【座机1】",
        "【身份证号1】",
        "【银行卡号1】",
        "【邮箱1】",
        "【微信号1】",
        "【车牌1】",
        "【地址1】",
    ):
        assert label in out
    assert find_raw_pii(out) == []


def test_when_pilot_chat_and_ticket_are_redacted_then_no_raw_names_remain():
    redactor = HouseholdRedactor(owner_names=["王丽"], owner_unit="4号楼1203")
    out = redactor.redact_many([*PILOT_CHAT, PILOT_TICKET])
    joined = "\n".join(out)
    assert not any(name in joined for name in RAW_NAMES)
    assert "4 号楼 1203" not in joined and "【本户】" in joined
    assert out[0].startswith("【业主】：【工作人员1】")
    assert "【工作人员2】" in out[-1]
    assert "WD-20240801-001" in joined and "1,680 元" in joined and "15:20" in joined
    assert find_raw_pii(joined, extra_values=RAW_NAMES) == []


def test_when_text_is_redacted_then_mapping_stays_on_object_and_out_of_output():
    redactor = HouseholdRedactor(owner_names=["王丽"])
    out = redactor.redact("王丽电话13800138000")
    assert redactor.mapping == {"【业主】": "王丽", "【手机号1】": "13800138000"}
    assert "13800138000" not in out and "13800138000" not in repr(redactor)


def test_when_boundary_check_finds_pii_then_repr_has_type_and_span_but_no_value():
    findings = find_raw_pii("请联系 13800138000 或王丽", extra_values=["王丽"])
    # 王丽 is found twice: as a name by the learned recogniser and as the known value.
    assert findings == [
        Finding("CN_MOBILE", 4, 15, findings[0].score),
        Finding("PERSON", 17, 19, findings[1].score),
        Finding("KNOWN_VALUE", 17, 19),
    ]
    assert "13800138000" not in repr(findings) and "王丽" not in repr(findings)


def test_when_text_has_no_pii_then_it_is_returned_unchanged():
    text = "本期应缴 1680元，2024-08-01 前缴清，工单 WD-20240801-001，满意度 3分"
    assert redact_text(text) == text
