"""Hybrid retrieval of arrears causes: Chroma dense similarity fused with jieba/BM25 lexical scores."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from core.settings import Settings, get_settings
from knowledge_base.catalog import load_causes
from knowledge_base.fusion import CauseScore, FusionConfig, aggregate, fuse
from knowledge_base.lexical import LexicalIndex, Tokenizer
from knowledge_base.passages import Passage, all_passages
from knowledge_base.schema import Cause
from knowledge_base.store import (
    SentenceTransformerEmbedding,
    default_embedder,
    open_client,
    open_collection,
)

Progress = Callable[[str, int, int], None]
"""Callback (cause_id, done, total) called while ingesting."""

_ADD_BATCH = 256


@dataclass(frozen=True)
class Hit:
    """One retrieved cause."""

    cause_id: str
    name: str
    dimension: str
    category: str
    score: float
    passage: str
    dense: float = 0.0
    lexical: float = 0.0

    def to_dict(self) -> dict[str, object]:
        """Public JSON shape: cause_id, name, dimension, category, score, passage."""
        data = asdict(self)
        data.pop("dense")
        data.pop("lexical")
        data["score"] = round(self.score, 4)
        return data


@dataclass
class IngestReport:
    """What one ingest changed, by cause id."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    passages: int = 0

    @property
    def changed(self) -> bool:
        """True if anything was written or deleted."""
        return bool(self.added or self.updated or self.removed)


