"""Mainland China mobile numbers (+86/0086 prefixes; spaces, dashes or dots inside; any width)."""

from __future__ import annotations

from presidio_analyzer import Pattern

from core.redaction.entities import MOBILE
from core.redaction.recognizers.base import SEP, ChinesePatternRecognizer, digits_only


class ChineseMobileRecognizer(ChinesePatternRecognizer):
    """Recognize 11-digit mainland mobile numbers such as 138 0013 8000."""

    ENTITY = MOBILE
    PATTERNS = [
        Pattern(
            "cn_mobile",
            rf"(?<![\d+])(?:(?:\+|00)\s?86{SEP}?)?1[3-9](?:{SEP}?\d){{9}}(?!{SEP}?\d)",
            0.75,
        ),
    ]
    CONTEXT = ["手机", "电话", "联系", "号码", "打", "call", "tel", "微信"]

    def validate_result(self, pattern_text: str) -> bool | None:
        """Reject matches whose digits are not a plausible 11-digit mobile number."""
        digits = digits_only(pattern_text)
        if digits.startswith("0086"):
            digits = digits[4:]
        elif digits.startswith("86") and len(digits) == 13:
            digits = digits[2:]
        if len(digits) != 11:
            return False
        return None
