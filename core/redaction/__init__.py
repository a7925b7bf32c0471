"""Chinese PII redaction for household evidence (presidio with our own recognizers)."""

from core.redaction.entities import ALL_ENTITIES, PLACEHOLDER_LABELS
from core.redaction.findings import Finding, find_raw_pii
from core.redaction.redactor import HouseholdRedactor, redact_text

__all__ = [
    "ALL_ENTITIES",
    "PLACEHOLDER_LABELS",
    "Finding",
    "HouseholdRedactor",
    "find_raw_pii",
    "redact_text",
]
