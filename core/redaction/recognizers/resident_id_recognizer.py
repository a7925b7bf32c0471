"""Mainland China 18-digit resident identity numbers, validated by the GB 11643 checksum."""

from __future__ import annotations

from datetime import date

from presidio_analyzer import Pattern

from core.redaction.entities import RESIDENT_ID
from core.redaction.recognizers.base import SEP, ChinesePatternRecognizer

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"


def resident_id_check_char(first17: str) -> str:
    """Return the GB 11643-1999 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


class ChineseResidentIdRecognizer(ChinesePatternRecognizer):
    """Recognize 18-digit resident IDs (last character may be X) with a valid checksum."""

    ENTITY = RESIDENT_ID
    PATTERNS = [
        Pattern(
            "cn_resident_id",
            rf"(?<![\dA-Za-z])[1-9]\d{{5}}{SEP}?(?:18|19|20)\d{{2}}{SEP}?(?:0[1-9]|1[0-2]){SEP}?(?:0[1-9]|[12]\d|3[01]){SEP}?\d{{3}}{SEP}?[\dXx](?![\dA-Za-z])",
            0.5,
        ),
    ]
    CONTEXT = ["身份证", "证件", "身份号", "ID"]

    def validate_result(self, pattern_text: str) -> bool:
        """Accept only a real calendar date of birth and a matching check character."""
        value = "".join(ch for ch in pattern_text if ch.isalnum()).upper()
        if len(value) != 18:
            return False
        try:
            date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
        except ValueError:
            return False
        return resident_id_check_char(value[:17]) == value[17]
