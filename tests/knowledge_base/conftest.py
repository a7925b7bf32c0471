"""Fixtures for knowledge-base tests: a copy of the KB content, a fake embedder, tmp Chroma settings."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import numpy as np
import pytest

from core.settings import Settings, get_settings
from knowledge_base.catalog import default_root
from knowledge_base.retrieval import KnowledgeBase
from knowledge_base.store import SentenceTransformerEmbedding


def _char_bag(texts: list[str]) -> list[list[float]]:
    """Deterministic bag-of-characters vectors: similar wording -> similar vectors."""
    vectors = []
    for text in texts:
        vector = np.zeros(256)
        for char in text:
            vector[int(hashlib.md5(char.encode()).hexdigest(), 16) % 256] += 1.0
        norm = np.linalg.norm(vector) or 1.0
        vectors.append((vector / norm).tolist())
    return vectors


@pytest.fixture
def fake_embedder() -> SentenceTransformerEmbedding:
    return SentenceTransformerEmbedding("fake/char-bag", encoder=_char_bag)


@pytest.fixture
def kb_root(tmp_path: Path) -> Path:
    """Writable copy of the real KB content."""
    root = tmp_path / "kb"
    source = default_root()
    shutil.copytree(source / "causes", root / "causes")
    shutil.copytree(source / "docs", root / "docs")
    shutil.copy(source / "templates.yaml", root / "templates.yaml")
    return root


@pytest.fixture
def tmp_settings(tmp_path: Path) -> Settings:
    return Settings(var_dir=tmp_path / "var", models_dir=get_settings().models_dir)


@pytest.fixture
def fake_kb(tmp_settings: Settings, fake_embedder: SentenceTransformerEmbedding, kb_root: Path) -> KnowledgeBase:
    return KnowledgeBase(settings=tmp_settings, embedder=fake_embedder, root=kb_root)


@pytest.fixture(scope="session")
def real_var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A var dir whose Chroma collection holds the real KB embedded with the real model."""
    var_dir = tmp_path_factory.mktemp("kb_real_var")
    settings = Settings(var_dir=var_dir, models_dir=get_settings().models_dir)
    KnowledgeBase(settings=settings).ingest()
    return var_dir


@pytest.fixture(scope="session")
def real_kb(real_var_dir: Path) -> KnowledgeBase:
    return KnowledgeBase(settings=Settings(var_dir=real_var_dir, models_dir=get_settings().models_dir))
