"""Holidays, quiet hours and next allowed slot."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time

import pytest

from core.domain.calendar import in_quiet_hours, is_holiday, next_allowed_slot


@pytest.mark.parametrize(
    ("day", "include_weekends", "expected"),
    [
        (date(2024, 10, 1), False, True),  # National Day
        (date(2024, 10, 5), False, True),  # Saturday inside the holiday week
        (date(2024, 9, 29), False, False),  # Sunday, adjusted working day
        (date(2024, 9, 29), True, False),  # still a working day when weekends count
        (date(2024, 10, 12), True, False),  # Saturday, adjusted working day
        (date(2024, 10, 19), False, False),  # ordinary Saturday
        (date(2024, 10, 19), True, True),
        (date(2024, 10, 9), False, False),  # ordinary Wednesday
        (date(2025, 1, 29), False, True),  # Spring Festival
    ],
)
def test_when_day_is_checked_then_statutory_holidays_and_adjusted_days_are_respected(
    day: date, include_weekends: bool, expected: bool
) -> None:
    assert is_holiday(day, include_weekends=include_weekends) is expected


def test_when_extra_date_is_configured_then_it_is_a_holiday() -> None:
    assert is_holiday(date(2024, 10, 9), frozenset({date(2024, 10, 9)}))


def test_when_year_is_not_covered_then_fallback_uses_weekdays_and_warns(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="core.domain.calendar"):
        assert is_holiday(date(2099, 1, 3), include_weekends=True)  # Saturday
        assert not is_holiday(date(2099, 1, 5), include_weekends=True)  # Monday
        assert is_holiday(date(2099, 1, 5), frozenset({date(2099, 1, 5)}))
    assert "2099" in caplog.text


@pytest.mark.parametrize(
    ("hh", "mm", "quiet"),
    [(7, 59, True), (8, 0, False), (19, 59, False), (20, 0, True), (0, 0, True)],
)
def test_when_time_is_at_window_edges_then_quiet_hours_is_half_open(hh: int, mm: int, quiet: bool) -> None:
    assert in_quiet_hours(datetime(2024, 10, 9, hh, mm), time(8, 0), time(20, 0)) is quiet


def test_when_datetime_is_aware_then_it_is_converted_to_china_time() -> None:
    assert not in_quiet_hours(datetime(2024, 10, 9, 2, 0, tzinfo=UTC))  # 10:00 in Beijing
    assert in_quiet_hours(datetime(2024, 10, 9, 13, 0, tzinfo=UTC))  # 21:00 in Beijing


@pytest.mark.parametrize(
    ("start", "kwargs", "expected"),
    [
        (datetime(2024, 10, 9, 10, 30), {}, datetime(2024, 10, 9, 10, 30)),
        (datetime(2024, 10, 9, 6, 0), {}, datetime(2024, 10, 9, 8, 0)),
        (datetime(2024, 10, 9, 20, 0), {}, datetime(2024, 10, 10, 8, 0)),
        (datetime(2024, 9, 30, 21, 0), {}, datetime(2024, 10, 8, 8, 0)),
        (datetime(2024, 10, 18, 21, 0), {"skip_weekends": True}, datetime(2024, 10, 21, 8, 0)),
        (datetime(2024, 10, 18, 21, 0), {}, datetime(2024, 10, 19, 8, 0)),
        (datetime(2024, 10, 11, 21, 0), {"skip_weekends": True}, datetime(2024, 10, 12, 8, 0)),
        (datetime(2024, 9, 28, 21, 0), {"skip_weekends": True}, datetime(2024, 9, 29, 8, 0)),
        (datetime(2024, 10, 9, 10, 0), {"holidays": frozenset({date(2024, 10, 9)})}, datetime(2024, 10, 10, 8, 0)),
    ],
)
def test_when_next_slot_is_requested_then_it_is_the_earliest_allowed_time(
    start: datetime, kwargs: dict, expected: datetime
) -> None:
    assert next_allowed_slot(start, **kwargs) == expected


def test_when_window_is_empty_then_next_slot_raises() -> None:
    with pytest.raises(ValueError):
        next_allowed_slot(datetime(2024, 10, 9, 10), start=time(20), end=time(8))
