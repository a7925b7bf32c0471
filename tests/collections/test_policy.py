"""Contact policy table: quiet hours, holidays, caps, owner window, project cap, opt-out and blacklist."""

from __future__ import annotations

from datetime import datetime, time

import pytest

from core.domain.collections.policy import OwnerContactState, PolicyConfig, check_send

WORKDAY = datetime(2024, 9, 3)  # a Tuesday, no holiday
CONFIG = PolicyConfig(project_daily_cap=100)


def at(h: int, m: int = 0, day: datetime = WORKDAY) -> datetime:
    return day.replace(hour=h, minute=m)


def owner(**kw) -> OwnerContactState:
    return OwnerContactState(owner_id=1, **kw)


CASES = [
    # (name, channel, send time, stage, owner, expected rule or None, words in the reason)
    ("07:59 is quiet", "sms", at(7, 59), "预警", owner(), "quiet_hours", "08:00–20:00"),
    ("08:00 is allowed", "sms", at(8, 0), "预警", owner(), None, ""),
    ("19:59 is allowed", "sms", at(19, 59), "预警", owner(), None, ""),
    ("20:00 is quiet", "phone", at(20, 0), "预警", owner(), "quiet_hours", "不在允许联系时段"),
    ("national day", "sms", datetime(2024, 10, 1, 10), "预警", owner(), "holiday", "节假日"),
    ("adjusted working sunday", "sms", datetime(2024, 9, 29, 10), "预警", owner(), None, ""),
    ("daily cap in 预警", "wechat", at(15), "预警", owner(prior_contacts=(at(9),)), "daily_cap", "每日最多联系 1 次"),
    ("中级 allows two a day", "phone", at(15), "中级", owner(prior_contacts=(at(9),)), None, ""),
    (
        "weekly cap",
        "sms",
        at(10),
        "中级",
        owner(prior_contacts=(datetime(2024, 8, 28, 10), datetime(2024, 8, 30, 10), datetime(2024, 9, 1, 10))),
        "weekly_cap",
        "7 天内最多联系 3 次",
    ),
    (
        "special owner weekly cap 1",
        "sms",
        at(10),
        "中级",
        owner(special=True, prior_contacts=(datetime(2024, 8, 30, 10),)),
        "weekly_cap",
        "最多联系 1 次",
    ),
    (
        "project cap",
        "sms",
        at(10),
        "预警",
        owner(project_sent_today=100),
        "project_daily_cap",
        "本项目今日触达已达上限",
    ),
    (
        "before owner window",
        "phone",
        at(8, 30),
        "预警",
        owner(window=(time(9), time(18))),
        "owner_window",
        "09:00–18:00",
    ),
    ("inside owner window", "phone", at(9, 0), "预警", owner(window=(time(9), time(18))), None, ""),
    ("opted out of everything", "wechat", at(10), "预警", owner(opted_out_all=True), "opt_out", "退订全部渠道"),
    (
        "opted out of sms only: sms",
        "sms",
        at(10),
        "预警",
        owner(opted_out_channels=frozenset({"sms"})),
        "opt_out",
        "退订短信",
    ),
    ("opted out of sms only: wechat", "wechat", at(10), "预警", owner(opted_out_channels=frozenset({"sms"})), None, ""),
    ("blacklist beats quiet hours", "sms", at(22), "预警", owner(blacklisted=True), "blacklist", "黑名单"),
]


@pytest.mark.parametrize(
    ("name", "channel", "when", "stage", "state", "rule", "words"), CASES, ids=[c[0] for c in CASES]
)
def test_when_policy_checks_a_send_then_it_allows_or_names_the_rule(name, channel, when, stage, state, rule, words):
    decision = check_send(channel, when, stage, state, CONFIG)
    assert decision.allowed is (rule is None), decision
    assert decision.rule == rule
    assert words in decision.reason


def test_when_holiday_is_configured_then_the_day_is_blocked():
    config = PolicyConfig(holidays=frozenset({WORKDAY.date()}))
    decision = check_send("sms", at(10), "预警", owner(), config)
    assert (decision.allowed, decision.rule) == (False, "holiday")
