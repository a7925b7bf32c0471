"""Escalation rule: 催告 → 业委会督促 → 诉讼/仲裁, never skipping a step (物业管理条例第64条)."""

from __future__ import annotations

import re

from core.domain.compliance.text import normalize, text_failure
from core.domain.compliance.types import ComplianceContext, Failure, OutgoingMessage

RULES: tuple[str, ...] = ("escalation_order",)

REMINDER, COMMITTEE, LITIGATION = "催告", "业委会督促", "诉讼"
LEVELS: tuple[str, ...] = (REMINDER, COMMITTEE, LITIGATION)
# Highest escalation step a message of each stage may announce.
MAX_LEVEL_BY_STAGE: dict[str, int] = {"预警": 0, "初级": 1, "中级": 2, "高级": 2}

# The committee as a collection step (提请业主委员会督促, 由业委会出面催缴), not any mention of it: a governance
# reply such as "意见汇总提交业委会讨论" does not escalate a collection.
_COMMITTEE = r"(?:业委会|业主委员会)"
_URGE = r"(?:督促|催缴|催交|催告|催收|出面)"
_COMMITTEE_RE = re.compile(
    rf"{_COMMITTEE}[^，。；！？,.;!?]{{0,6}}{_URGE}|{_URGE}[^，。；！？,.;!?]{{0,4}}{_COMMITTEE}"
)
_LITIGATION_RE = re.compile(
    r"起诉|诉讼|仲裁|法律程序|法律途径|法律手段|司法途径|强制执行|财产保全|支付令|打官司|告(?:你|您)"
)


def level_of(msg: OutgoingMessage) -> tuple[int, re.Match[str] | None]:
    """Return the escalation level a message announces (0 催告, 1 业委会督促, 2 诉讼) and its match."""
    norm = normalize(msg.text).norm
    if m := _LITIGATION_RE.search(norm):
        return 2, m
    if m := _COMMITTEE_RE.search(norm):
        return 1, m
    return 0, None


def steps_taken(msg: OutgoingMessage) -> frozenset[str]:
    """Escalation steps this message performs once sent (every message is at least a 催告)."""
    level, _ = level_of(msg)
    return frozenset(LEVELS[: level + 1])


def check(msg: OutgoingMessage, ctx: ComplianceContext) -> list[Failure]:
    """Flag a message that jumps ahead of its stage or skips a required earlier step."""
    level, m = level_of(msg)
    if level == 0 or m is None:
        return []
    nt = normalize(msg.text)
    step = LEVELS[level]
    if level > MAX_LEVEL_BY_STAGE[msg.stage]:
        return [
            text_failure(
                "escalation_order",
                msg,
                nt,
                m.start(),
                m.end(),
                f"{msg.stage}阶段不得提及“{m.group()}”：须按 催告 → 业委会督促 → 诉讼/仲裁 逐级推进（物业管理条例第64条）",
                "删除该表述，先以提醒、协商和分期方案沟通",
            )
        ]
    previous = LEVELS[level - 1]
    done = set(ctx.completed_steps)
    if ctx.prior_contacts:
        done.add(REMINDER)
    if previous not in done:
        return [
            text_failure(
                "escalation_order",
                msg,
                nt,
                m.start(),
                m.end(),
                f"进入“{step}”前须先完成“{previous}”（物业管理条例第64条）",
                f"在方案中先安排“{previous}”步骤，再{step}",
            )
        ]
    return []
