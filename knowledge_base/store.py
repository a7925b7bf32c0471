"""Chroma persistent store with our own lazily loaded sentence-transformers embedding function."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import chromadb
from chromadb.api.models.Collection import Collection
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.config import Settings as ChromaSettings

from core.settings import Settings

CAUSES_COLLECTION = "steward_kb_causes"

Encoder = Callable[[list[str]], Sequence[Sequence[float]]]


class SentenceTransformerEmbedding(EmbeddingFunction[Documents]):
    """Chroma embedding function around a local SentenceTransformer, loaded on first use."""

    def __init__(self, model_path: str, encoder: Encoder | None = None, batch_size: int = 64) -> None:
        """Create the function.

        Args:
            model_path: folder of the sentence-transformers model (never downloaded).
            encoder: optional ready encoder (texts -> vectors); used by tests.
            batch_size: encoding batch size.
        """
        self.model_path = model_path
        self.batch_size = batch_size
        self._encoder = encoder

    def _load(self) -> Encoder:
        if self._encoder is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
            model = SentenceTransformer(self.model_path, device="cpu")

            def encode(texts: list[str]) -> Sequence[Sequence[float]]:
                return model.encode(
                    texts,
                    batch_size=self.batch_size,
                    normalize_embeddings=True,
                    show_progress_bar=False,
                ).tolist()

            self._encoder = encode
        return self._encoder

    def __call__(self, input: Documents) -> Embeddings:  # noqa: A002 - name fixed by chroma
        """Embed documents (or queries) as unit vectors."""
        import numpy as np

        vectors = self._load()(list(input))
        return [np.asarray(vector, dtype=np.float32) for vector in vectors]

    @property
    def identity(self) -> str:
        """Stable label of the model, stored with the collection to detect a model switch."""
        return f"{self.name()}:{Path(self.model_path).name}"

    @staticmethod
    def name() -> str:
        """Name chroma records in the collection configuration."""
        return "steward-sentence-transformer"

    def default_space(self) -> str:  # type: ignore[override]
        """Cosine distance suits normalised sentence embeddings."""
        return "cosine"

    def get_config(self) -> dict[str, Any]:
        """Serializable configuration (the model path only)."""
        return {"model_path": self.model_path}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> SentenceTransformerEmbedding:
        """Rebuild from get_config()."""
        return SentenceTransformerEmbedding(config["model_path"])


def default_embedder(settings: Settings) -> SentenceTransformerEmbedding:
    """Embedding function for the configured model (loaded lazily)."""
    return SentenceTransformerEmbedding(settings.resolved_embedding_model)


def open_client(chroma_dir: Path, url: str = "", token: str = "") -> chromadb.ClientAPI:
    """Chroma client with telemetry off: a server's HTTP client when ``url`` is set, else the persistent folder.

    Args:
        chroma_dir: Folder of the embedded persistent store (used when ``url`` is empty).
        url: Chroma server address (client/server mode), e.g. ``http://127.0.0.1:8001``.
        token: Bearer token for a server that requires one.
    """
    settings = ChromaSettings(anonymized_telemetry=False)
    if url:
        from urllib.parse import urlsplit

        parts = urlsplit(url if "://" in url else f"http://{url}")
        ssl = parts.scheme == "https"
        return chromadb.HttpClient(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or (443 if ssl else 8000),
            ssl=ssl,
            headers={"Authorization": f"Bearer {token}"} if token else None,
            settings=settings,
        )
    chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(chroma_dir), settings=settings)


def open_collection(
    client: chromadb.ClientAPI,
    embedder: SentenceTransformerEmbedding,
    name: str = CAUSES_COLLECTION,
) -> Collection:
    """Get or create the collection; recreate it when the embedding model changed."""
    existing = {collection.name for collection in client.list_collections()}
    if name in existing:
        collection = client.get_collection(name, embedding_function=embedder)
        if (collection.metadata or {}).get("embedder") == embedder.identity:
            return collection
        client.delete_collection(name)
    return client.create_collection(
        name,
        embedding_function=embedder,
        metadata={"embedder": embedder.identity},
        configuration={"hnsw": {"space": "cosine"}},
    )
