"""The shipped name/place tagger: loaded once per process, spans from per-character probabilities.

A span is a run of characters whose probability of belonging to a type (B + I) reaches that
type's threshold. The tagger is the fine-tuned encoder of ``core.redaction.learned.encoder``;
thresholds are chosen on the Weibo dev split for recall (see ``core.redaction.train_encoder``)
and stored next to the weights in ``names_places_encoder.json``. Results are cached per text,
and ``prefetch`` tags a household's evidence at once.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from core.redaction.learned.encoder import LABELS, META_PATH, WEIGHTS_PATH, EncoderTagger

CACHE_SIZE = 4096
"""Texts whose spans are kept (a few households' evidence)."""


@dataclass(frozen=True)
class Span:
    """One tagged span: label (PER or LOC), offsets and mean probability."""

    label: str
    start: int
    end: int
    score: float


class TaggerMissingError(RuntimeError):
    """The encoder weights are not where the tagger expects them."""


def decode(text: str, probs: np.ndarray, limits: dict[str, float]) -> list[Span]:
    """Spans of every label: runs at or above the label's threshold (a confident B starts a new run).

    Args:
        text: The tagged text.
        probs: Per character, P(PER), P(B-PER), P(LOC), P(B-LOC) (``EncoderTagger.probabilities``).
        limits: Threshold per label.
    """
    spans: list[Span] = []
    for k, label in enumerate(LABELS):
        col, other = 2 * k, 2 * (1 - k)
        limit = limits[label]
        start = None
        for i in range(len(text) + 1):
            on = i < len(text) and not text[i].isspace() and probs[i, col] >= limit and probs[i, col] >= probs[i, other]
            new_head = on and start is not None and probs[i, col + 1] > 0.5
            if start is not None and (not on or new_head):
                spans.append(Span(label, start, i, float(probs[start:i, col].mean())))
                start = None
            if on and start is None:
                start = i
    return sorted(spans, key=lambda s: s.start)


_tagger: list[EncoderTagger] = []
_load_lock = threading.Lock()


def get_tagger() -> EncoderTagger:
    """Return this process's tagger, loaded on first use."""
    if not _tagger:
        with _load_lock:
            if not _tagger:
                if not WEIGHTS_PATH.exists():
                    raise TaggerMissingError(
                        f"name/place tagger weights missing: {WEIGHTS_PATH} "
                        "(rebuild: python -m core.redaction.train_encoder)"
                    )
                _tagger.append(EncoderTagger(WEIGHTS_PATH, META_PATH))
    return _tagger[0]


def use_tagger(tagger: EncoderTagger | None) -> None:
    """Tag with another tagger from now on (None: load the shipped one on next use); clears the span cache."""
    with _load_lock, _cache_lock:
        _tagger.clear()
        _cache.clear()
        if tagger is not None:
            _tagger.append(tagger)


_limits: dict[str, float] = {}


def thresholds() -> dict[str, float]:
    """The per-label thresholds in use: the shipped ones unless ``use_thresholds`` set others."""
    if not _limits:
        meta = json.loads(META_PATH.read_text(encoding="utf-8"))
        _limits.update({label: float(meta["thresholds"][label]) for label in LABELS})
    return dict(_limits)


def use_thresholds(limits: dict[str, float] | None) -> None:
    """Tag with other thresholds from now on (None: the shipped ones); clears the span cache.

    For choosing thresholds (``core.redaction.train_encoder``) and for tests, not at run time.
    """
    with _cache_lock:
        _cache.clear()
        _limits.clear()
        if limits:
            _limits.update(limits)


_cache: OrderedDict[str, tuple[Span, ...]] = OrderedDict()
_cache_lock = threading.Lock()


def prefetch(texts: Iterable[str]) -> dict[str, tuple[Span, ...]]:
    """Tag the texts not yet cached; return the spans of those tagged now."""
    with _cache_lock:
        todo = list(dict.fromkeys(t for t in texts if t and t not in _cache))
    if not todo:
        return {}
    limits = thresholds()
    probabilities = get_tagger().probabilities(todo)
    results = {t: tuple(decode(t, p, limits)) for t, p in zip(todo, probabilities, strict=True)}
    with _cache_lock:
        _cache.update(results)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return results


def tag(text: str) -> tuple[Span, ...]:
    """Spans of ``text`` with the shipped thresholds (cached: both recognizers ask)."""
    with _cache_lock:
        hit = _cache.get(text)
    if hit is not None:
        return hit
    tagged = prefetch([text])
    if text in tagged:
        return tagged[text]
    with _cache_lock:
        hit = _cache.get(text)
    return hit if hit is not None else tuple(decode(text, get_tagger().probabilities([text])[0], thresholds()))
