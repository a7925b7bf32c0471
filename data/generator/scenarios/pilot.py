"""The PRD's pilot household (王女士, 4号楼1203), reproduced verbatim."""

from __future__ import annotations

from datetime import date
from typing import Any

from .model import ChatLine, ClaimRecord, ClaimSpec, Scenario, TicketEvent, TicketSpec, to_datetime

PILOT_FIRST_UNPAID_DUE = date(2024, 6, 30)
_DAY_0801 = 32  # 2024-08-01 relative to 2024-06-30

PILOT_SCENARIO = Scenario(
    cause_id="svc.cleaning_greening",
    secondary_cause_id="svc.security_lapse",
    chats=(
        ChatLine(
            _DAY_0801,
            8 * 60 + 40,
            "owner",
            "李管家，这已经是第三次了！4 号楼楼梯口的垃圾袋上周五就堆在那儿，今天早上出门还看见蟑螂爬出来，你们保洁到底有没有按时清理？",
        ),
        ChatLine(
            _DAY_0801,
            8 * 60 + 43,
            "steward",
            "王女士非常抱歉让您反复操心，我立刻联系保洁主管处理。您看这样行吗：",
        ),
        ChatLine(
            _DAY_0801,
            8 * 60 + 47,
            "owner",
            "我要看到实际行动，不是口头承诺。上次说加派人手，结果还是老样子...",
        ),
        ChatLine(
            _DAY_0801,
            8 * 60 + 54,
            "steward",
            "理解您的心情。今天我会全程跟进，中午 12 点前给您书面整改方案。另外，您方便的话，我们明天一起和保洁团队开个短会？您可以直接指出问题环节。",
        ),
        ChatLine(_DAY_0801, 8 * 60 + 58, "owner", "好吧，希望这次能彻底解决。"),
        ChatLine(
            _DAY_0801,
            9 * 60 + 6,
            "steward",
            "感谢您的监督，这是我们的责任。稍后我会将今日处理情况和明日会议时间短信告知您。",
        ),
    ),
    tickets=(
        TicketSpec(
            ref="WD-20240801-001",
            day=_DAY_0801,
            minute_of_day=9 * 60 + 30,
            type="保洁清洁",
            description="楼梯口垃圾袋堆积，保洁清理不及时",
            events=(
                TicketEvent(5, "已受理", "已联系保洁主管张师傅"),
                TicketEvent(45, "处理中", "保洁团队到现场清理"),
                TicketEvent(350, "已完成", "清理完成，增加该楼层巡检频次"),
            ),
            satisfaction=3,
        ),
    ),
    claims=(
        ClaimSpec(
            ref="c1",
            day=36,
            type="服务质量不满意",
            items=(
                "保洁服务不到位，楼梯口垃圾清理不及时",
                "绿化带有枯死植物未及时更换",
                "门禁系统故障频发，安全隐患大",
            ),
            records=(
                ClaimRecord(36, "管家上门沟通，承诺改善保洁服务"),
                ClaimRecord(46, "物业主管参与协商，制定整改计划"),
                ClaimRecord(56, "业主同意分期缴费，要求监督整改效果"),
            ),
        ),
    ),
    payment_pattern="on_time_then_stop",
    tags=(),
)

PILOT_PROFILE: dict[str, Any] = {
    "project": "BJ-PILOT",
    "project_name": "保利·北京试点社区",
    "city": "北京",
    "unit": "4-1203",
    "unit_label": "4号楼1203",
    "building": "4号楼",
    "owner_title": "王女士",
    "steward_title": "李管家",
    "monthly_fee": 560,
    "arrears_amount": 1680,
    "first_unpaid_due": PILOT_FIRST_UNPAID_DUE,
    "unpaid_periods": ("2024-06", "2024-07", "2024-08"),
    "paid_periods": ("2024-01", "2024-02", "2024-03", "2024-04", "2024-05"),
    "paid_note": "基本按时，偶有3天延迟",
    "max_paid_delay_days": 3,
    "history_pay_rate": 0.85,
    "payment_channel": "微信",
    "preferred_contact": "面对面",
    "poor_response_channel": "电话",
    "payment_pattern": "on_time_then_stop",
    "cause_id": "svc.cleaning_greening",
    "secondary_cause_id": "svc.security_lapse",
    "ticket_ref": "WD-20240801-001",
}


def _absolute() -> dict[str, Any]:
    due = PILOT_FIRST_UNPAID_DUE
    ticket = PILOT_SCENARIO.tickets[0]
    reported = to_datetime(due, ticket.day, ticket.minute_of_day)
    claim = PILOT_SCENARIO.claims[0]
    return {
        "first_unpaid_due": due,
        "chats": tuple((to_datetime(due, c.day, c.minute_of_day), c.speaker, c.text) for c in PILOT_SCENARIO.chats),
        "tickets": (
            {
                "ref": ticket.ref,
                "reported_at": reported,
                "completed_at": to_datetime(due, ticket.day, ticket.minute_of_day + ticket.events[-1].minute_offset),
                "events": tuple(
                    (
                        to_datetime(due, ticket.day, ticket.minute_of_day + e.minute_offset),
                        e.status,
                        e.note,
                    )
                    for e in ticket.events
                ),
            },
        ),
        "claims": (
            {
                "ref": claim.ref,
                "filed_on": to_datetime(due, claim.day, 0).date(),
                "records": tuple((to_datetime(due, r.day, 0).date(), r.text) for r in claim.records),
            },
        ),
    }


PILOT_ABSOLUTE: dict[str, Any] = _absolute()
