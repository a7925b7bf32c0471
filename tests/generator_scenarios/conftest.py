"""Fixtures for the scenario text generator tests."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from data.generator.scenarios import Scenario, build_scenario

Build = Callable[..., Scenario]


def evidence_texts(scenario: Scenario) -> list[str]:
    """Every free-text field a reader (or the model) sees."""
    texts = [c.text for c in scenario.chats]
    for t in scenario.tickets:
        texts.append(t.description)
        texts.extend(e.note for e in t.events)
    for c in scenario.claims:
        texts.extend(c.items)
        texts.extend(r.text for r in c.records)
    return texts


@pytest.fixture
def build() -> Build:
    """Build a scenario with fixed titles; pass `seed` or `rng`."""

    def _build(cause_id: str, seed: int = 0, rng: random.Random | None = None, **kw: object) -> Scenario:
        return build_scenario(
            cause_id,
            rng or random.Random(seed),
            owner_title=kw.pop("owner_title", "王女士"),  # type: ignore[arg-type]
            steward_title="李管家",
            unit_label="4号楼1203",
            building="4号楼",
            **kw,  # type: ignore[arg-type]
        )

    return _build


@pytest.fixture
def texts_of() -> Callable[[Scenario], list[str]]:
    """Expose `evidence_texts` to tests."""
    return evidence_texts
