"""Push endpoints for billing, CRM and ticket systems: household bundles and per-kind records (idempotent)."""

from __future__ import annotations

import csv
import json
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, status
from pydantic import BaseModel, Field

from app.api.deps import CurrentUser, SessionDep
from app.services.users import Caller

router = APIRouter(prefix="/ingest", tags=["ingest"])
INTEGRATOR_ROLES = frozenset({"admin", "manager"})
MAX_ITEMS = 2000


def get_integrator(user: CurrentUser) -> Caller:
    """Managers and admins may push data (403 otherwise)."""
    if user.role not in INTEGRATOR_ROLES:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "仅经理和管理员可以推送数据")
    return user


IntegratorUser = Annotated[Caller, Depends(get_integrator)]


class IngestProblem(BaseModel):
    """One skipped line or record (same wording as the CLI error report)."""

    line: str = Field(description="行号（从 1 开始）")
    field: str = Field(description="字段")
    reason: str = Field(description="原因")


class IngestPublic(BaseModel):
    """What one push changed."""

    kind: str
    lines: int
    households: int
    rejected: int
    changed_households: int
    counts: dict[str, int]
    problems: list[IngestProblem]


def _run(session, path: Path, kind: str, source: str | None, user: Caller) -> IngestPublic:  # noqa: ANN001
    """Ingest with the caller's scope: the runner checks every parsed record's project (403, nothing kept)."""
    from core.scope import ScopeError
    from data.importers import ImportFileError
    from data.ingest import ingest_file

    try:
        result = ingest_file(session, path, kind=kind, source=source, scope=user.scope)
    except ImportFileError as exc:
        session.rollback()
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, str(exc)) from exc
    except ScopeError as exc:
        session.rollback()
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from exc
    session.commit()
    problems: list[IngestProblem] = []
    if result.error_report:
        with open(result.error_report, encoding="utf-8-sig") as handle:
            for row in csv.reader(handle):
                if len(row) >= 4 and row[0] != "行号":
                    problems.append(IngestProblem(line=row[0], field=row[1], reason=row[3]))
    data = result.to_dict()
    return IngestPublic(
        kind=kind,
        lines=data["lines"],
        households=data["households"],
        rejected=data["rejected"],
        changed_households=data["changed_households"],
        counts=data["counts"],
        problems=problems,
    )


@router.post(
    "/bundles",
    response_model=IngestPublic,
    summary="推送整户证据包（可重复推送）",
    responses={403: {"description": "角色或项目无权"}, 422: {"description": "内容无法读取"}},
)
def push_bundles(
    items: list[dict[str, Any]],
    session: SessionDep,
    user: IntegratorUser,
    source: str | None = Query(None, description="来源系统名，未知字段按来源保存"),
) -> IngestPublic:
    """One household per item, in the bundle shape of `steward data import --kind bundle`."""
    if len(items) > MAX_ITEMS:
        raise HTTPException(status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, f"单次最多推送 {MAX_ITEMS} 户")
    with tempfile.TemporaryDirectory(prefix="steward-ingest-") as tmp:
        path = Path(tmp) / "push.jsonl"
        path.write_text("\n".join(json.dumps(i, ensure_ascii=False) for i in items) + "\n", encoding="utf-8")
        return _run(session, path, "bundle", source, user)


@router.post(
    "/{kind}",
    response_model=IngestPublic,
    summary="推送聊天、工单或诉求记录（按项目编码+房号）",
    responses={403: {"description": "角色或项目无权"}, 422: {"description": "内容无法读取"}},
)
def push_records(
    kind: str,
    items: list[dict[str, Any]],
    session: SessionDep,
    user: IntegratorUser,
    source: str | None = Query(None, description="来源系统名"),
) -> IngestPublic:
    """Rows with the same column names as the per-kind CSV files (data/samples/COLUMNS.md)."""
    if kind not in ("chats", "tickets", "claims"):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"未知的记录类型：{kind}（可选：chats、tickets、claims）")
    if not items:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, "没有记录")
    if len(items) > MAX_ITEMS * 10:
        raise HTTPException(status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, f"单次最多推送 {MAX_ITEMS * 10} 条")
    columns = list(dict.fromkeys(k for item in items for k in item))
    with tempfile.TemporaryDirectory(prefix="steward-ingest-") as tmp:
        path = Path(tmp) / f"push-{kind}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            for item in items:
                writer.writerow({k: "" if v is None else v for k, v in item.items()})
        return _run(session, path, kind, source, user)
