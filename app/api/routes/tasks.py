"""Steward tasks raised by owners on the bill page."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path

from app.api.deps import ClockDep, CurrentUser, SessionDep, WriterUser
from app.api.schemas import TaskPublic
from app.services import tasks

IdPath = Annotated[int, Path(ge=1, le=2**31 - 1, description="编号")]
router = APIRouter(prefix="/tasks", tags=["tasks"])


@router.get("", response_model=list[TaskPublic], summary="管家待办（业主申请）")
def list_tasks(session: SessionDep, user: CurrentUser, status: Literal["open", "done"] | None = "open",
               household: str | None = None) -> list[dict]:
    """Tasks in the caller's projects, newest first."""
    return tasks.list_tasks(session, user.scope, status=status, household=household)


@router.post("/{task_id}/done", response_model=TaskPublic, summary="标记已处理")
def done(task_id: IdPath, session: SessionDep, user: WriterUser, clock: ClockDep) -> dict:
    """Close a task."""
    return tasks.complete_task(session, user.scope, task_id, actor=user.username, at=clock())
