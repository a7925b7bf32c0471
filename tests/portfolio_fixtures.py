"""Shared fixtures: a small generated portfolio and an agent context with a scripted model."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from agent.context import AgentContext
from core.scope import CallerScope
from data.db.session import init_db, make_session_factory
from data.generator.generate import generate
from tests.fakes import LexicalKB, ScriptedChatModel, reading_chat, sensible_structured


@pytest.fixture(scope="session")
def lexical_kb() -> LexicalKB:
    return LexicalKB()


@pytest.fixture(scope="session")
def portfolio_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("portfolio") / "sample.db"
    engine = init_db(f"sqlite:///{path}")
    generate(engine, 120, seed=11)
    engine.dispose()
    return path


@pytest.fixture
def portfolio_url(portfolio_template: Path, tmp_path: Path) -> str:
    """A private copy of the generated sample database."""
    import shutil

    target = tmp_path / "sample.db"
    shutil.copy(portfolio_template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def fake_model() -> ScriptedChatModel:
    return ScriptedChatModel(chat_handler=reading_chat, structured_handler=sensible_structured)


@pytest.fixture
def agent_context(portfolio_url: str, fake_model: ScriptedChatModel, lexical_kb: LexicalKB, settings) -> AgentContext:
    engine = init_db(portfolio_url)
    return AgentContext(
        session_factory=make_session_factory(engine),
        model_factory=lambda **_: fake_model,
        kb=lexical_kb,
        scope=CallerScope("tester"),
        settings=settings,
        clock=lambda: datetime(2024, 9, 2, 9, 0),
    )
