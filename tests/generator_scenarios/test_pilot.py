from datetime import date, datetime

from data.generator.scenarios import PILOT_ABSOLUTE, PILOT_PROFILE, PILOT_SCENARIO

# Copied from the PRD sections 聊天记录示例, 工单信息示例 and 欠费诉求示例.
PRD_CHAT = """王女士：李管家，这已经是第三次了！4 号楼楼梯口的垃圾袋上周五就堆在那儿，今天早上出门还看见蟑螂爬出来，你们保洁到底有没有按时清理？
李管家：王女士非常抱歉让您反复操心，我立刻联系保洁主管处理。您看这样行吗：
王女士：我要看到实际行动，不是口头承诺。上次说加派人手，结果还是老样子...
李管家：理解您的心情。今天我会全程跟进，中午 12 点前给您书面整改方案。另外，您方便的话，我们明天一起和保洁团队开个短会？您可以直接指出问题环节。
王女士：好吧，希望这次能彻底解决。
管家：感谢您的监督，这是我们的责任。稍后我会将今日处理情况和明日会议时间短信告知您。"""
SPEAKERS = {"王女士": "owner", "李管家": "steward", "管家": "steward"}


def test_when_pilot_chat_read_then_six_lines_verbatim_with_speakers():
    expected = [(SPEAKERS[line.split("：", 1)[0]], line.split("：", 1)[1]) for line in PRD_CHAT.splitlines()]
    assert [(c.speaker, c.text) for c in PILOT_SCENARIO.chats] == expected


def test_when_pilot_chat_placed_then_on_aug_1_between_0840_and_0910_before_ticket():
    stamps = [at for at, _, _ in PILOT_ABSOLUTE["chats"]]
    assert stamps == sorted(stamps)
    assert stamps[0] == datetime(2024, 8, 1, 8, 40) and stamps[-1] <= datetime(2024, 8, 1, 9, 10)
    assert stamps[-1] < PILOT_ABSOLUTE["tickets"][0]["reported_at"]


def test_when_pilot_ticket_read_then_matches_prd():
    (ticket,) = PILOT_SCENARIO.tickets
    assert (ticket.ref, ticket.type, ticket.satisfaction) == ("WD-20240801-001", "保洁清洁", 3)
    assert ticket.description == "楼梯口垃圾袋堆积，保洁清理不及时"
    assert [e.status for e in ticket.events] == ["已受理", "处理中", "已完成"]
    absolute = PILOT_ABSOLUTE["tickets"][0]
    assert absolute["reported_at"] == datetime(2024, 8, 1, 9, 30)
    assert absolute["completed_at"] == datetime(2024, 8, 1, 15, 20)
    assert [(at.strftime("%H:%M"), note) for at, _, note in absolute["events"]] == [
        ("09:35", "已联系保洁主管张师傅"),
        ("10:15", "保洁团队到现场清理"),
        ("15:20", "清理完成，增加该楼层巡检频次"),
    ]


def test_when_pilot_claim_read_then_matches_prd():
    (claim,) = PILOT_SCENARIO.claims
    assert claim.type == "服务质量不满意"
    assert claim.items == (
        "保洁服务不到位，楼梯口垃圾清理不及时",
        "绿化带有枯死植物未及时更换",
        "门禁系统故障频发，安全隐患大",
    )
    assert PILOT_ABSOLUTE["claims"][0]["records"] == (
        (date(2024, 8, 5), "管家上门沟通，承诺改善保洁服务"),
        (date(2024, 8, 15), "物业主管参与协商，制定整改计划"),
        (date(2024, 8, 25), "业主同意分期缴费，要求监督整改效果"),
    )


def test_when_pilot_truth_read_then_cleaning_with_security_secondary():
    assert PILOT_SCENARIO.cause_id == "svc.cleaning_greening"
    assert PILOT_SCENARIO.secondary_cause_id == "svc.security_lapse"
    assert PILOT_SCENARIO.payment_pattern == "on_time_then_stop"
    assert PILOT_ABSOLUTE["first_unpaid_due"] == date(2024, 6, 30)


def test_when_pilot_profile_read_then_prd_payment_history():
    p = PILOT_PROFILE
    assert (p["project"], p["unit"], p["building"], p["city"]) == (
        "BJ-PILOT",
        "4-1203",
        "4号楼",
        "北京",
    )
    assert (p["owner_title"], p["steward_title"], p["monthly_fee"]) == ("王女士", "李管家", 560)
    assert p["unpaid_periods"] == ("2024-06", "2024-07", "2024-08")
    assert p["monthly_fee"] * len(p["unpaid_periods"]) == p["arrears_amount"] == 1680
    assert p["paid_periods"][0] == "2024-01" and p["paid_periods"][-1] == "2024-05"
    assert p["history_pay_rate"] == 0.85
    assert (p["payment_channel"], p["preferred_contact"], p["poor_response_channel"]) == (
        "微信",
        "面对面",
        "电话",
    )
