"""Citation validity (cited ids exist in the evidence) and support (cited text overlaps the cause lexically).

Support is deliberately simple: the cited text and each cause's signals + example utterances are turned into
sets of Chinese character bigrams (plus ASCII words). Bigrams found in the references of more than
``max_df`` of all causes (今天, 物业, 不交 ...) say nothing about a cause and are dropped. A citation is
supported when at least ``min_overlap`` of the cited text's bigrams are distinctive bigrams of the cited
cause. Non-textual evidence (payments, the bill, contact history) is not scored for support.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from evals.scorers import CaseRun
from tools.contracts import Evidence

_CJK = re.compile(r"[\u4e00-\u9fff]+")
_WORD = re.compile(r"[A-Za-z0-9]{2,}")
_PLACEHOLDER = re.compile(r"【[^】]*】")


def bigrams(text: str) -> set[str]:
    """Character bigrams of every CJK run, plus ASCII words; placeholders are ignored."""
    text = _PLACEHOLDER.sub(" ", text)
    grams = {run[i : i + 2] for run in _CJK.findall(text) for i in range(max(1, len(run) - 1))}
    return grams | {w.lower() for w in _WORD.findall(text)}


def overlap(text: str, reference: set[str]) -> float:
    """Share of the text's bigrams that occur in ``reference``."""
    grams = bigrams(text)
    return len(grams & reference) / len(grams) if grams else 0.0


def distinctive_references(causes: dict[str, Any], max_df: float) -> dict[str, set[str]]:
    """Per cause: bigrams of its signals and utterances that few other causes share."""
    refs = {cid: set().union(*(bigrams(s) for s in [*c.signals, *c.utterances])) for cid, c in causes.items()}
    df: dict[str, int] = {}
    for grams in refs.values():
        for g in grams:
            df[g] = df.get(g, 0) + 1
    limit = max(1, int(max_df * len(refs)))
    return {cid: {g for g in grams if df[g] <= limit} for cid, grams in refs.items()}


def evidence_texts(evidence: dict[str, Any]) -> tuple[set[str], dict[str, str]]:
    """All citable ids in the gathered evidence, and the text of the textual ones."""
    ev = Evidence.of(evidence)
    return ev.citable_ids(), ev.texts()


@dataclass
class CitationScorer:
    """Validity and lexical support of the diagnosis's citations."""

    name: str = "citations"
    min_overlap: float = 0.15
    max_df: float = 0.2

    def __call__(self, run: CaseRun) -> dict[str, Any]:
        """Score the citations of one case."""
        citations = (run.state.get("diagnosis") or {}).get("citations", [])
        known, texts = evidence_texts(run.state.get("evidence") or {})
        cited = [(c["cause_id"], e) for c in citations for e in c.get("evidence_ids", [])]
        valid = [e in known for _, e in cited]
        supported: list[bool] = []
        refs = distinctive_references(run.causes, self.max_df) if cited else {}
        for cause_id, eid in cited:
            if eid in texts and cause_id in refs:
                supported.append(overlap(texts[eid], refs[cause_id]) >= self.min_overlap)
        return {
            "cited": len(cited),
            "validity": sum(valid) / len(valid) if valid else 0.0,
            "all_valid": bool(valid) and all(valid),
            "support": sum(supported) / len(supported) if supported else None,
            "invalid_ids": [e for (_, e), ok in zip(cited, valid, strict=True) if not ok],
        }
