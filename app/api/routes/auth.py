"""Login and the current user."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordRequestForm

from app.api.deps import CurrentUser, SessionDep, StateDep
from app.api.schemas import Token, UserPublic
from app.security.ratelimit import RateLimits, Throttled

router = APIRouter(prefix="/auth", tags=["auth"])


def get_rate_limits(state: StateDep) -> RateLimits:
    """The app's rate limits (tests override this dependency)."""
    return state.rate_limits


@router.post(
    "/login",
    response_model=Token,
    summary="登录",
    responses={429: {"description": "该账号或该地址登录失败次数过多，稍后再试（Retry-After 秒数）"}},
)
def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
    state: StateDep,
    request: Request,
    limits: Annotated[RateLimits, Depends(get_rate_limits)],
) -> dict:
    """Exchange username and password for a bearer token (failures are limited per username and per address)."""
    from app.services.login import login as do_login
    from app.services.tokens import issue_access_token

    address = request.client.host if request.client else ""
    try:
        result = do_login(session, limits, username=form.username, password=form.password, address=address, via="api")
    except Throttled as exc:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            f"登录失败次数过多，请 {exc.retry_after} 秒后再试",
            headers={"Retry-After": str(exc.retry_after)},
        ) from exc
    if result.caller is None:
        session.commit()  # the failure's audit event stays although the answer is an error
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "用户名或密码错误")
    return {
        "access_token": issue_access_token(state.secret, result.caller.username, credential=result.caller.credential)
    }


@router.get("/me", response_model=UserPublic, summary="当前用户")
def me(user: CurrentUser) -> dict:
    """Who is logged in and which projects they see."""
    projects = sorted(user.scope.projects) if user.scope.projects is not None else None
    return {"username": user.username, "display_name": user.display_name, "role": user.role, "projects": projects}
