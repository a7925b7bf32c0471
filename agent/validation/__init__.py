"""guardrails-ai Guard around the domain compliance rules for outgoing dunning messages."""

from agent.validation.guard import build_guard, guard_failures, validate_plan
from agent.validation.offline import ensure_offline
from agent.validation.validators import VALIDATORS, DomainRuleValidator

__all__ = [
    "VALIDATORS",
    "DomainRuleValidator",
    "build_guard",
    "ensure_offline",
    "guard_failures",
    "validate_plan",
]
