"""Bank card numbers of 16–19 digits, validated by the Luhn checksum."""

from __future__ import annotations

from presidio_analyzer import Pattern

from core.redaction.entities import BANK_CARD
from core.redaction.recognizers.base import SEP, ChinesePatternRecognizer, digits_only


def luhn_valid(digits: str) -> bool:
    """Return True when ``digits`` passes the Luhn (mod 10) check."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        digit = int(char)
        if index % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


class ChineseBankCardRecognizer(ChinesePatternRecognizer):
    """Recognize 16–19 digit card numbers, optionally grouped by spaces or dashes."""

    ENTITY = BANK_CARD
    PATTERNS = [
        Pattern(
            "bank_card",
            rf"(?<![\d-])[3-69]\d{{3}}(?:{SEP}?\d{{4}}){{3}}(?:{SEP}?\d{{1,3}})?(?!-?\d)",
            0.5,
        ),
    ]
    CONTEXT = ["银行卡", "卡号", "账号", "帐号", "储蓄卡", "信用卡", "开户", "转账", "代扣"]

    def validate_result(self, pattern_text: str) -> bool:
        """Accept 16–19 digits that pass the Luhn check."""
        digits = digits_only(pattern_text)
        return 16 <= len(digits) <= 19 and luhn_valid(digits)
