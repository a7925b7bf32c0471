"""The shipped name/place tagger: loaded once per process, spans from per-character marginals.

A span is a run of characters whose marginal probability of belonging to a type (B + I)
reaches that type's threshold. Thresholds are chosen on the Weibo dev split for recall
(see ``core.redaction.train``) and stored next to the model in ``names_places.json``.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from core.redaction.learned.features import sentence_features

MODEL_DIR = Path(__file__).resolve().parents[1] / "models"
MODEL_PATH = MODEL_DIR / "names_places.crfsuite"
META_PATH = MODEL_DIR / "names_places.json"
LABELS = ("PER", "LOC")
MAX_CHARS = 2000
"""Texts are tagged in pieces of at most this many characters (split at line breaks)."""


@dataclass(frozen=True)
class Span:
    """One tagged span: label (PER or LOC), offsets and mean marginal probability."""

    label: str
    start: int
    end: int
    score: float


class NamePlaceTagger:
    """A CRF character tagger with per-type thresholds on marginal probabilities."""

    def __init__(self, model_path: Path = MODEL_PATH, meta_path: Path = META_PATH) -> None:
        import pycrfsuite

        self._tagger = pycrfsuite.Tagger()
        self._tagger.open(str(model_path))
        self._labels = set(self._tagger.labels())
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
        self.thresholds: dict[str, float] = {
            label: float(meta.get("thresholds", {}).get(label, 0.5)) for label in LABELS
        }
        self.use_pos: bool = bool(meta.get("use_pos", True))
        self._lock = threading.Lock()  # a pycrfsuite Tagger holds per-sequence state

    def marginals(self, text: str) -> list[dict[str, float]]:
        """Per character, the probability of each type (B + I marginals)."""
        if not text:
            return []
        xseq = sentence_features(text, use_pos=self.use_pos)
        with self._lock:
            self._tagger.set(xseq)
            out = []
            for i in range(len(text)):
                row = {}
                for label in LABELS:
                    b = self._marginal("B-" + label, i)
                    row[label] = b + self._marginal("I-" + label, i)
                    row["B-" + label] = b
                out.append(row)
        return out

    def _marginal(self, label: str, i: int) -> float:
        return self._tagger.marginal(label, i) if label in self._labels else 0.0

    def spans(self, text: str, thresholds: dict[str, float] | None = None) -> list[Span]:
        """Return PER/LOC spans of ``text`` (long texts are tagged line by line)."""
        limits = thresholds or self.thresholds
        out: list[Span] = []
        for offset, piece in _pieces(text):
            out.extend(
                Span(s.label, s.start + offset, s.end + offset, s.score)
                for s in _decode(piece, self.marginals(piece), limits)
            )
        return out


def _pieces(text: str) -> list[tuple[int, str]]:
    """Split ``text`` at line breaks into pieces of at most MAX_CHARS characters."""
    if len(text) <= MAX_CHARS:
        return [(0, text)]
    pieces, offset = [], 0
    for line in text.splitlines(keepends=True):
        for k in range(0, len(line), MAX_CHARS):
            pieces.append((offset + k, line[k : k + MAX_CHARS]))
        offset += len(line)
    return pieces


def _decode(text: str, probs: list[dict[str, float]], limits: dict[str, float]) -> list[Span]:
    spans: list[Span] = []
    for label in LABELS:
        other = [x for x in LABELS if x != label]
        limit = limits[label]
        start = None
        for i in range(len(text) + 1):
            on = (
                i < len(text)
                and not text[i].isspace()
                and probs[i][label] >= limit
                and all(probs[i][label] >= probs[i][o] for o in other)
            )
            new_head = on and start is not None and probs[i]["B-" + label] > 0.5
            if start is not None and (not on or new_head):
                mean = sum(probs[k][label] for k in range(start, i)) / (i - start)
                spans.append(Span(label, start, i, mean))
                start = None
            if on and start is None:
                start = i
    return sorted(spans, key=lambda s: s.start)


@lru_cache(maxsize=1)
def get_tagger() -> NamePlaceTagger:
    """Return this process's tagger, loaded on first use."""
    return NamePlaceTagger()


@lru_cache(maxsize=512)
def tag(text: str) -> tuple[Span, ...]:
    """Spans of ``text`` with the shipped thresholds (cached: both recognizers ask)."""
    return tuple(get_tagger().spans(text))
