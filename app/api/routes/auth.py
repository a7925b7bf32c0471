"""Login and the current user."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordRequestForm

from app.api.deps import CurrentUser, SessionDep, StateDep
from app.api.schemas import Token, UserPublic
from app.security.ratelimit import LoginLimiter, get_login_limiter

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/login", response_model=Token, summary="登录",
             responses={429: {"description": "同一账号在同一地址登录失败次数过多，稍后再试"}})
def login(form: Annotated[OAuth2PasswordRequestForm, Depends()], session: SessionDep, state: StateDep,
          request: Request, limiter: Annotated[LoginLimiter, Depends(get_login_limiter)]) -> dict:
    """Exchange username and password for a bearer token (5 failures per user and address per minute → 429)."""
    from app.services.tokens import issue_access_token
    from app.services.users import authenticate
    from data.repositories import audit

    address = request.client.host if request.client else ""
    wait = limiter.retry_after(form.username, address)
    if wait:
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, f"登录失败次数过多，请 {wait} 秒后再试",
                            headers={"Retry-After": str(wait)})
    caller = authenticate(session, form.username, form.password)
    if caller is None:
        limiter.failed(form.username, address)
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "用户名或密码错误")
    limiter.succeeded(form.username, address)
    audit.record(session, actor=caller.username, action="user.login", detail={"via": "api"})
    return {"access_token": issue_access_token(state.secret, caller.username)}


@router.get("/me", response_model=UserPublic, summary="当前用户")
def me(user: CurrentUser) -> dict:
    """Who is logged in and which projects they see."""
    projects = sorted(user.scope.projects) if user.scope.projects is not None else None
    return {"username": user.username, "display_name": user.display_name, "role": user.role, "projects": projects}
