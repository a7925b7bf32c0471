"""Shared set-up for API and workbench tests: a generated portfolio with users, and a scripted plan service."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from langgraph.checkpoint.memory import InMemorySaver
from sqlalchemy import Engine

from app.runtime import build_agent_runtime
from app.services.plan_runs import PlanService
from app.services.users import create_user, seed_demo
from core.settings import Settings
from data.db.session import init_db, make_session_factory
from data.generator.generate import generate
from tests.fakes import LexicalKB, ScriptedChatModel, reading_chat, sensible_structured

PILOT = "BJ-PILOT/4-1203"
PASSWORD = "steward-demo"
CLOCK = datetime(2024, 9, 2, 9, 0)
EXTRA_USERS = (
    ("bj", "steward", ["BJ-PILOT"]),
    ("sh", "steward", ["SH-PD"]),
    ("ro", "readonly", ["BJ-PILOT"]),
    ("admin", "admin", None),
)


def build_portfolio(url: str, households: int = 120) -> Engine:
    """Migrate, generate a small portfolio and create the demo and test users."""
    engine = init_db(url)
    generate(engine, households, seed=11)
    with make_session_factory(engine)() as session:
        seed_demo(session)
        for name, role, projects in EXTRA_USERS:
            create_user(session, username=name, password=PASSWORD, role=role, projects=projects)
        session.commit()
    return engine


def copy_template(template: Path, target: Path) -> str:
    """Copy a generated SQLite file and return its URL."""
    import shutil

    shutil.copy(template, target)
    return f"sqlite:///{target}"


def scripted_model() -> ScriptedChatModel:
    """The scripted model used by every plan in these tests."""
    return ScriptedChatModel(chat_handler=reading_chat, structured_handler=sensible_structured)


def scripted_plan_service(
    settings: Settings,
    session_factory,
    model: ScriptedChatModel,  # noqa: ANN001
    kb: LexicalKB,
) -> PlanService:
    """A plan service on an in-memory checkpointer with the scripted model and the lexical knowledge base."""
    from agent.graph import build_graph

    return PlanService(
        graph=build_graph(checkpointer=InMemorySaver()),
        context_for=build_agent_runtime(
            settings, session_factory=session_factory, model_factory=lambda **_: model, kb=kb, clock=lambda: CLOCK
        ).context,
    )
