"""Run-time dependencies of the graph, injected per run (never global)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from langchain_core.language_models import BaseChatModel
from sqlalchemy.orm import Session, sessionmaker

from core.scope import CallerScope
from core.settings import Settings


@dataclass
class AgentContext:
    """What a run needs: database, model factory, knowledge base search, caller scope and clock."""

    session_factory: sessionmaker[Session]
    """Opens database sessions for evidence reads and persistence."""
    model_factory: Callable[..., BaseChatModel]
    """Returns a chat model (kwargs: temperature, max_tokens)."""
    kb: Any
    """The knowledge base (search_many, search_evidence, causes); see knowledge_base.retrieval."""
    scope: CallerScope
    """Who runs the graph; evidence outside its projects is refused."""
    settings: Settings | None = None
    """Service settings (paths, endpoint)."""
    as_of: date | None = None
    """Business date override; default is the dataset's as-of date."""
    clock: Callable[[], datetime] = field(default=datetime.now)
    """Wall clock for audit timestamps."""
    gather_rounds: int = 0
    """Tool-call rounds the model gets before the graph reads the remaining sources itself (0: the graph reads
    every source directly; the plan needs them all, so model rounds only cost time)."""
    message_days: int | None = 2
    """The model writes the outgoing steps within this many days of the first one; later steps keep their
    reviewed template text (None: the model writes every step)."""
    max_revisions: int = 2
    """Revision rounds before the compliant template fallback."""
    facts_cache: dict[str, Any] = field(default_factory=dict, repr=False)
    """Plan facts per household, loaded once per run (they hold raw PII, so they never enter the checkpoint)."""
