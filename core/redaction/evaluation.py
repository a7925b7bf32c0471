"""Score the recognizers against a labelled YAML set: precision, recall and F1 per entity type."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from statistics import median

from core.redaction.findings import Finding


@dataclass(frozen=True)
class LabelledCase:
    """One labelled sentence: text and gold spans (entity type, start, end)."""

    text: str
    spans: tuple[tuple[str, int, int], ...]
    keep: tuple[tuple[int, int], ...] = ()
    """Spans of words that must stay readable (organisations, products, businesses)."""


@dataclass
class EntityScore:
    """Counts for one entity type.

    A gold span is found when a prediction of the same type covers it; a prediction is
    correct when it overlaps a gold span of the same type.
    """

    gold_found: int = 0
    gold_missed: int = 0
    pred_correct: int = 0
    pred_spurious: int = 0

    @property
    def precision(self) -> float:
        """Share of predictions that are correct."""
        total = self.pred_correct + self.pred_spurious
        return self.pred_correct / total if total else 1.0

    @property
    def recall(self) -> float:
        """Share of gold spans that were found."""
        total = self.gold_found + self.gold_missed
        return self.gold_found / total if total else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class EvaluationReport:
    """Scores per entity type and the median time per sentence."""

    scores: dict[str, EntityScore]
    ms_per_sentence: float
    sentences: int


def load_cases(path: Path) -> list[LabelledCase]:
    """Read a labelled YAML file; the n-th listing of a value is its n-th occurrence."""
    import yaml

    raw = yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
    cases = []
    for item in raw:
        text, spans, seen = item["text"], [], {}
        for entity_type, value in item.get("pii") or []:
            value = str(value)
            start = -1
            for _ in range(seen.get(value, 0) + 1):
                start = text.index(value, start + 1)
            seen[value] = seen.get(value, 0) + 1
            spans.append((entity_type, start, start + len(value)))
        keep = []
        for word in item.get("keep") or []:
            start = text.index(str(word))
            keep.append((start, start + len(str(word))))
        cases.append(LabelledCase(text=text, spans=tuple(spans), keep=tuple(keep)))
    return cases


def read_weibo_cases(path: Path, person_kind: str = "PER.NAM") -> list[LabelledCase]:
    """Weibo NER sentences as labelled cases: person names as PERSON, ORG.NAM as keep words.

    Args:
        path: A ``weiboNER_2nd_conll.*`` file.
        person_kind: The Weibo type scored as PERSON (name mentions by default).
    """
    from core.redaction.learned.corpus import read_weibo

    people = read_weibo(path, keep={person_kind: "PERSON"})
    orgs = read_weibo(path, keep={"ORG.NAM": "ORG"})
    return [
        LabelledCase(
            text=p.text,
            spans=tuple(p.spans("PERSON")),
            keep=tuple((s, e) for _, s, e in o.spans("ORG")),
        )
        for p, o in zip(people, orgs, strict=True)
    ]


def kept_share(cases: Sequence[LabelledCase], detect: Callable[[str], list[Finding]]) -> tuple[int, int]:
    """Over-redaction: (keep words left untouched by every finding, keep words in total)."""
    kept = total = 0
    for case in cases:
        if not case.keep:
            continue
        found = detect(case.text)
        for start, end in case.keep:
            total += 1
            kept += all(f.end <= start or f.start >= end for f in found)
    return kept, total


def evaluate(cases: Sequence[LabelledCase], detect: Callable[[str], list[Finding]]) -> EvaluationReport:
    """Run ``detect`` over every case and score it per entity type."""
    scores: dict[str, EntityScore] = {}
    timings = []
    for case in cases:
        started = time.perf_counter()
        found = detect(case.text)
        timings.append((time.perf_counter() - started) * 1000)
        _score_case(case, found, scores)
    return EvaluationReport(scores=dict(sorted(scores.items())), ms_per_sentence=median(timings), sentences=len(cases))


def _score_case(case: LabelledCase, found: list[Finding], scores: dict[str, EntityScore]) -> None:
    for entity_type, start, end in case.spans:
        score = scores.setdefault(entity_type, EntityScore())
        covered = any(f.entity_type == entity_type and f.start <= start and f.end >= end for f in found)
        if covered:
            score.gold_found += 1
        else:
            score.gold_missed += 1
    for finding in found:
        score = scores.setdefault(finding.entity_type, EntityScore())
        overlaps = any(t == finding.entity_type and finding.start < e and finding.end > s for t, s, e in case.spans)
        if overlaps:
            score.pred_correct += 1
        else:
            score.pred_spurious += 1


def mismatches(case: LabelledCase, found: list[Finding]) -> list[str]:
    """Describe missed and spurious spans of one case (for debugging the recognizers)."""
    notes = []
    for entity_type, start, end in case.spans:
        if not any(f.entity_type == entity_type and f.start <= start and f.end >= end for f in found):
            notes.append(f"MISS {entity_type} {case.text[start:end]!r}")
    for f in found:
        if not any(t == f.entity_type and f.start < e and f.end > s for t, s, e in case.spans):
            notes.append(f"FP   {f.entity_type} {case.text[f.start : f.end]!r}")
    return notes
