"""E-mail addresses by a local pattern (the stock recognizer looks up suffixes online)."""

from __future__ import annotations

from presidio_analyzer import Pattern

from core.redaction.entities import EMAIL
from core.redaction.recognizers.base import ChinesePatternRecognizer


class ChineseEmailRecognizer(ChinesePatternRecognizer):
    """Recognize e-mail addresses next to CJK text without a public-suffix lookup."""

    ENTITY = EMAIL
    PATTERNS = [
        Pattern(
            "email",
            r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.)+[A-Za-z]{2,12}(?![A-Za-z0-9-])",
            0.9,
        ),
    ]
    CONTEXT = ["邮箱", "邮件", "email", "Email", "E-mail", "mail"]
