"""Builders shared by the compliance and guard tests."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from core.domain.compliance import ComplianceContext, OutgoingMessage, check_message

WORKDAY_10AM = datetime(2024, 10, 9, 10, 0)  # Wednesday after the National Day week


def msg(
    text: str = "您好，您本期物业费1680元，可通过小程序缴纳。",
    stage: str = "初级",
    channel: str = "wechat",
    send_at: datetime = WORKDAY_10AM,
    step_id: str = "s1",
) -> OutgoingMessage:
    """Build a message with harmless defaults."""
    return OutgoingMessage(step_id=step_id, channel=channel, text=text, send_at=send_at, stage=stage)


def ctx(**overrides: object) -> ComplianceContext:
    """Build a context for a 1680 yuan ledger with an allowed 280 yuan instalment."""
    base: dict[str, object] = {
        "ledger_amount": Decimal("1680"),
        "allowed_amounts": frozenset({Decimal("280")}),
    }
    base.update(overrides)
    return ComplianceContext(**base)  # type: ignore[arg-type]


def rules(text: str, stage: str = "初级", channel: str = "wechat", **ctx_overrides: object) -> set[str]:
    """Return the ids of the rules a single message breaks."""
    return {f.rule for f in check_message(msg(text, stage=stage, channel=channel), ctx(**ctx_overrides))}
