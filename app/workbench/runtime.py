"""What every page needs, built once per process: settings, database, caches and the plan service."""

from __future__ import annotations

from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass, field
from threading import Lock

from sqlalchemy.orm import Session, sessionmaker

from app.security.ratelimit import RateLimits
from app.services.plan_runs import PlanService
from app.services.portfolio import SummaryCache
from app.services.queue_source import QueueSource
from app.services.users import Caller
from core.settings import Settings
from data.db.session import session_scope


@dataclass
class Runtime:
    """Database session factory, summary cache and a lazily built plan service."""

    settings: Settings
    session_factory: sessionmaker[Session]
    cache: SummaryCache = field(default_factory=SummaryCache)
    queue: QueueSource | None = None
    rate_limits: RateLimits | None = None
    _stack: ExitStack = field(default_factory=ExitStack)
    _plans: PlanService | None = None
    _provider: object | None = None
    _lock: Lock = field(default_factory=Lock)

    def __post_init__(self) -> None:
        self.queue = self.queue or QueueSource(self.cache)
        if self.rate_limits is None:
            from app.security.ratelimit import get_rate_limits

            self.rate_limits = get_rate_limits(self.settings)

    def session(self) -> AbstractContextManager[Session]:
        """A session committed on success."""
        return session_scope(self.session_factory)

    def plans(self) -> PlanService:
        """The plan service (graph with the configured checkpointer), built on first use."""
        with self._lock:
            if self._plans is None:
                from app.runtime import build_agent_runtime

                runtime = build_agent_runtime(self.settings, session_factory=self.session_factory)
                self._plans = runtime.plan_service(self._stack)
            return self._plans

    def provider(self):  # noqa: ANN201 - a PaymentProvider
        """The configured payment provider, keeping the same books as the API's (the sandbox by default)."""
        with self._lock:
            if self._provider is None:
                from app.payments import build_provider
                from app.services.tokens import token_secret

                self._provider = build_provider(self.settings, token_secret(self.settings))
            return self._provider

    def caller(self, username: str) -> Caller | None:
        """The user's current role and scope (re-read on every page run)."""
        from app.services.users import caller_for

        with self.session() as session:
            return caller_for(session, username)


def build_runtime(settings: Settings) -> Runtime:
    """Migrate the database and build the runtime."""
    from data.db.session import init_db, make_session_factory

    return Runtime(settings=settings, session_factory=make_session_factory(init_db(settings.resolved_database_url)))


def get_runtime() -> Runtime:
    """The process-wide runtime for the current STEWARD_* configuration (cached by Streamlit)."""
    import streamlit as st

    settings = Settings()

    @st.cache_resource(show_spinner="正在连接数据库…")
    def cached(url: str, var_dir: str) -> Runtime:
        return build_runtime(settings)

    return cached(settings.resolved_database_url, str(settings.var_dir))
