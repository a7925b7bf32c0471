"""Shared base for the recognizers backed by the learned name/place tagger."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

if TYPE_CHECKING:
    from core.redaction.learned.model import Span

LANGUAGE = "zh"


class LearnedSpanRecognizer(EntityRecognizer):
    """Turn the tagger's spans of one label into presidio results of one entity type.

    The tagger runs once per text (cached) however many of these recognizers ask.
    Scores map the mean marginal probability into [BASE_SCORE, BASE_SCORE + SCORE_RANGE],
    below the pattern recognizers' scores, so a pattern span of another type wins an overlap.
    """

    ENTITY: ClassVar[str] = ""
    LABEL: ClassVar[str] = ""
    BASE_SCORE: ClassVar[float] = 0.55
    SCORE_RANGE: ClassVar[float] = 0.25
    CONTEXT: ClassVar[list[str]] = []
    """Words the tagger's features already use (documented here; scores are not boosted)."""

    def __init__(self) -> None:
        super().__init__(
            supported_entities=[self.ENTITY],
            context=list(self.CONTEXT),
            supported_language=LANGUAGE,
            name=type(self).__name__,
        )

    def enhance_using_context(
        self, text, raw_recognizer_results, other_raw_recognizer_results, nlp_artifacts, context=None
    ):
        """Leave scores unchanged: context words are already features of the tagger."""
        return raw_recognizer_results

    def load(self) -> None:  # noqa: D102 - the tagger loads lazily, once per process
        return None

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        """Return one result per accepted span of ``LABEL``."""
        if entities and self.ENTITY not in entities:
            return []
        from core.redaction.learned.model import tag  # lazy: the tagger loads on first use

        results = []
        for span in tag(text):
            if span.label != self.LABEL:
                continue
            accepted = self.accept(text, span)
            if accepted is None:
                continue
            start, end = accepted
            results.append(
                RecognizerResult(
                    entity_type=self.ENTITY,
                    start=start,
                    end=end,
                    score=round(self.BASE_SCORE + self.SCORE_RANGE * span.score, 3),
                    analysis_explanation=None,
                    recognition_metadata={
                        RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                        RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                    },
                )
            )
        return results

    def accept(self, text: str, span: Span) -> tuple[int, int] | None:
        """Return the (possibly widened) offsets to report, or None to drop the span."""
        return span.start, span.end
