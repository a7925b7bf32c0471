"""Boundary check: find raw PII left in text that is about to leave the redaction layer."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from core.redaction import engine
from core.redaction.entities import KNOWN_VALUE


@dataclass(frozen=True)
class Finding:
    """Location of one piece of raw PII; deliberately holds no copy of the value.

    Attributes:
        entity_type: Entity type name, e.g. CN_MOBILE or PERSON.
        start: Start offset in the scanned text.
        end: End offset (exclusive) in the scanned text.
        score: Detection confidence in [0, 1].
    """

    entity_type: str
    start: int
    end: int
    score: float = 1.0

    def to_dict(self) -> dict[str, object]:
        """JSON-friendly form (no raw value)."""
        return {
            "entity_type": self.entity_type,
            "start": self.start,
            "end": self.end,
            "score": round(self.score, 2),
        }


def find_raw_pii(text: str, extra_values: Iterable[str] = ()) -> list[Finding]:
    """Return every PII finding in ``text``, plus occurrences of ``extra_values``.

    Args:
        text: Text to check, typically already redacted; matched after NFKC normalisation
            (full-width digits count), offsets refer to ``text``.
        extra_values: Literal values known to be sensitive (a name or phone from the
            database); any occurrence is reported as KNOWN_VALUE.
    """
    findings = [Finding(r.entity_type, r.start, r.end, r.score) for r in engine.analyze(text)]
    normalized, origin = engine.normalize(text)
    for value in {engine.normalize(v)[0] for v in extra_values if v and v.strip()}:
        start = normalized.find(value)
        while start != -1:
            end = start + len(value)
            findings.append(Finding(KNOWN_VALUE, origin[start], origin[end - 1] + 1))
            start = normalized.find(value, start + 1)
    return sorted(findings, key=lambda f: (f.start, f.end))
