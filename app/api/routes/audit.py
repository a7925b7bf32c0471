"""Audit log search and CSV export (compliance and admin only)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query
from fastapi.responses import Response

from app.api.deps import AuditorUser, SessionDep
from app.api.schemas import AuditEventPublic
from app.services import audit_log

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("", response_model=list[AuditEventPublic], summary="检索审计日志")
def search(
    session: SessionDep,
    user: AuditorUser,
    actor: str | None = None,
    action: str | None = Query(None, description="前缀匹配，如 plan. 或 pii.reveal"),
    entity: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = Query(200, le=5000),
) -> list[dict]:
    """Events matching every filter, newest first."""
    return audit_log.search(session, actor=actor, action=action, entity=entity, since=since, until=until, limit=limit)


@router.get(
    "/export.csv", summary="导出审计日志 CSV", response_class=Response, responses={200: {"content": {"text/csv": {}}}}
)
def export(
    session: SessionDep,
    user: AuditorUser,
    actor: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Response:
    """The same search as CSV (UTF-8 with BOM); the export itself is audited."""
    from data.repositories import audit

    events = audit_log.search(session, actor=actor, action=action, since=since, until=until, limit=100_000)
    audit.record(session, actor=user.username, action="audit.export", detail={"rows": len(events)})
    return Response(
        audit_log.to_csv(events),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
    )
