"""Tables for quiet_hours, holiday, daily_cap, weekly_cap, opt_out and blacklist."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from core.domain.compliance import check_message, check_messages
from tests.validation.compliance_helpers import ctx, msg


def schedule_rules(send_at: datetime, stage: str = "初级", channel: str = "wechat", **overrides: object) -> set[str]:
    return {f.rule for f in check_message(msg(send_at=send_at, stage=stage, channel=channel), ctx(**overrides))}


@pytest.mark.parametrize(
    ("send_at", "quiet"),
    [
        (datetime(2024, 10, 9, 7, 59), True),
        (datetime(2024, 10, 9, 8, 0), False),
        (datetime(2024, 10, 9, 19, 59), False),
        (datetime(2024, 10, 9, 20, 0), True),
        (datetime(2024, 10, 9, 23, 30), True),
    ],
)
def test_when_send_time_is_outside_window_then_quiet_hours_fails(send_at: datetime, quiet: bool) -> None:
    assert ("quiet_hours" in schedule_rules(send_at)) is quiet


def test_when_window_is_configured_then_quiet_hours_uses_it() -> None:
    late = datetime(2024, 10, 9, 19, 0)
    assert "quiet_hours" in schedule_rules(late, quiet_start=time(9, 0), quiet_end=time(18, 0))


@pytest.mark.parametrize(
    ("send_at", "extra", "holiday"),
    [
        (datetime(2024, 10, 1, 10, 0), frozenset(), True),
        (datetime(2024, 10, 7, 10, 0), frozenset(), True),
        (datetime(2024, 9, 29, 10, 0), frozenset(), False),  # Sunday, adjusted working day
        (datetime(2024, 10, 19, 10, 0), frozenset(), False),  # ordinary Saturday
        (datetime(2024, 10, 9, 10, 0), frozenset({date(2024, 10, 9)}), True),  # configured date
    ],
)
def test_when_send_day_is_a_holiday_then_holiday_fails(send_at: datetime, extra: frozenset, holiday: bool) -> None:
    assert ("holiday" in schedule_rules(send_at, holidays=extra)) is holiday


def test_when_holiday_fails_then_hint_names_next_allowed_slot() -> None:
    failure = next(f for f in check_message(msg(send_at=datetime(2024, 10, 1, 10, 0)), ctx()) if f.rule == "holiday")
    assert "2024-10-08 08:00" in failure.hint


@pytest.mark.parametrize(
    ("stage", "prior", "breaks"),
    [
        ("预警", (datetime(2024, 10, 9, 9, 0),), True),
        ("预警", (datetime(2024, 10, 8, 9, 0),), False),
        ("中级", (datetime(2024, 10, 9, 9, 0),), False),
        ("中级", (datetime(2024, 10, 9, 9, 0), datetime(2024, 10, 9, 9, 30)), True),
    ],
)
def test_when_day_already_has_contacts_then_daily_cap_applies_per_stage(stage: str, prior: tuple, breaks: bool) -> None:
    assert ("daily_cap" in schedule_rules(datetime(2024, 10, 9, 15, 0), stage=stage, prior_contacts=prior)) is breaks


def test_when_daily_cap_is_configured_then_it_overrides_default() -> None:
    prior = (datetime(2024, 10, 9, 9, 0),)
    rules = schedule_rules(
        datetime(2024, 10, 9, 15, 0), stage="预警", prior_contacts=prior, daily_cap_by_stage={"预警": 2}
    )
    assert "daily_cap" not in rules


@pytest.mark.parametrize(
    ("prior_days", "breaks"),
    [((3, 5, 7), True), ((2, 5, 7), False), ((8,), False)],
)
def test_when_seven_day_window_is_full_then_weekly_cap_fails(prior_days: tuple, breaks: bool) -> None:
    prior = tuple(datetime(2024, 10, d, 10, 0) for d in prior_days)
    assert ("weekly_cap" in schedule_rules(datetime(2024, 10, 9, 15, 0), prior_contacts=prior)) is breaks


def test_when_plan_has_two_warning_messages_on_one_day_then_second_breaks_daily_cap() -> None:
    first = msg(step_id="a", stage="预警", send_at=datetime(2024, 10, 9, 9, 0))
    second = msg(step_id="b", stage="预警", send_at=datetime(2024, 10, 9, 15, 0))
    report = check_messages([second, first], ctx())
    assert [(f.rule, f.step_id) for f in report.failures] == [("daily_cap", "b")]


def test_when_notice_is_posted_then_it_does_not_count_as_contact() -> None:
    prior = (datetime(2024, 10, 9, 9, 0),)
    assert "daily_cap" not in schedule_rules(
        datetime(2024, 10, 9, 15, 0), stage="预警", channel="notice", prior_contacts=prior
    )


@pytest.mark.parametrize(
    ("channel", "overrides", "rule"),
    [
        ("sms", {"owner_opted_out": True}, "opt_out"),
        ("sms", {"opted_out_channels": frozenset({"sms"})}, "opt_out"),
        ("phone", {"opted_out_channels": frozenset({"all"})}, "opt_out"),
        ("wechat", {"owner_blacklisted": True}, "blacklist"),
    ],
)
def test_when_owner_withdrew_consent_then_contact_fails(channel: str, overrides: dict, rule: str) -> None:
    text = "您好，本期物业费1680元。回T退订"
    assert rule in {f.rule for f in check_message(msg(text, channel=channel), ctx(**overrides))}


def test_when_owner_opted_out_of_another_channel_then_this_channel_passes() -> None:
    assert "opt_out" not in schedule_rules(
        datetime(2024, 10, 9, 10, 0), channel="wechat", opted_out_channels=frozenset({"sms"})
    )
