"""Rule engine: runs every rule family over a plan's messages and builds the report."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from core.domain.compliance import (
    amounts,
    coercion,
    consent,
    escalation,
    lexicon,
    privacy,
    schedule,
    sms,
)
from core.domain.compliance.types import (
    ComplianceContext,
    Failure,
    OutgoingMessage,
    ValidationReport,
)

MessageCheck = Callable[[OutgoingMessage, ComplianceContext], list[Failure]]

# (family name, rule ids, check) in the order they run.
FAMILIES: tuple[tuple[str, tuple[str, ...], MessageCheck], ...] = (
    ("consent", consent.RULES, consent.check),
    ("schedule", schedule.RULES, schedule.check),
    ("coercion", coercion.RULES, coercion.check),
    ("lexicon", lexicon.RULES, lexicon.check),
    ("privacy", privacy.RULES, privacy.check),
    ("amounts", amounts.RULES, amounts.check),
    ("sms", sms.RULES, sms.check),
    ("escalation", escalation.RULES, escalation.check),
)
RULE_IDS: tuple[str, ...] = tuple(rule for _, rules, _ in FAMILIES for rule in rules)
RULE_TITLES: dict[str, str] = {
    "opt_out": "已退订渠道不得联系",
    "blacklist": "黑名单业主不得联系",
    "quiet_hours": "仅在 08:00–20:00 联系",
    "holiday": "节假日不联系",
    "daily_cap": "每日联系次数上限",
    "weekly_cap": "每周联系次数上限",
    "no_utility_threat": "不得以停水停电停暖停气、停用门禁卡电梯卡相威胁",
    "coercion": "不得威胁、恐吓、施压",
    "impersonation": "不得冒充或借用公安、法院、律师名义",
    "stage_wording": "阶段禁用词（预警阶段不得出现催收、逾期等）",
    "insult": "不得侮辱、贬损业主",
    "pii_leak": "不得外发身份证号、银行卡号等个人信息",
    "hardship_detail": "不得提及业主困难细节",
    "third_party": "不得联系亲属、单位、邻居等第三方",
    "public_posting": "不得公开曝光姓名、房号",
    "amount_mismatch": "金额须与账单一致",
    "sms_opt_out_line": "短信须含退订提示",
    "escalation_order": "逐级推进：催告 → 业委会督促 → 诉讼/仲裁",
}


def plan_contexts(
    messages: Sequence[OutgoingMessage], ctx: ComplianceContext
) -> list[tuple[OutgoingMessage, ComplianceContext]]:
    """Pair each message (in send order) with the context it must be checked in.

    Earlier messages of the plan count as prior contacts (for the caps) and as completed
    escalation steps (for the escalation order), as do the plan's earlier non-message steps
    (``ctx.planned_steps``, e.g. 提请业委会督促).
    """
    ordered = sorted(messages, key=lambda m: m.send_at)
    pairs = []
    prior, steps = tuple(ctx.prior_contacts), frozenset(ctx.completed_steps)
    for msg in ordered:
        steps = steps | {step for at, step in ctx.planned_steps if at < msg.send_at}
        pairs.append((msg, replace(ctx, prior_contacts=prior, completed_steps=steps)))
        if msg.channel not in schedule.UNCAPPED_CHANNELS:
            prior = prior + (msg.send_at,)
        steps = steps | escalation.steps_taken(msg)
    return pairs


def check_message(msg: OutgoingMessage, ctx: ComplianceContext, families: Sequence[str] | None = None) -> list[Failure]:
    """Run the selected rule families (all by default) on one message."""
    return [
        failure for name, _, check in FAMILIES if families is None or name in families for failure in check(msg, ctx)
    ]


def check_messages(
    messages: Sequence[OutgoingMessage],
    ctx: ComplianceContext,
    families: Sequence[str] | None = None,
) -> ValidationReport:
    """Check a plan's messages against every compliance rule.

    Args:
        messages: The plan's outgoing messages, in any order.
        ctx: Owner, ledger and policy context.
        families: Optional subset of family names (see FAMILIES) to run.

    Returns:
        A report with every failure, in send order.
    """
    failures = [f for msg, msg_ctx in plan_contexts(messages, ctx) for f in check_message(msg, msg_ctx, families)]
    checked = [rule for name, rules, _ in FAMILIES if families is None or name in families for rule in rules]
    return ValidationReport(passed=not failures, failures=failures, checked_rules=checked)
