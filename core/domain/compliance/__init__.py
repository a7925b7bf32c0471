"""Compliance rule engine for outgoing dunning messages (pure Python, no LLM or web imports)."""

from core.domain.compliance.amounts import extract_amounts
from core.domain.compliance.engine import (
    FAMILIES,
    RULE_IDS,
    RULE_TITLES,
    check_message,
    check_messages,
    plan_contexts,
)
from core.domain.compliance.types import (
    CHANNELS,
    STAGES,
    ComplianceContext,
    Failure,
    OutgoingMessage,
    ValidationReport,
)

__all__ = [
    "CHANNELS",
    "FAMILIES",
    "RULE_IDS",
    "RULE_TITLES",
    "STAGES",
    "ComplianceContext",
    "Failure",
    "OutgoingMessage",
    "ValidationReport",
    "check_message",
    "check_messages",
    "extract_amounts",
    "plan_contexts",
]
