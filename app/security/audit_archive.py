"""Audit log for auditors: CSV export by period, and retention (archive + prune behind a verifiable anchor)."""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from data.db.security import AuditAnchor
from data.db.workflow import AuditEvent
from data.repositories import audit

CSV_COLUMNS = ("id", "at", "actor", "action", "entity", "entity_id", "detail", "prev_hash", "hash")


class AuditChainBroken(RuntimeError):
    """The chain does not verify, so it must not be archived or pruned."""


@dataclass(frozen=True)
class PruneResult:
    """What a prune archived."""

    archived: int
    through_id: int
    archive: Path | None
    sha256: str = ""


def _period(stmt, since: datetime | None, until: datetime | None):  # noqa: ANN001, ANN202
    if since:
        stmt = stmt.where(AuditEvent.at >= since)
    if until:
        stmt = stmt.where(AuditEvent.at < until)
    return stmt


def export_csv(
    session: Session, out: Path, *, since: datetime | None = None, until: datetime | None = None, batch: int = 2000
) -> int:
    """Write events with since <= at < until to ``out`` (UTF-8 with BOM, oldest first); return the row count."""
    out.parent.mkdir(parents=True, exist_ok=True)
    count, last = 0, 0
    with out.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(CSV_COLUMNS)
        while True:
            rows = (
                session.execute(
                    _period(select(AuditEvent).where(AuditEvent.id > last), since, until)
                    .order_by(AuditEvent.id)
                    .limit(batch)
                )
                .scalars()
                .all()
            )
            if not rows:
                return count
            for e in rows:
                writer.writerow(
                    [
                        e.id,
                        e.at.isoformat(sep=" "),
                        e.actor,
                        e.action,
                        e.entity,
                        e.entity_id,
                        json.dumps(e.detail, ensure_ascii=False, sort_keys=True),
                        e.prev_hash,
                        e.hash,
                    ]
                )
            count += len(rows)
            last = rows[-1].id
            session.expunge_all()


def _archive(session: Session, start: int, through: int, path: Path) -> tuple[int, str]:
    path.parent.mkdir(parents=True, exist_ok=True)
    digest, count = hashlib.sha256(), 0
    with path.open("w", encoding="utf-8") as fh:
        for ev in session.execute(
            select(AuditEvent).where(AuditEvent.id > start, AuditEvent.id <= through).order_by(AuditEvent.id)
        ).scalars():
            line = json.dumps(
                {
                    "id": ev.id,
                    "at": ev.at.isoformat(),
                    "actor": ev.actor,
                    "action": ev.action,
                    "entity": ev.entity,
                    "entity_id": ev.entity_id,
                    "detail": ev.detail,
                    "prev_hash": ev.prev_hash,
                    "hash": ev.hash,
                },
                ensure_ascii=False,
                sort_keys=True,
            )
            fh.write(line + "\n")
            digest.update((line + "\n").encode("utf-8"))
            count += 1
    return count, digest.hexdigest()


def prune(
    session: Session, before: datetime, archive_dir: Path, *, actor: str, now: datetime | None = None
) -> PruneResult:
    """Archive events older than ``before`` to a JSONL file, delete them and anchor the rest (caller commits).

    Only a prefix of the chain is pruned (everything before the first event at or after ``before``). The anchor
    keeps the last pruned hash so verification continues from there; an ``audit.prune`` event records it.

    Raises:
        AuditChainBroken: The chain does not verify now (nothing is archived).
    """
    report = audit.verify(session)
    if not report.ok:
        raise AuditChainBroken(f"审计链校验失败（事件 #{report.first_broken}：{report.reason}），不能归档")
    anchor = audit.latest_prune(session)
    start = anchor.through_id if anchor else 0
    first_kept = session.execute(
        select(func.min(AuditEvent.id)).where(AuditEvent.at >= before, AuditEvent.id > start)
    ).scalar()
    through = (first_kept - 1) if first_kept else (session.execute(select(func.max(AuditEvent.id))).scalar() or 0)
    through_hash = session.execute(select(AuditEvent.hash).where(AuditEvent.id == through)).scalar()
    if through <= start or through_hash is None:
        return PruneResult(0, start, None)
    now = now or datetime.now()
    path = archive_dir / f"audit-{start + 1}-{through}-{now:%Y%m%d%H%M%S}.jsonl"
    count, sha = _archive(session, start, through, path)
    session.execute(delete(AuditEvent).where(AuditEvent.id > start, AuditEvent.id <= through))
    session.add(
        AuditAnchor(
            kind=audit.PRUNE,
            through_id=through,
            hash=through_hash,
            events=count,
            at=now,
            note=json.dumps({"archive": path.name, "sha256": sha}, ensure_ascii=False),
        )
    )
    audit.record(
        session,
        actor=actor,
        action=audit.PRUNE_ACTION,
        entity="audit",
        entity_id=str(through),
        detail={
            "through_id": through,
            "through_hash": through_hash,
            "archived": count,
            "archive": path.name,
            "sha256": sha,
            "before": before.isoformat(),
        },
        at=now,
    )
    return PruneResult(count, through, path, sha)


def verify_archive(path: Path, start_hash: str = "") -> int | None:
    """Check an archive file's own chain; return the first broken event id (None when intact)."""
    prev = start_hash or None
    for line in path.read_text(encoding="utf-8").splitlines():
        ev = json.loads(line)
        expected = audit.event_digest(
            SimpleNamespace(**(ev | {"at": datetime.fromisoformat(ev["at"])})), ev["prev_hash"]
        )
        if (prev is not None and ev["prev_hash"] != prev) or ev["hash"] != expected:
            return ev["id"]
        prev = ev["hash"]
    return None
