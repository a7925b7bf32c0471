"""Contact policy: every send passes here first; a blocked send says why (Chinese reason + rule id).

Quiet hours, holidays, per-owner caps, opt-out and blacklist are the compliance engine's own rules
(core.domain.compliance: schedule and consent families); this module adds the owner's chosen window and
the per-project daily cap, and picks the first failure in a fixed order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from core.domain.calendar import DEFAULT_END, DEFAULT_START, to_local
from core.domain.compliance import ComplianceContext, OutgoingMessage, check_message
from core.domain.compliance.types import DEFAULT_DAILY_CAPS

# Order in which a blocked send is explained: the hardest "never" first.
RULE_ORDER: tuple[str, ...] = (
    "blacklist",
    "opt_out",
    "holiday",
    "quiet_hours",
    "owner_window",
    "daily_cap",
    "weekly_cap",
    "project_daily_cap",
)
SPECIAL_WEEKLY_CAP = 1


@dataclass(frozen=True, kw_only=True)
class PolicyConfig:
    """Operator-configured contact limits."""

    quiet_start: time = DEFAULT_START
    """Start of the allowed window (inclusive)."""
    quiet_end: time = DEFAULT_END
    """End of the allowed window (exclusive)."""
    holidays: frozenset[date] = frozenset()
    """Extra no-contact dates on top of the statutory holidays."""
    daily_cap_by_stage: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_DAILY_CAPS))
    """Per-owner contacts per day, by stage."""
    weekly_cap: int = 3
    """Per-owner contacts in any 7 consecutive days."""
    special_weekly_cap: int = SPECIAL_WEEKLY_CAP
    """Weekly cap for special populations (老年、残障、敏感)."""
    project_daily_cap: int | None = None
    """Contacts per project per day (None: unlimited)."""


@dataclass(frozen=True, kw_only=True)
class OwnerContactState:
    """What the policy needs to know about one owner at send time."""

    owner_id: int
    opted_out_all: bool = False
    opted_out_channels: frozenset[str] = frozenset()
    blacklisted: bool = False
    window: tuple[time, time] | None = None
    """The owner's chosen contact window (owner_preferences), if any."""
    prior_contacts: tuple[datetime, ...] = ()
    """Times of earlier contacts with this owner (any unit, any channel)."""
    special: bool = False
    project_sent_today: int = 0
    """Contacts already made today in the owner's project."""


@dataclass(frozen=True)
class PolicyDecision:
    """Allowed, or blocked with the first broken rule."""

    allowed: bool
    rule: str | None = None
    reason: str = ""
    hint: str = ""

    def to_dict(self) -> dict:
        """JSON-ready dict."""
        return {"allowed": self.allowed, "rule": self.rule, "reason": self.reason, "hint": self.hint}


def parse_window(start: str | None, end: str | None) -> tuple[time, time] | None:
    """Owner window from 'HH:MM' strings; None when unset or empty."""
    if not start or not end:
        return None
    window = (time.fromisoformat(start), time.fromisoformat(end))
    return window if window[0] < window[1] else None


def _compliance_failures(
    channel: str, at: datetime, stage: str, owner: OwnerContactState, config: PolicyConfig
) -> list[tuple[str, str, str]]:
    msg = OutgoingMessage(step_id="send", channel=channel, text="", send_at=at, stage=stage)
    weekly = min(config.weekly_cap, config.special_weekly_cap) if owner.special else config.weekly_cap
    ctx = ComplianceContext(
        ledger_amount=0,
        owner_opted_out=owner.opted_out_all,
        opted_out_channels=owner.opted_out_channels,
        owner_blacklisted=owner.blacklisted,
        holidays=config.holidays,
        quiet_start=config.quiet_start,
        quiet_end=config.quiet_end,
        daily_cap_by_stage=config.daily_cap_by_stage,
        weekly_cap=weekly,
        prior_contacts=owner.prior_contacts,
    )
    return [(f.rule, f.message, f.hint) for f in check_message(msg, ctx, families=("consent", "schedule"))]


def _owner_window(at: datetime, owner: OwnerContactState) -> list[tuple[str, str, str]]:
    if owner.window is None:
        return []
    start, end = owner.window
    t = to_local(at).time()
    if start <= t < end:
        return []
    return [
        (
            "owner_window",
            f"业主选择的联系时段为 {start:%H:%M}–{end:%H:%M}，{t:%H:%M} 不在其内",
            f"改到 {start:%H:%M}–{end:%H:%M} 之间联系",
        )
    ]


def _project_cap(owner: OwnerContactState, config: PolicyConfig) -> list[tuple[str, str, str]]:
    cap = config.project_daily_cap
    if cap is None or owner.project_sent_today < cap:
        return []
    return [("project_daily_cap", f"本项目今日触达已达上限 {cap} 次", "顺延到次日")]


def check_send(
    channel: str, at: datetime, stage: str, owner: OwnerContactState, config: PolicyConfig
) -> PolicyDecision:
    """Decide whether one contact may go out now.

    Args:
        channel: sms, wechat, phone, email or visit.
        at: Send time (naive local or aware).
        stage: The household's dunning stage (预警/初级/中级/高级); decides the daily cap.
        owner: The owner's consent, window, prior contacts and project load.
        config: Operator limits.

    Returns:
        Allowed, or blocked with the rule id and a Chinese reason.
    """
    found = _compliance_failures(channel, at, stage, owner, config)
    found += _owner_window(at, owner) + _project_cap(owner, config)
    if not found:
        return PolicyDecision(True)
    rule, reason, hint = min(found, key=lambda f: RULE_ORDER.index(f[0]))
    return PolicyDecision(False, rule, reason, hint)
