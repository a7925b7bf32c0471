"""The one place that builds the agent runtime from settings: database, knowledge base, model, checkpointer.

API, workbench, CLI, batch, chat and evals all call `build_agent_runtime`; tests pass fakes as parameters, and a
host process that embeds Steward (a test harness, a notebook) may install process-wide replacements with
`install_overrides` before it starts the workbench or the API.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session, sessionmaker

from agent.context import AgentContext
from core.scope import CallerScope
from core.settings import Settings, get_settings

if TYPE_CHECKING:
    from app.services.plan_runs import PlanService

_OVERRIDES: dict[str, Any] = {}


def install_overrides(*, model_factory: Callable[..., Any] | None = None, kb: Any = None) -> None:
    """Use this model factory and knowledge base in every runtime this process builds from now on."""
    _OVERRIDES.clear()
    _OVERRIDES.update({k: v for k, v in (("model_factory", model_factory), ("kb", kb)) if v is not None})


def clear_overrides() -> None:
    """Back to the configured endpoint and knowledge base."""
    _OVERRIDES.clear()


def endpoint_model_factory(settings: Settings) -> Callable[..., Any]:
    """Chat models on the configured endpoint; the embedded server is started first when nothing answers."""
    from agent.llm.client import get_chat_model
    from app.llm_server.lifecycle import ensure_endpoint

    ensure_endpoint(settings)

    def factory(**kw: Any) -> Any:
        return get_chat_model(settings, **kw)

    return factory


@dataclass
class AgentRuntime:
    """Everything a plan run needs; the knowledge base and the endpoint are prepared once, on first use."""

    settings: Settings
    session_factory: sessionmaker[Session]
    model_factory: Callable[..., Any] | None = None
    kb: Any = None
    clock: Callable[[], datetime] = datetime.now
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def prepare(self) -> None:
        """Load the knowledge base and make sure the endpoint answers (idempotent, thread-safe)."""
        if self.kb is None:
            with self._lock:
                if self.kb is None:
                    from knowledge_base.retrieval import KnowledgeBase

                    self.kb = KnowledgeBase(self.settings)
        if self.model_factory is None:
            # Waiting for the endpoint (up to minutes on a cold start) happens outside the lock.
            factory = endpoint_model_factory(self.settings)
            with self._lock:
                if self.model_factory is None:
                    self.model_factory = factory
                    self._warm(factory)

    def _warm(self, factory: Callable[..., Any]) -> None:
        """Fill the embedded server's prompt cache in the background (once per process; other endpoints skip)."""
        from agent.llm.client import is_embedded_endpoint

        if not self.settings.warm_prompt_cache or not is_embedded_endpoint(self.settings):
            return
        from agent.warmup import warm_prompt_cache

        threading.Thread(target=warm_prompt_cache, args=(factory,), name="prompt-cache-warmup", daemon=True).start()

    def context(
        self,
        scope: CallerScope | None = None,
        *,
        user: str = "steward",
        projects: frozenset[str] | None = None,
        as_of: date | None = None,
    ) -> AgentContext:
        """An agent context for one caller (all projects when neither scope nor projects are given)."""
        self.prepare()
        return AgentContext(
            session_factory=self.session_factory,
            model_factory=self.model_factory,
            kb=self.kb,
            scope=scope or CallerScope(user, projects),
            settings=self.settings,
            as_of=as_of or self.settings.as_of,
            clock=self.clock,
            gather_rounds=self.settings.gather_rounds,
            message_days=self.settings.message_days,
        )

    def plan_service(self, stack: ExitStack) -> PlanService:
        """The plan service: the graph with the configured checkpointer (closed with ``stack``)."""
        from agent.graph import build_graph
        from agent.runner import open_checkpointer
        from app.services.plan_runs import PlanService

        saver = stack.enter_context(open_checkpointer(self.settings))
        return PlanService(graph=build_graph(checkpointer=saver), context_for=self.context)

    @contextmanager
    def graph(self) -> Iterator[Any]:
        """The plan graph with the configured checkpointer, for one-off runs (CLI, batch, evals)."""
        from agent.graph import build_graph
        from agent.runner import open_checkpointer

        with open_checkpointer(self.settings) as saver:
            yield build_graph(checkpointer=saver)


def build_agent_runtime(
    settings: Settings | None = None,
    *,
    session_factory: sessionmaker[Session] | None = None,
    model_factory: Callable[..., Any] | None = None,
    kb: Any = None,
    clock: Callable[[], datetime] = datetime.now,
) -> AgentRuntime:
    """Build the runtime from settings; parameters (or installed overrides) replace the configured parts."""
    settings = settings or get_settings()
    if session_factory is None:
        from data.db.session import init_db, make_session_factory

        session_factory = make_session_factory(init_db(settings.resolved_database_url))
    return AgentRuntime(
        settings=settings,
        session_factory=session_factory,
        model_factory=model_factory or _OVERRIDES.get("model_factory"),
        kb=kb if kb is not None else _OVERRIDES.get("kb"),
        clock=clock,
    )