class KnowledgeBase:
    """Arrears-cause knowledge base over a persistent Chroma collection."""

    def __init__(
        self,
        settings: Settings | None = None,
        embedder: SentenceTransformerEmbedding | None = None,
        root: Path | str | None = None,
        fusion: FusionConfig | None = None,
    ) -> None:
        """Create the knowledge base; nothing is loaded until first use.

        Args:
            settings: runtime settings (chroma folder, embedding model); defaults to get_settings().
            embedder: embedding function; defaults to the configured sentence-transformers model.
            root: knowledge-base content folder; defaults to the package folder.
            fusion: score fusion parameters.
        """
        self.settings = settings or get_settings()
        self.embedder = embedder or default_embedder(self.settings)
        self.root = root
        self.fusion = fusion or FusionConfig()
        self._collection = None
        self._causes: dict[str, Cause] | None = None
        self._passages: list[Passage] = []
        self._lexical: LexicalIndex | None = None
        self._ready = False

    # ---- content -------------------------------------------------------------------------
    def _load(self) -> None:
        causes = load_causes(self.root)
        self._causes = {cause.id: cause for cause in causes}
        self._passages = all_passages(causes)
        self._position = {passage.id: index for index, passage in enumerate(self._passages)}
        self._lexical = LexicalIndex([p.text for p in self._passages], Tokenizer())

    @property
    def causes(self) -> dict[str, Cause]:
        """Loaded causes by id."""
        if self._causes is None:
            self._load()
        assert self._causes is not None
        return self._causes

    def collection(self):  # noqa: ANN201 - chroma Collection
        """The Chroma collection (opened on first use)."""
        if self._collection is None:
            client = open_client(
                self.settings.resolved_chroma_dir, self.settings.chroma_url, self.settings.chroma_token
            )
            self._collection = open_collection(client, self.embedder)
        return self._collection

    # ---- ingest --------------------------------------------------------------------------
    def _stored_hashes(self) -> dict[str, str]:
        stored = self.collection().get(include=["metadatas"])
        return {meta["cause_id"]: meta["doc_hash"] for meta in stored["metadatas"] or []}

    def ingest(self, progress: Progress | None = None) -> IngestReport:
        """Sync the collection with the YAML content: write changed causes, delete removed ones."""
        self._load()
        collection = self.collection()
        stored = self._stored_hashes()
        report = IngestReport(passages=len(self._passages))
        by_cause: dict[str, list[Passage]] = {}
        for passage in self._passages:
            by_cause.setdefault(passage.cause_id, []).append(passage)
        for cause_id in sorted(set(stored) - set(by_cause)):
            collection.delete(where={"cause_id": cause_id})
            report.removed.append(cause_id)
        pending: list[Passage] = []
        for done, (cause_id, passages) in enumerate(by_cause.items(), start=1):
            if stored.get(cause_id) == passages[0].doc_hash:
                report.unchanged.append(cause_id)
            else:
                if cause_id in stored:
                    collection.delete(where={"cause_id": cause_id})
                    report.updated.append(cause_id)
                else:
                    report.added.append(cause_id)
                pending.extend(passages)
            if progress:
                progress(cause_id, done, len(by_cause))
        for start in range(0, len(pending), _ADD_BATCH):
            batch = pending[start : start + _ADD_BATCH]
            collection.add(
                ids=[p.id for p in batch],
                documents=[p.text for p in batch],
                metadatas=[{"cause_id": p.cause_id, "kind": p.kind, "doc_hash": p.doc_hash} for p in batch],
            )
        self._ready = True
        return report

    def ensure_ready(self) -> None:
        """Ingest when the collection is empty or out of date with the content (once per instance)."""
        if self._ready:
            return
        if self._causes is None:
            self._load()
        expected = {p.cause_id: p.doc_hash for p in self._passages}
        if self.collection().count() == 0 or self._stored_hashes() != expected:
            self.ingest()
        self._ready = True

    # ---- search --------------------------------------------------------------------------
    def _dense_scores(self, texts: Sequence[str]) -> list[dict[int, float]]:
        collection = self.collection()
        result = collection.query(query_texts=list(texts), n_results=collection.count(), include=["distances"])
        out = []
        for ids, distances in zip(result["ids"], result["distances"] or [], strict=True):
            scores = {}
            for passage_id, distance in zip(ids, distances, strict=True):
                if passage_id in self._position:
                    scores[self._position[passage_id]] = 1.0 - float(distance)
            out.append(scores)
        return out

    def _score(
        self, text: str, dense: dict[int, float], fusion: FusionConfig | None = None
    ) -> dict[str, tuple[float, CauseScore, CauseScore]]:
        assert self._lexical is not None
        fusion = fusion or self.fusion
        lexical_raw = dict(enumerate(self._lexical.scores(text)))
        second = fusion.second_weight
        dense_by_cause = aggregate(dense, self._passages, second)
        lexical_by_cause = aggregate(lexical_raw, self._passages, second)
        keys = list(self.causes)
        fused = fuse(
            {key: value.score for key, value in dense_by_cause.items()},
            {key: value.score for key, value in lexical_by_cause.items()},
            keys,
            fusion,
        )
        empty = CauseScore(0.0, -1)
        return {key: (fused[key], dense_by_cause.get(key, empty), lexical_by_cause.get(key, empty)) for key in keys}

    def _hits(
        self,
        scored: dict[str, tuple[float, CauseScore, CauseScore]],
        k: int,
        fusion: FusionConfig | None = None,
    ) -> list[Hit]:
        fusion = fusion or self.fusion
        order = sorted(scored, key=lambda key: scored[key][0], reverse=True)[:k]
        hits = []
        for cause_id in order:
            fused, dense, lexical = scored[cause_id]
            best = dense if fusion.dense_weight >= 0.5 or lexical.best < 0 else lexical
            best_index = best.best if best.best >= 0 else lexical.best
            cause = self.causes[cause_id]
            hits.append(
                Hit(
                    cause_id=cause_id,
                    name=cause.name,
                    dimension=cause.dimension,
                    category=cause.category,
                    score=fused,
                    passage=self._passages[best_index].text if best_index >= 0 else cause.description,
                    dense=dense.score,
                    lexical=lexical.score,
                )
            )
        return hits

    def search_many(
        self, texts: Sequence[str], k: int = 5, fusions: Sequence[FusionConfig] | None = None
    ) -> list[list[Hit]]:
        """Search several texts in one embedding batch; one hit list per text.

        Args:
            texts: owner sentences.
            k: hits per text.
            fusions: optional alternative fusion configs (benchmarks); the result then holds, for
                each config in turn, one hit list per text.
        """
        if not texts:
            return []
        self.ensure_ready()
        dense = self._dense_scores(texts)
        return [
            self._hits(self._score(text, scores, fusion), k, fusion)
            for fusion in (fusions or [self.fusion])
            for text, scores in zip(texts, dense, strict=True)
        ]

    def search(self, text: str, k: int = 5) -> list[Hit]:
        """Top-k causes for one owner sentence."""
        return self.search_many([text], k)[0]

    def search_evidence(self, messages: Sequence[str], k: int = 5) -> list[Hit]:
        """Top-k causes for a household's (redacted) owner messages taken together.

        Each message is scored alone and weighted by how much content it carries (so "好的" or
        "收到" count little); the joined text is scored as one more message.
        """
        texts = [message.strip() for message in messages if message and message.strip()]
        if not texts:
            return []
        self.ensure_ready()
        if len(texts) > 1:
            texts.append("；".join(texts))
        assert self._lexical is not None
        dense = self._dense_scores(texts)
        totals: dict[str, float] = {}
        best: dict[str, tuple[float, CauseScore, CauseScore]] = {}
        weight_sum = 0.0
        for text, scores in zip(texts, dense, strict=True):
            weight = min(1.0, self._lexical.token_count(text) / 6.0)
            weight_sum += weight
            for cause_id, item in self._score(text, scores).items():
                totals[cause_id] = totals.get(cause_id, 0.0) + weight * item[0]
                if cause_id not in best or item[0] > best[cause_id][0]:
                    best[cause_id] = item
        scale = weight_sum or 1.0
        merged = {key: (totals[key] / scale, best[key][1], best[key][2]) for key in totals}
        return self._hits(merged, k)
