"""Presidio analyzer/anonymizer for Chinese text: model-free NLP engine, our recognizers only."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

from core.redaction.entities import ADDRESS, PRIORITY

if TYPE_CHECKING:
    from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerResult
    from presidio_analyzer.context_aware_enhancers import ContextAwareEnhancer
    from presidio_anonymizer import AnonymizerEngine

LANGUAGE = "zh"
SCORE_THRESHOLD = 0.5
"""Minimum confidence kept; weak patterns (compact landline, dashed unit) need context words."""


def build_analyzer() -> AnalyzerEngine:
    """Build an analyzer with the no-op NLP engine and only the Chinese recognizers.

    Nothing is downloaded: the no-op engine loads no model, and no predefined
    recognizer (whose e-mail check looks up public suffixes online) is registered.
    """
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NoOpNlpEngine

    from core.redaction.recognizers import build_recognizers

    nlp_engine = NoOpNlpEngine(models=[{"lang_code": LANGUAGE, "model_name": "none"}])
    registry = RecognizerRegistry(recognizers=build_recognizers(), supported_languages=[LANGUAGE])
    return AnalyzerEngine(
        registry=registry,
        nlp_engine=nlp_engine,
        supported_languages=[LANGUAGE],
        default_score_threshold=SCORE_THRESHOLD,
        # Context words are applied inside each recognizer; this enhancer sees no tokens.
        context_aware_enhancer=_pass_through_enhancer(),
    )


def _pass_through_enhancer() -> ContextAwareEnhancer:
    """Return a context enhancer that leaves scores unchanged (there are no tokens)."""
    from presidio_analyzer.context_aware_enhancers import ContextAwareEnhancer

    class PassThroughContextEnhancer(ContextAwareEnhancer):
        def enhance_using_context(self, text, raw_results, nlp_artifacts, recognizers, context=None):  # noqa: D102
            return raw_results

    return PassThroughContextEnhancer(
        context_similarity_factor=0.0,
        min_score_with_context_similarity=0.0,
        context_prefix_count=0,
        context_suffix_count=0,
    )


@cache
def get_analyzer() -> AnalyzerEngine:
    """Return this process's analyzer, built on first use."""
    return build_analyzer()


@cache
def get_anonymizer() -> AnonymizerEngine:
    """Return this process's anonymizer engine, built on first use."""
    from presidio_anonymizer import AnonymizerEngine

    return AnonymizerEngine()


def normalize(text: str) -> tuple[str, list[int]]:
    """NFKC-normalise ``text`` character by character; return it and each character's source offset.

    Full-width digits and letters (１３８, ＡＢ) become ASCII, compatibility forms their base
    characters. The offset list maps every normalised character back to the character of
    ``text`` it came from (plus one final entry for the end), so results can be reported
    on the original text.
    """
    if text.isascii():
        return text, list(range(len(text) + 1))
    parts: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        folded = unicodedata.normalize("NFKC", char) if not char.isascii() else char
        if not folded:
            continue
        parts.append(folded)
        origin.extend([index] * len(folded))
    origin.append(len(text))
    return "".join(parts), origin


def analyze(
    text: str,
    extra_recognizers: Sequence[EntityRecognizer] = (),
    analyzer: AnalyzerEngine | None = None,
) -> list[RecognizerResult]:
    """Detect PII in ``text`` and return non-overlapping results sorted by position.

    Args:
        text: Text to scan.
        extra_recognizers: Request-only recognizers (e.g. a household's known names).
        analyzer: Analyzer to use; defaults to the per-process one.
    """
    if not text:
        return []
    engine = analyzer or get_analyzer()
    normalized, origin = normalize(text)
    results = engine.analyze(
        text=normalized,
        language=LANGUAGE,
        ad_hoc_recognizers=list(extra_recognizers) or None,
        score_threshold=SCORE_THRESHOLD,
    )
    if normalized is not text:
        for result in results:
            result.start = origin[result.start]
            # The end maps to one past the source character of the span's last character.
            result.end = origin[result.end - 1] + 1 if result.end > result.start else result.start
    return resolve_overlaps(merge_same_type(results))


def merge_same_type(results: Sequence[RecognizerResult]) -> list[RecognizerResult]:
    """Join overlapping results of one type into their union (王 + 王女士 → 王女士).

    Addresses that touch (金地名都 + 5栋302) are joined as well. The union keeps the
    highest score, so recall never drops because two recognizers cut a span differently.
    """
    by_type: dict[str, list[RecognizerResult]] = {}
    for result in results:
        by_type.setdefault(result.entity_type, []).append(result)
    merged: list[RecognizerResult] = []
    for entity_type, group in by_type.items():
        group.sort(key=lambda r: (r.start, -r.end))
        touch = 1 if entity_type == ADDRESS else 0
        current = group[0]
        for result in group[1:]:
            if result.start < current.end + touch:
                if result.end > current.end or result.score > current.score:
                    current = _union(current, result)
            else:
                merged.append(current)
                current = result
        merged.append(current)
    return merged


def _union(a: RecognizerResult, b: RecognizerResult) -> RecognizerResult:
    from presidio_analyzer import RecognizerResult

    best = a if a.score >= b.score else b
    return RecognizerResult(
        entity_type=a.entity_type,
        start=min(a.start, b.start),
        end=max(a.end, b.end),
        score=max(a.score, b.score),
        analysis_explanation=best.analysis_explanation,
        recognition_metadata=best.recognition_metadata,
    )


def resolve_overlaps(results: Sequence[RecognizerResult]) -> list[RecognizerResult]:
    """Keep the strongest of overlapping results: score, then type priority, then length."""
    ranked = sorted(
        results,
        key=lambda r: (-r.score, -PRIORITY.get(r.entity_type, 0), -(r.end - r.start), r.start),
    )
    kept: list[RecognizerResult] = []
    for result in ranked:
        if all(result.end <= k.start or result.start >= k.end for k in kept):
            kept.append(result)
    return sorted(kept, key=lambda r: r.start)
