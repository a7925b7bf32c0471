"""SMS rule: every outgoing SMS carries an opt-out line."""

from __future__ import annotations

import re

from core.domain.compliance.text import normalize, plain_failure
from core.domain.compliance.types import ComplianceContext, Failure, OutgoingMessage

RULES: tuple[str, ...] = ("sms_opt_out_line",)

OPT_OUT_LINE = "回T退订"
_OPT_OUT_RE = re.compile(r"回(?:复)?t(?:d)?退订|退订(?:请)?回(?:复)?t(?:d)?|回复?(?:\"t\"|“t”)退订")


def has_opt_out_line(text: str) -> bool:
    """Tell whether `text` contains an opt-out line such as 回T退订 or 退订回T."""
    return _OPT_OUT_RE.search(normalize(text).norm) is not None


def add_opt_out_line(text: str) -> str:
    """Return `text` with the standard opt-out line appended (unchanged if already present)."""
    if has_opt_out_line(text):
        return text
    return f"{text.rstrip()} {OPT_OUT_LINE}"


def check(msg: OutgoingMessage, ctx: ComplianceContext) -> list[Failure]:
    """Flag an SMS without an opt-out line."""
    if msg.channel != "sms" or has_opt_out_line(msg.text):
        return []
    return [
        plain_failure(
            "sms_opt_out_line",
            msg,
            msg.text[-20:],
            "短信缺少退订提示",
            f"在短信末尾加上“{OPT_OUT_LINE}”",
        )
    ]
