"""Build per-message Guards from the domain rules and validate whole dunning plans."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from guardrails import Guard

from agent.validation.offline import ensure_offline
from agent.validation.validators import FAILURES_KEY, VALIDATORS, DomainRuleValidator
from core.domain.compliance.engine import RULE_IDS, plan_contexts
from core.domain.compliance.types import (
    ComplianceContext,
    Failure,
    OutgoingMessage,
    ValidationReport,
)


def _action(cls: type[DomainRuleValidator], on_fail: str | Callable[..., Any]) -> str | Callable[..., Any]:
    return "noop" if on_fail == "fix" and not cls.fixable else on_fail


def build_guard(
    ctx: ComplianceContext,
    message: OutgoingMessage,
    on_fail: str | Callable[..., Any] = "noop",
) -> Guard:
    """Return a local-only Guard that validates `message`'s text against every compliance rule.

    Args:
        ctx: Owner, ledger and policy context (for a plan, use the per-message context from
            `plan_contexts` so earlier messages count toward caps and escalation).
        message: The message whose channel, stage and send time the validators use.
        on_fail: guardrails on_fail action for every validator: "noop" (collect), "exception",
            "filter", "refrain", a callable, or "fix": validators with a safe fix (wording in 预警,
            PII masking, SMS opt-out line) apply it, the others only record their failure (noop).
            A fixable validator that finds no safe fix yields None as output (fail closed).

    Returns:
        A configured Guard; call ``guard.validate(message.text)``.
    """
    ensure_offline()  # before Guard(): its constructor may already emit telemetry
    guard = Guard(name=f"steward-{message.step_id}")
    ensure_offline(guard)
    guard.use(*(cls(ctx=ctx, message=message, on_fail=_action(cls, on_fail)) for cls in VALIDATORS))
    return guard


def guard_failures(guard: Guard) -> list[Failure]:
    """Collect the structured domain failures from the guard's last call."""
    call = guard.history.last
    if call is None:
        return []
    failures: list[Failure] = []
    for log in call.validator_logs:
        metadata = getattr(log.validation_result, "metadata", None) or {}
        failures.extend(metadata.get(FAILURES_KEY, ()))
    return failures


def validate_plan(messages: Sequence[OutgoingMessage], ctx: ComplianceContext) -> ValidationReport:
    """Run a Guard per message (in send order) and merge the structured failures.

    Args:
        messages: The plan's outgoing messages.
        ctx: Owner, ledger and policy context before the plan starts.

    Returns:
        A report in which every failure names its rule, step, span and hint.
    """
    failures: list[Failure] = []
    for msg, msg_ctx in plan_contexts(messages, ctx):
        guard = build_guard(msg_ctx, msg, on_fail="noop")
        guard.validate(msg.text)
        failures.extend(guard_failures(guard))
    return ValidationReport(passed=not failures, failures=failures, checked_rules=list(RULE_IDS))
