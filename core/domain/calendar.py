"""Contact calendar: Chinese public holidays, quiet hours and the next allowed send slot."""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar

logger = logging.getLogger(__name__)

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
DEFAULT_START = time(8, 0)
DEFAULT_END = time(20, 0)
_MAX_SEARCH_DAYS = 366


@lru_cache(maxsize=64)
def _warn_uncovered(year: int) -> None:
    """Log once per year that public holidays are unknown for it."""
    logger.warning("chinese_calendar has no data for %s; treating only configured dates as holidays", year)


def _calendar_detail(d: date) -> tuple[bool, str | None] | None:
    """Return (non-working day, holiday name) from chinese_calendar, or None when uncovered."""
    try:
        return chinese_calendar.get_holiday_detail(d)
    except NotImplementedError:
        _warn_uncovered(d.year)
        return None


def is_holiday(d: date, extra: frozenset[date] = frozenset(), *, include_weekends: bool = False) -> bool:
    """Tell whether `d` is a day on which owners must not be contacted.

    Statutory public holidays (including the bridged days of a holiday period, e.g. 2024-10-01..07)
    come from `chinese_calendar`; ordinary weekends count only with `include_weekends`, and
    adjusted working days (调休上班, e.g. Sunday 2024-09-29) never count. Outside the years the
    package covers, only `extra` dates and (optionally) Saturdays/Sundays count, with a warning.

    Args:
        d: The calendar day (local time).
        extra: Additional configured no-contact dates.
        include_weekends: Also treat ordinary Saturdays and Sundays as holidays.

    Returns:
        True when no contact is allowed on that day.
    """
    if d in extra:
        return True
    detail = _calendar_detail(d)
    if detail is None:
        return include_weekends and d.weekday() >= 5
    non_working, name = detail
    if not non_working:
        return False
    return name is not None or include_weekends


def to_local(dt: datetime) -> datetime:
    """Return `dt` as a naive datetime in China local time (naive input is taken as local)."""
    if dt.tzinfo is None:
        return dt
    return dt.astimezone(LOCAL_TZ).replace(tzinfo=None)


def in_quiet_hours(dt: datetime, start: time = DEFAULT_START, end: time = DEFAULT_END) -> bool:
    """Tell whether `dt` falls outside the allowed contact window [start, end).

    Args:
        dt: Send time (naive local, or aware and converted to China time).
        start: First allowed minute, inclusive (08:00 by default).
        end: End of the window, exclusive (20:00 by default, so 20:00 itself is quiet).

    Returns:
        True when contacting at `dt` is not allowed.
    """
    t = to_local(dt).time()
    return not (start <= t < end)


def _day_allowed(d: date, holidays: frozenset[date], skip_weekends: bool) -> bool:
    return not is_holiday(d, holidays, include_weekends=skip_weekends)


def next_allowed_slot(
    dt: datetime,
    start: time = DEFAULT_START,
    end: time = DEFAULT_END,
    holidays: frozenset[date] = frozenset(),
    skip_weekends: bool = False,
) -> datetime:
    """Return the earliest allowed send time at or after `dt`.

    Deterministic: a time inside the window on an allowed day is returned unchanged; otherwise the
    result is `start` on the same or a later allowed day.

    Args:
        dt: Desired send time (naive local, or aware and converted to China time).
        start: Window start, inclusive.
        end: Window end, exclusive.
        holidays: Extra configured no-contact dates.
        skip_weekends: Also skip ordinary weekends (adjusted working days are kept).

    Returns:
        A naive local datetime.

    Raises:
        ValueError: If the window is empty or no allowed day exists within a year.
    """
    if start >= end:
        raise ValueError("start must be earlier than end")
    local = to_local(dt)
    day, t = local.date(), local.time()
    if t >= end:
        day, t = day + timedelta(days=1), start
    elif t < start:
        t = start
    for _ in range(_MAX_SEARCH_DAYS):
        if _day_allowed(day, holidays, skip_weekends):
            return datetime.combine(day, t)
        day, t = day + timedelta(days=1), start
    raise ValueError("no allowed contact day within a year")
