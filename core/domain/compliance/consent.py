"""Consent rules: opted-out and blacklisted owners must not be contacted."""

from __future__ import annotations

from core.domain.channels import CHANNEL_NAMES as BASE_CHANNEL_NAMES
from core.domain.compliance.text import plain_failure
from core.domain.compliance.types import ALL_CHANNELS, ComplianceContext, Failure, OutgoingMessage

RULES: tuple[str, ...] = ("opt_out", "blacklist")

CHANNEL_NAMES = {**BASE_CHANNEL_NAMES, "letter": "书面函件", "notice": "公告"}


def check_opt_out(msg: OutgoingMessage, ctx: ComplianceContext) -> list[Failure]:
    """Flag contact through a channel the owner opted out of (or all channels)."""
    channel_out = msg.channel in ctx.opted_out_channels or ALL_CHANNELS in ctx.opted_out_channels
    if not (ctx.owner_opted_out or channel_out):
        return []
    scope = "全部渠道" if not channel_out or ALL_CHANNELS in ctx.opted_out_channels else CHANNEL_NAMES[msg.channel]
    return [
        plain_failure(
            "opt_out",
            msg,
            msg.channel,
            f"业主已退订{scope}，不得通过该渠道联系",
            "删除该步骤，或改用业主未退订的渠道",
        )
    ]


def check_blacklist(msg: OutgoingMessage, ctx: ComplianceContext) -> list[Failure]:
    """Flag any contact with a blacklisted owner."""
    if not ctx.owner_blacklisted:
        return []
    return [
        plain_failure(
            "blacklist",
            msg,
            msg.channel,
            "业主在免打扰黑名单中，不得联系",
            "删除该步骤，交由主管人工处理",
        )
    ]


def check(msg: OutgoingMessage, ctx: ComplianceContext) -> list[Failure]:
    """Run every rule of this family."""
    return check_opt_out(msg, ctx) + check_blacklist(msg, ctx)
