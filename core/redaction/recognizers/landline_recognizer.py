"""Mainland China landline numbers with an area code (010-12345678, 0755-1234567)."""

from __future__ import annotations

from presidio_analyzer import Pattern

from core.redaction.entities import LANDLINE
from core.redaction.recognizers.base import ChinesePatternRecognizer


class ChineseLandlineRecognizer(ChinesePatternRecognizer):
    """Recognize landlines: area code 0xx/0xxx plus a 7–8 digit local number."""

    ENTITY = LANDLINE
    PATTERNS = [
        Pattern(
            "cn_landline_separated",
            r"(?<![\d-])(?:\(0\d{2,3}\)|（0\d{2,3}）|0\d{2,3}[\s-])\s?[1-9]\d{6,7}(?:-\d{1,5})?(?![\d-])",
            0.7,
        ),
        Pattern(
            "cn_landline_compact",
            r"(?<!\d)0\d{2,3}[2-9]\d{6,7}(?!\d)",
            0.3,
        ),
    ]
    CONTEXT = ["座机", "固话", "电话", "办公室", "前台", "来电", "拨打", "联系"]
