"""guardrails-ai validators wrapping the domain compliance rule families (no Hub validators)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, ClassVar

from guardrails.validators import (
    FailResult,
    PassResult,
    ValidationResult,
    Validator,
    register_validator,
)
from guardrails_ai.types import ErrorSpan

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
from core.domain.compliance.types import ComplianceContext, Failure, OutgoingMessage

FAILURES_KEY = "steward_failures"


class DomainRuleValidator(Validator):
    """Base: runs one domain rule family on the validated text of a bound message."""

    family: ClassVar[str] = ""
    fixable: ClassVar[bool] = False
    check: ClassVar[Callable[[OutgoingMessage, ComplianceContext], list[Failure]]]

    def __init__(
        self,
        ctx: ComplianceContext,
        message: OutgoingMessage,
        on_fail: str | Callable[..., Any] | None = None,
        **kwargs: Any,
    ):
        super().__init__(on_fail=on_fail, use_local=True, step_id=message.step_id, **kwargs)
        self._ctx = ctx
        self._message = message

    def fix(self, text: str, failures: list[Failure]) -> str | None:
        """Return a safe corrected text, or None when no automatic fix is safe."""
        return None

    def failures_for(self, text: str) -> list[Failure]:
        """Run the family's rules on `text` as the bound message's text."""
        return type(self).check(replace(self._message, text=text), self._ctx)

    def _validate(self, value: Any, metadata: dict[str, Any]) -> ValidationResult:
        text = str(value)
        failures = self.failures_for(text)
        if not failures:
            return PassResult()
        spans = [
            ErrorSpan(start=f.span[0], end=f.span[1], reason=f"{f.rule}: {f.message}")
            for f in failures
            if f.span is not None
        ]
        fixed = self.fix(text, failures)
        return FailResult(
            error_message="；".join(f"[{f.rule}] {f.message}" for f in failures),
            fix_value=fixed,
            error_spans=spans or None,
            metadata={FAILURES_KEY: failures},
        )


@register_validator(name="steward/consent", data_type="string")
class ConsentValidator(DomainRuleValidator):
    """Opted-out channels and blacklisted owners (opt_out, blacklist)."""

    family = "consent"
    check = staticmethod(consent.check)


@register_validator(name="steward/schedule", data_type="string")
class ScheduleValidator(DomainRuleValidator):
    """Quiet hours, holidays and contact caps (quiet_hours, holiday, daily_cap, weekly_cap)."""

    family = "schedule"
    check = staticmethod(schedule.check)


@register_validator(name="steward/no_threats", data_type="string")
class ThreatValidator(DomainRuleValidator):
    """Utility/access threats, pressure, impersonation (no_utility_threat, coercion, impersonation)."""

    family = "coercion"
    check = staticmethod(coercion.check)


@register_validator(name="steward/wording", data_type="string")
class WordingValidator(DomainRuleValidator):
    """Stage vocabulary and insults (stage_wording, insult); fixes 逾期 → 未缴 etc. in 预警."""

    family = "lexicon"
    fixable = True
    check = staticmethod(lexicon.check)

    def fix(self, text: str, failures: list[Failure]) -> str | None:
        """Replace forbidden stage words when every one has a safe replacement."""
        if any(f.rule != "stage_wording" for f in failures):
            return None
        fixed = lexicon.fix_stage_wording(text, self._message.stage)
        return fixed if fixed is not None and not self.failures_for(fixed) else None


@register_validator(name="steward/privacy", data_type="string")
class PrivacyValidator(DomainRuleValidator):
    """PII, hardship details, third parties, public posting; masks PII when that is the only issue."""

    family = "privacy"
    fixable = True
    check = staticmethod(privacy.check)

    def fix(self, text: str, failures: list[Failure]) -> str | None:
        """Mask PII when it is the only problem."""
        if any(f.rule != "pii_leak" for f in failures):
            return None
        fixed = privacy.mask_pii(text, self._ctx)
        return fixed if not self.failures_for(fixed) else None


@register_validator(name="steward/ledger_amounts", data_type="string")
class AmountValidator(DomainRuleValidator):
    """Amounts must equal the ledger or an allowed amount (amount_mismatch)."""

    family = "amounts"
    check = staticmethod(amounts.check)


@register_validator(name="steward/sms_opt_out", data_type="string")
class SmsOptOutValidator(DomainRuleValidator):
    """Every SMS carries an opt-out line (sms_opt_out_line); fix appends 回T退订."""

    family = "sms"
    fixable = True
    check = staticmethod(sms.check)

    def fix(self, text: str, failures: list[Failure]) -> str | None:
        """Append the standard opt-out line."""
        return sms.add_opt_out_line(text)


@register_validator(name="steward/escalation", data_type="string")
class EscalationValidator(DomainRuleValidator):
    """催告 → 业委会督促 → 诉讼/仲裁 order (escalation_order)."""

    family = "escalation"
    check = staticmethod(escalation.check)


VALIDATORS: tuple[type[DomainRuleValidator], ...] = (
    ConsentValidator,
    ScheduleValidator,
    ThreatValidator,
    WordingValidator,
    PrivacyValidator,
    AmountValidator,
    SmsOptOutValidator,
    EscalationValidator,
)
