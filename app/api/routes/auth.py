"""Login and the current user."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.security import OAuth2PasswordRequestForm

from app.api.deps import CurrentUser, SessionDep, StateDep
from app.api.schemas import Token, UserPublic

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/login", response_model=Token, summary="登录")
def login(form: Annotated[OAuth2PasswordRequestForm, Depends()], session: SessionDep, state: StateDep) -> dict:
    """Exchange username and password for a bearer token."""
    from app.services import audit
    from app.services.tokens import issue_access_token
    from app.services.users import authenticate

    caller = authenticate(session, form.username, form.password)
    if caller is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "用户名或密码错误")
    audit.record(session, actor=caller.username, action="user.login", detail={"via": "api"})
    return {"access_token": issue_access_token(state.secret, caller.username)}


@router.get("/me", response_model=UserPublic, summary="当前用户")
def me(user: CurrentUser) -> dict:
    """Who is logged in and which projects they see."""
    projects = sorted(user.scope.projects) if user.scope.projects is not None else None
    return {"username": user.username, "display_name": user.display_name, "role": user.role, "projects": projects}
