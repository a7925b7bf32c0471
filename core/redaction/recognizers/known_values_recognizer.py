"""Request-only recognizer for literal values known to be sensitive (a household's names)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

import regex
from presidio_analyzer import Pattern

from core.redaction.recognizers.base import ChinesePatternRecognizer


def literal_pattern(values: Iterable[str], suffixes: Iterable[str] = ()) -> str | None:
    """Return a regex matching any of ``values`` (whitespace-tolerant), optionally with a suffix."""
    cleaned = sorted(
        {unicodedata.normalize("NFKC", v).strip() for v in values if v and v.strip()},
        key=len,
        reverse=True,
    )
    if not cleaned:
        return None
    body = "|".join(r"\s*".join(regex.escape(ch) for ch in v if not ch.isspace()) for v in cleaned)
    tail = "|".join(regex.escape(s) for s in sorted(set(suffixes), key=len, reverse=True))
    return rf"(?:{body})(?:{tail})?" if tail else rf"(?:{body})"


class KnownValuesRecognizer(ChinesePatternRecognizer):
    """Recognize given literal values as one entity type, with a high fixed score."""

    SCORE = 0.95

    def __init__(self, entity: str, values: Iterable[str], suffixes: Iterable[str] = ()) -> None:
        self.ENTITY = entity
        pattern = literal_pattern(values, suffixes)
        self.PATTERNS = [Pattern(f"known_{entity.lower()}", pattern, self.SCORE)] if pattern else []
        super().__init__()
