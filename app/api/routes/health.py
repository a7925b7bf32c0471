"""Health check."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from app.api.deps import SessionDep
from app.api.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health, summary="健康检查")
def health(session: SessionDep) -> dict:
    """The service answers and the database is reachable."""
    session.execute(text("SELECT 1"))
    return {"status": "ok", "database": "ok"}
