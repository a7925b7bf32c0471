"""Injected dependencies: settings, sessions, the current user, the plan service, caches and the clock."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session, sessionmaker

from app.security.ratelimit import RateLimits
from app.services.plan_runs import GenerationSlots, PlanRunner, PlanService
from app.services.portfolio import SummaryCache
from app.services.queue_source import QueueSource
from app.services.users import Caller
from core.settings import Settings
from data.db.session import session_scope

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/auth/login")


@dataclass
class ApiState:
    """What the running app holds: settings, database, signing secret, caches, plan service factory."""

    settings: Settings
    session_factory: sessionmaker[Session]
    secret: str
    cache: SummaryCache = field(default_factory=SummaryCache)
    queue: QueueSource | None = None
    plan_service_factory: Callable[[], PlanService] | None = None
    rate_limits: RateLimits | None = None
    caller_ttl: float = 15.0
    """Seconds a user's role and projects are reused between requests (a change applies after this)."""
    slots: GenerationSlots | None = None
    """Bounds the plan runs this process serves at once (settings.max_concurrent_plans)."""
    plan_runner: PlanRunner | None = None
    """The plan runs' own threads (as many as slots): the request threadpool stays free for short requests."""
    payment_provider: Any = None
    """The payment provider (built from settings on first use; tests may set one)."""
    _plan_service: PlanService | None = None
    _callers: dict[str, tuple[float, Caller]] = field(default_factory=dict)

    def cached_caller(self, username: str, load: Callable[[], Caller | None]) -> Caller | None:
        """The caller from the short-lived cache, else loaded (and cached when found)."""
        now = time.monotonic()
        hit = self._callers.get(username)
        if hit and now - hit[0] < self.caller_ttl:
            return hit[1]
        caller = load()
        if caller is not None:
            self._callers[username] = (now, caller)
        return caller

    def forget_caller(self, username: str) -> None:
        """Drop a cached caller so the next request reads it again."""
        self._callers.pop(username, None)

    def __post_init__(self) -> None:
        self.queue = self.queue or QueueSource(self.cache)
        self.slots = self.slots or GenerationSlots(self.settings.max_concurrent_plans)
        self.plan_runner = self.plan_runner or PlanRunner(
            self.settings.max_concurrent_plans, nice=self.settings.plan_run_nice
        )
        if self.rate_limits is None:
            from app.security.ratelimit import get_rate_limits

            self.rate_limits = get_rate_limits(self.settings)

    def provider(self):  # noqa: ANN201 - a PaymentProvider
        """The configured payment provider (the offline sandbox by default)."""
        if self.payment_provider is None:
            from app.payments import build_provider

            self.payment_provider = build_provider(self.settings, self.secret)
        return self.payment_provider

    def plan_service(self) -> PlanService:
        """The plan service, built on first use (opens the checkpointer)."""
        if self._plan_service is None:
            if self.plan_service_factory is None:
                raise RuntimeError("plan service not configured")
            self._plan_service = self.plan_service_factory()
        return self._plan_service


def get_state(request: Request) -> ApiState:
    """The app's state object."""
    return request.app.state.steward


StateDep = Annotated[ApiState, Depends(get_state)]


def get_settings_dep(state: StateDep) -> Settings:
    """The app's settings."""
    return state.settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


def get_session(state: StateDep) -> Iterator[Session]:
    """A session per request: committed on success, rolled back on error.

    Scoped to the path operation, so the commit happens before the response is sent: a failed commit answers
    500 instead of hiding behind a 201 that was already sent.
    """
    with session_scope(state.session_factory) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
TokenDep = Annotated[str, Depends(oauth2_scheme)]


def get_current_user(session: SessionDep, token: TokenDep, state: StateDep) -> Caller:
    """The caller named by a valid bearer token (401 otherwise)."""
    from app.services.tokens import TokenError, read_access_token_claims
    from app.services.users import caller_for

    unauthorized = HTTPException(
        status.HTTP_401_UNAUTHORIZED, "登录凭证无效或已过期，请重新登录", headers={"WWW-Authenticate": "Bearer"}
    )
    try:
        username, credential = read_access_token_claims(state.secret, token)
    except TokenError as exc:
        raise unauthorized from exc
    caller = state.cached_caller(username, lambda: caller_for(session, username))
    if caller is not None and caller.credential != credential:  # maybe changed since it was cached
        state.forget_caller(username)
        caller = state.cached_caller(username, lambda: caller_for(session, username))
    if caller is None or caller.credential != credential:  # the password changed after this token was issued
        raise unauthorized
    return caller


CurrentUser = Annotated[Caller, Depends(get_current_user)]


def get_writer(user: CurrentUser) -> Caller:
    """The caller when it may change cases (403 for compliance and readonly)."""
    if not user.can_write:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "当前角色只能查看，不能修改")
    return user


WriterUser = Annotated[Caller, Depends(get_writer)]


def get_auditor(user: CurrentUser) -> Caller:
    """The caller when it may read the audit log (compliance and admin)."""
    if not user.can_audit:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "仅合规和管理员可查看审计日志")
    return user


AuditorUser = Annotated[Caller, Depends(get_auditor)]


def get_plan_service(state: StateDep) -> PlanService:
    """The plan service (tests override this with a scripted model)."""
    return state.plan_service()


PlanServiceDep = Annotated[PlanService, Depends(get_plan_service)]


def plan_slot(state: StateDep) -> Iterator[None]:
    """Hold one plan-run slot for the request (503 with Retry-After when all are busy)."""
    with state.slots.slot():
        yield


PlanSlot = Annotated[None, Depends(plan_slot, scope="function")]


def get_cache(state: StateDep) -> SummaryCache:
    """The household summary cache."""
    return state.cache


CacheDep = Annotated[SummaryCache, Depends(get_cache)]


def get_queue(state: StateDep) -> QueueSource:
    """Today's queue (scored by the collections engine, else interim)."""
    return state.queue


QueueDep = Annotated[QueueSource, Depends(get_queue)]


def get_clock() -> Callable[[], datetime]:
    """The wall clock (tests override it)."""
    return datetime.now


ClockDep = Annotated[Callable[[], datetime], Depends(get_clock)]
AnyDict = dict[str, Any]
