"""Schedule rules: quiet hours, holidays, per-day and per-week contact caps."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.domain.calendar import in_quiet_hours, is_holiday, next_allowed_slot, to_local
from core.domain.compliance.text import plain_failure
from core.domain.compliance.types import ComplianceContext, Failure, OutgoingMessage

RULES: tuple[str, ...] = ("quiet_hours", "holiday", "daily_cap", "weekly_cap")

# A notice on the board is not a contact with the owner, so it does not count against caps.
UNCAPPED_CHANNELS = frozenset({"notice"})
_WEEK_DAYS = 7


def _fmt(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%d %H:%M")


def _suggestion(msg: OutgoingMessage, ctx: ComplianceContext) -> str:
    slot = next_allowed_slot(msg.send_at, ctx.quiet_start, ctx.quiet_end, ctx.holidays)
    return f"建议改到 {_fmt(slot)} 发送"


def check_quiet_hours(msg: OutgoingMessage, ctx: ComplianceContext) -> list[Failure]:
    """Flag sends outside the allowed window (08:00–20:00 by default)."""
    if not in_quiet_hours(msg.send_at, ctx.quiet_start, ctx.quiet_end):
        return []
    window = f"{ctx.quiet_start:%H:%M}–{ctx.quiet_end:%H:%M}"
    return [
        plain_failure(
            "quiet_hours",
            msg,
            _fmt(to_local(msg.send_at)),
            f"发送时间 {to_local(msg.send_at):%H:%M} 不在允许联系时段 {window} 内",
            _suggestion(msg, ctx),
        )
    ]


def check_holiday(msg: OutgoingMessage, ctx: ComplianceContext) -> list[Failure]:
    """Flag sends on statutory public holidays or configured no-contact dates."""
    day = to_local(msg.send_at).date()
    if not is_holiday(day, ctx.holidays):
        return []
    return [
        plain_failure(
            "holiday",
            msg,
            day.isoformat(),
            f"{day.isoformat()} 为节假日或配置的免打扰日，不得联系业主",
            _suggestion(msg, ctx),
        )
    ]


def check_caps(msg: OutgoingMessage, ctx: ComplianceContext) -> list[Failure]:
    """Flag a contact beyond the per-day cap of its stage or the rolling 7-day cap."""
    if msg.channel in UNCAPPED_CHANNELS:
        return []
    day = to_local(msg.send_at).date()
    prior_days = [to_local(t).date() for t in ctx.prior_contacts]
    failures: list[Failure] = []
    daily_cap = ctx.daily_cap_by_stage.get(msg.stage, 1)
    same_day = sum(1 for d in prior_days if d == day)
    if same_day >= daily_cap:
        failures.append(
            plain_failure(
                "daily_cap",
                msg,
                day.isoformat(),
                f"{msg.stage}阶段每日最多联系 {daily_cap} 次，{day.isoformat()} 已联系 {same_day} 次",
                "顺延到次日或合并为一次联系",
            )
        )
    week_start = day - timedelta(days=_WEEK_DAYS - 1)
    in_week = sum(1 for d in prior_days if week_start <= d <= day)
    if in_week >= ctx.weekly_cap:
        failures.append(
            plain_failure(
                "weekly_cap",
                msg,
                day.isoformat(),
                f"7 天内最多联系 {ctx.weekly_cap} 次，截至 {day.isoformat()} 已联系 {in_week} 次",
                "拉开联系间隔，避免频繁打扰",
            )
        )
    return failures


def check(msg: OutgoingMessage, ctx: ComplianceContext) -> list[Failure]:
    """Run every rule of this family."""
    return check_quiet_hours(msg, ctx) + check_holiday(msg, ctx) + check_caps(msg, ctx)
