"""Mainland China licence plates, regular (京A12345) and new-energy (粤B·D12345)."""

from __future__ import annotations

from presidio_analyzer import Pattern

from core.redaction.entities import LICENSE_PLATE
from core.redaction.recognizers.base import ChinesePatternRecognizer

_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_LETTER = "A-HJ-NP-Z"


class ChineseLicensePlateRecognizer(ChinesePatternRecognizer):
    """Recognize a province character, a city letter and 5 (or 6 new-energy) characters."""

    ENTITY = LICENSE_PLATE
    PATTERNS = [
        Pattern(
            "cn_plate_new_energy",
            rf"(?<![A-Za-z0-9])[{_PROVINCES}][{_LETTER}][·•・\s-]?(?:[DF][{_LETTER}0-9]\d{{4}}|\d{{5}}[DF])(?![A-Za-z0-9])",
            0.85,
        ),
        Pattern(
            "cn_plate_regular",
            rf"(?<![A-Za-z0-9])[{_PROVINCES}][{_LETTER}][·•・\s-]?(?=[{_LETTER}0-9]*\d)[{_LETTER}0-9]{{4}}[{_LETTER}0-9挂学警]"
            rf"(?![A-Za-z0-9])",
            0.8,
        ),
    ]
    CONTEXT = ["车牌", "车辆", "停车", "车位", "车"]

    def validate_result(self, pattern_text: str) -> bool | None:
        """Reject plates without any digit (e.g. words written in capitals)."""
        return None if any(ch.isdigit() for ch in pattern_text) else False
