"""Shared base for the Chinese pattern recognizers: CJK-safe flags and windowed context words."""

from __future__ import annotations

from typing import ClassVar

import regex
from presidio_analyzer import Pattern, PatternRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

CJK = r"\u4e00-\u9fff"
"""Character class body for common CJK ideographs (use inside [...])."""

SEP = r"[\s\-.·_—–]"
"""One separator people put inside numbers: space, dash, dot, middle dot, underscore, dashes.
Text is NFKC-normalised before matching, so full-width digits and separators arrive as ASCII."""

LANGUAGE = "zh"
REGEX_FLAGS = regex.DOTALL | regex.MULTILINE


class ChinesePatternRecognizer(PatternRecognizer):
    """Pattern recognizer for Chinese text.

    Presidio's context enhancer needs tokens from an NLP model; no Chinese model is
    available offline, so context words are looked up in a character window before
    (and shortly after) each match instead. Subclasses set ``ENTITY``, ``PATTERNS``
    and ``CONTEXT`` as class constants and may override ``validate_result``.
    """

    ENTITY: ClassVar[str] = ""
    PATTERNS: ClassVar[list[Pattern]] = []
    CONTEXT: ClassVar[list[str]] = []
    CONTEXT_WINDOW_BEFORE: ClassVar[int] = 12
    CONTEXT_WINDOW_AFTER: ClassVar[int] = 4
    CONTEXT_BOOST: ClassVar[float] = 0.35

    def __init__(self) -> None:
        super().__init__(
            supported_entity=self.ENTITY,
            patterns=[Pattern(p.name, p.regex, p.score) for p in self.PATTERNS],
            context=list(self.CONTEXT),
            supported_language=LANGUAGE,
            name=type(self).__name__,
            global_regex_flags=REGEX_FLAGS,
        )

    def enhance_using_context(
        self,
        text: str,
        raw_recognizer_results: list[RecognizerResult],
        other_raw_recognizer_results: list[RecognizerResult],
        nlp_artifacts: NlpArtifacts | None,
        context: list[str] | None = None,
    ) -> list[RecognizerResult]:
        """Boost results that have one of ``CONTEXT`` in the surrounding characters."""
        for result in raw_recognizer_results:
            if result.score >= 1.0 or not self.context:
                continue
            window = text[max(0, result.start - self.CONTEXT_WINDOW_BEFORE) : result.start]
            window += " " + text[result.end : result.end + self.CONTEXT_WINDOW_AFTER]
            if any(word in window for word in self.context):
                result.score = min(1.0, result.score + self.CONTEXT_BOOST)
                result.recognition_metadata[RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY] = True
        return raw_recognizer_results


def digits_only(value: str) -> str:
    """Return the ASCII digits of ``value`` (separators and prefixes dropped)."""
    return "".join(ch for ch in value if ch.isdigit())
