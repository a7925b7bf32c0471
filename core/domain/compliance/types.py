"""Value types of the compliance rule engine: messages, context, failures and reports."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

STAGES: tuple[str, ...] = ("预警", "初级", "中级", "高级")
CHANNELS: tuple[str, ...] = ("sms", "wechat", "phone", "visit", "letter", "email", "notice")
ALL_CHANNELS = "all"
DEFAULT_DAILY_CAPS: dict[str, int] = {"预警": 1, "初级": 1, "中级": 2, "高级": 2}


@dataclass(frozen=True)
class OutgoingMessage:
    """One planned contact with an owner."""

    step_id: str
    """Stable id of the plan step that sends this message."""
    channel: str
    """One of sms, wechat, phone, visit, letter, email, notice."""
    text: str
    """The exact text the owner will read or hear."""
    send_at: datetime
    """Planned send time; naive values are China local time."""
    stage: str
    """Dunning stage: 预警, 初级, 中级 or 高级."""

    def __post_init__(self) -> None:
        if self.channel not in CHANNELS:
            raise ValueError(f"unknown channel {self.channel!r}; expected one of {CHANNELS}")
        if self.stage not in STAGES:
            raise ValueError(f"unknown stage {self.stage!r}; expected one of {STAGES}")


@dataclass(frozen=True, kw_only=True)
class ComplianceContext:
    """Everything about the owner and the policy that a message is checked against."""

    ledger_amount: Decimal
    """Amount owed according to the ledger; any amount quoted in a message must match it."""
    allowed_amounts: frozenset[Decimal] = frozenset()
    """Other amounts that may be quoted (instalments, reductions, monthly fee)."""
    owner_opted_out: bool = False
    """The owner opted out of all contact."""
    opted_out_channels: frozenset[str] = frozenset()
    """Channels the owner opted out of; "all" means every channel."""
    owner_blacklisted: bool = False
    """The owner is on the do-not-contact blacklist."""
    holidays: frozenset[date] = frozenset()
    """Configured no-contact dates on top of the statutory holidays."""
    quiet_start: time = time(8, 0)
    """Start of the allowed contact window (inclusive)."""
    quiet_end: time = time(20, 0)
    """End of the allowed contact window (exclusive)."""
    daily_cap_by_stage: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_DAILY_CAPS))
    """Maximum contacts per owner per calendar day, by stage."""
    weekly_cap: int = 3
    """Maximum contacts per owner in any 7 consecutive calendar days."""
    prior_contacts: tuple[datetime, ...] = ()
    """Times of contacts already made or planned before this message."""
    sensitive_values: tuple[str, ...] = ()
    """Raw phone, ID, card or name strings of this owner that must never appear."""
    owner_unit: str | None = None
    """The owner's unit (e.g. 4号楼1203); must never appear in a public notice."""
    completed_steps: frozenset[str] = frozenset()
    """Escalation steps already taken for this arrears: 催告, 业委会督促."""
    planned_steps: tuple[tuple[datetime, str], ...] = ()
    """Escalation steps the plan takes without an owner message (e.g. 业委会督促 on its day), with their times."""


@dataclass(frozen=True)
class Failure:
    """One broken rule, located in one message."""

    rule: str
    """Stable ASCII rule id, e.g. no_utility_threat."""
    step_id: str
    """Plan step of the offending message."""
    span: tuple[int, int] | None
    """Character offsets [start, end) in the message text, when the rule is about wording."""
    excerpt: str
    """The offending text (or the offending value, e.g. the send time)."""
    message: str
    """User-facing explanation (Chinese)."""
    hint: str
    """User-facing fix hint (Chinese)."""

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        data = asdict(self)
        data["span"] = list(self.span) if self.span else None
        return data


@dataclass
class ValidationReport:
    """Outcome of checking a set of messages."""

    passed: bool
    """True when no rule failed."""
    failures: list[Failure]
    """Every failure, in message order."""
    checked_rules: list[str]
    """Ids of the rules that were run."""

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "passed": self.passed,
            "failures": [f.to_dict() for f in self.failures],
            "checked_rules": list(self.checked_rules),
        }

    def rules_failed(self) -> set[str]:
        """Return the ids of the rules that failed at least once."""
        return {f.rule for f in self.failures}
