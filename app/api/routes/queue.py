"""Today's priority queue."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query

from app.api.deps import CurrentUser, QueueDep, SessionDep
from app.api.schemas import QueuePage

router = APIRouter(prefix="/queue", tags=["queue"])


@router.get("", response_model=QueuePage, summary="今日待办队列")
def today(
    session: SessionDep,
    user: CurrentUser,
    queue: QueueDep,
    project: str | None = None,
    stage: Literal["预警", "初级", "中级", "高级"] | None = None,
    warning: Literal["red", "yellow", "green"] | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
) -> dict:
    """Households in arrears in the caller's projects with red/yellow warnings.

    Ordered by the collections engine's priority once the batch scored the business date; before that, the
    interim arrears-ordered list (``interim`` = true).
    """
    total, items, interim = queue.page(
        session, user.scope, project=project, stage=stage, warning=warning, limit=limit, offset=offset
    )
    return {"total": total, "interim": interim, "items": items}
