"""Steward tasks raised by owners on the bill page."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response

from app.api.deps import ClockDep, CurrentUser, SessionDep, WriterUser
from app.api.schemas import TaskPublic
from app.services import tasks

IdPath = Annotated[int, Path(ge=1, le=2**31 - 1, description="编号")]
router = APIRouter(prefix="/tasks", tags=["tasks"])
TOTAL_HEADER = "X-Total-Count"


@router.get(
    "",
    response_model=list[TaskPublic],
    summary="管家待办（业主申请，分页）",
    responses={
        200: {
            "description": "一页任务，最新在前；响应头 X-Total-Count 为符合条件的总数",
            "headers": {TOTAL_HEADER: {"description": "符合条件的任务总数", "schema": {"type": "integer"}}},
        }
    },
)
def list_tasks(
    session: SessionDep,
    user: CurrentUser,
    response: Response,
    status: Literal["open", "done"] | None = "open",
    household: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200, description="每页条数（1–200）")] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000, description="跳过前多少条（分页偏移）")] = 0,
) -> list[dict]:
    """Tasks in the caller's projects, newest first, one page at a time (``limit``/``offset``)."""
    total, page = tasks.list_tasks(session, user.scope, status=status, household=household, limit=limit, offset=offset)
    response.headers[TOTAL_HEADER] = str(total)
    return page


@router.post("/{task_id}/done", response_model=TaskPublic, summary="标记已处理")
def done(task_id: IdPath, session: SessionDep, user: WriterUser, clock: ClockDep) -> dict:
    """Close a task."""
    return tasks.complete_task(session, user.scope, task_id, actor=user.username, at=clock())
