"""Split causes into retrievable passages (one per description, signal and utterance) with content hashes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from knowledge_base.schema import Cause

# Bump when the passage layout changes so every document is re-ingested.
PASSAGE_SCHEME = "2"


@dataclass(frozen=True)
class Passage:
    """One indexed text of a cause."""

    id: str
    cause_id: str
    kind: str
    text: str
    doc_hash: str


def cause_hash(cause: Cause) -> str:
    """Content hash of everything indexed from a cause."""
    digest = hashlib.sha256(PASSAGE_SCHEME.encode())
    digest.update(cause.model_dump_json().encode())
    return digest.hexdigest()[:16]


def cause_passages(cause: Cause) -> list[Passage]:
    """Passages of one cause, with ids stable for a given content."""
    doc_hash = cause_hash(cause)
    items = [
        ("name", f"{cause.category}：{cause.name}"),
        ("description", cause.description.strip()),
    ]
    items += [("signal", signal) for signal in cause.signals]
    items += [("utterance", utterance) for utterance in cause.utterances]
    return [
        Passage(id=f"{cause.id}#{index}", cause_id=cause.id, kind=kind, text=text, doc_hash=doc_hash)
        for index, (kind, text) in enumerate(items)
    ]


def all_passages(causes: list[Cause]) -> list[Passage]:
    """Passages of all causes in catalog order."""
    return [passage for cause in causes for passage in cause_passages(cause)]
