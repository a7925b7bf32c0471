"""Contact-policy settings: what is in force per project, the history, and changes (managers and administrators)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, Field

from app.api.deps import CurrentUser, SessionDep
from app.services import policy_settings as ps
from core.scope import ScopeError

router = APIRouter(prefix="/settings", tags=["settings"])


class SettingChange(BaseModel):
    """A new value for one setting of a project (or of the group when ``project`` is empty)."""

    value: Any = Field(None, description='新值，如 "20:00"、["2024-09-16"]、3；null 清除本级设置，恢复上一级')
    project: str | None = Field(None, description="项目编号；空为集团默认（仅管理员）")
    reason: str = Field("", max_length=500, description="修改原因（写入审计）")


def _visible(user: CurrentUser, project: str | None) -> None:
    if project is not None and not user.scope.allows(project):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "未找到该项目或无权访问")


@router.get("", summary="当前生效的催收策略设置")
def in_force(session: SessionDep, user: CurrentUser, project: str | None = None) -> dict:
    """Per key: value in force for the project (or the group), its source (default, group, project) and version."""
    _visible(user, project)
    return {"project": project, "settings": ps.settings_in_force(session, project)}


@router.get("/history", summary="设置修改历史")
def history(
    session: SessionDep, user: CurrentUser, project: str | None = None, key: str | None = Query(None)
) -> list[dict]:
    """Every version of the project's (or the group's) settings, newest first."""
    _visible(user, project)
    return ps.history(session, project, key)


@router.put("/{key}", summary="修改一项设置（新增版本并审计）")
def put(key: str, body: SettingChange, session: SessionDep, user: CurrentUser) -> dict:
    """403 outside the caller's rights, 422 with a Chinese message for an unknown key or a bad value."""
    try:
        out = ps.change(
            session,
            actor=user.username,
            role=user.role,
            projects=user.scope.projects,
            project=body.project,
            key=key,
            raw=body.value,
            at=datetime.now(),
            reason=body.reason,
        )
    except ScopeError as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from None
    except ps.SettingError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    session.commit()
    return out
