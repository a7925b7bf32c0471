"""Manager reports."""

from __future__ import annotations

from fastapi import APIRouter, Query

from app.api.deps import CacheDep, CurrentUser, SessionDep
from app.services import reports

router = APIRouter(prefix="/reports", tags=["reports"])


@router.get("/aging", summary="账龄结构")
def aging(session: SessionDep, user: CurrentUser, cache: CacheDep, project: str | None = None) -> list[dict]:
    """Households and arrears per project and aging bucket (1-30天 … 180天以上)."""
    return reports.aging(session, cache, user.scope, project)


@router.get("/recovery", summary="回款率（30/60/90天）")
def recovery(session: SessionDep, user: CurrentUser, cache: CacheDep, project: str | None = None) -> list[dict]:
    """Per project: collected in the last 30/60/90 days and collected / (collected + arrears)."""
    return reports.recovery(session, cache, user.scope, project)


@router.get("/complaints", summary="投诉与退订")
def complaints(
    session: SessionDep,
    user: CurrentUser,
    project: str | None = None,
    days: int = Query(90, ge=1, le=3650, description="统计天数"),
) -> list[dict]:
    """Per project: complaint tickets, opt-outs and open disputes in the last ``days`` days."""
    return reports.complaints(session, user.scope, project, days)


@router.get("/comparison", summary="项目对比")
def comparison(session: SessionDep, user: CurrentUser, cache: CacheDep) -> list[dict]:
    """One row per visible project."""
    return reports.comparison(session, cache, user.scope)
