"""One login procedure for the API and the workbench: throttling, password check, audit of success and failure."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.security.ratelimit import RateLimits, Throttled
from app.services.users import Caller, authenticate
from data.repositories import audit

FAILED_ACTION = "user.login_failed"


@dataclass(frozen=True)
class LoginResult:
    """The caller on success; otherwise None (wrong user or password)."""

    caller: Caller | None


def login(session: Session, limits: RateLimits, *, username: str, password: str, address: str, via: str) -> LoginResult:
    """Check the throttle, then the password; Throttled when the user or the address used up its window.

    A failure is counted against both the username and the client address and written to the audit log
    (the caller commits, also when it then answers 401).
    """
    wait = limits.login_retry_after(username, address)
    if wait:
        raise Throttled(wait)
    caller = authenticate(session, username, password)
    if caller is None:
        limits.login_failed(username, address)
        audit.record(
            session,
            actor="anonymous",
            action=FAILED_ACTION,
            entity="user",
            entity_id=username[:64],
            detail={"via": via, "address": address[:64]},
        )
        return LoginResult(None)
    limits.login_succeeded(username)
    audit.record(session, actor=caller.username, action="user.login", detail={"via": via})
    return LoginResult(caller)
