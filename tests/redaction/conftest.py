from __future__ import annotations

import pytest

from core.redaction.engine import analyze


def detected(text: str, entity_type: str) -> list[str]:
    """Substrings of ``text`` detected as ``entity_type`` by the full analyzer."""
    return [text[r.start : r.end] for r in analyze(text) if r.entity_type == entity_type]


@pytest.fixture
def detect():
    return detected
