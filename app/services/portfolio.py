"""Household lists and the interim priority queue, computed from the ledger and cached per business date.

INTERIM: the queue here is a plain arrears-ordered list. When the collections engine's queue service is
available (app.services.collections), ``app.services.queue_source`` prefers it.
"""

from __future__ import annotations

import heapq
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from itertools import islice

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from core.domain.ledger import aging_bucket
from core.domain.money import to_yuan
from core.domain.stages import stage_for
from core.memory import release_free_memory
from core.scope import CallerScope
from data.db.models import Project, Receivable, Unit
from data.db.workflow import BlacklistEntry, Dispute, OptOut, Promise
from data.repositories.households import business_date


@dataclass(frozen=True)
class HouseholdRow:
    """One household in a list or queue."""

    household: str
    project: str
    label: str
    case_state: str
    arrears: str
    arrears_cents: int
    days_overdue: int
    stage: str | None
    aging_bucket: str | None
    warning: str
    reasons: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        """Plain JSON-ready dict."""
        return {**vars(self), "reasons": list(self.reasons)}


def _warning(days: int, open_dispute: bool, broken_promise: bool, blocked: bool) -> tuple[str, tuple[str, ...]]:
    reasons = []
    if open_dispute:
        reasons.append("有未结异议")
    if broken_promise:
        reasons.append("承诺未兑现")
    if days > 60:
        reasons.append("账龄超过60天")
    if blocked:
        reasons.append("已退订或黑名单，不可联系")
    if days > 60 or open_dispute or broken_promise:
        return "red", tuple(reasons)
    if days > 30 or blocked:
        return "yellow", tuple(reasons) or ("账龄超过30天",)
    return "green", tuple(reasons)


def compute_rows(session: Session, as_of: date) -> list[HouseholdRow]:
    """Arrears, aging and warnings of every household (a few grouped queries)."""
    outstanding = Receivable.amount_cents - Receivable.paid_cents - Receivable.written_off_cents
    ledger = dict(
        (uid, (cents, oldest))
        for uid, cents, oldest in session.execute(
            select(Receivable.unit_id, func.sum(outstanding), func.min(Receivable.due_date))
            .where(outstanding > 0, Receivable.due_date < as_of)
            .group_by(Receivable.unit_id)
        )
    )
    disputes = set(session.execute(select(Dispute.unit_id).where(Dispute.status == "open")).scalars())
    broken = set(session.execute(select(Promise.unit_id).where(Promise.status == "broken")).scalars())
    blocked = set(session.execute(select(OptOut.owner_id).where(OptOut.channel.is_(None))).scalars())
    blocked |= set(session.execute(select(BlacklistEntry.owner_id)).scalars())
    rows = []
    for uid, pcode, ucode, label, state, owner_id in session.execute(
        select(Unit.id, Project.code, Unit.code, Unit.label, Unit.case_state, Unit.owner_id).join(Project)
    ):
        cents, oldest = ledger.get(uid, (0, None))
        days = (as_of - date.fromisoformat(str(oldest))).days if oldest else 0
        stage = stage_for(days)
        warning, reasons = _warning(days, uid in disputes, uid in broken, owner_id in blocked)
        rows.append(
            HouseholdRow(
                f"{pcode}/{ucode}",
                pcode,
                label or ucode,
                state,
                str(to_yuan(int(cents))),
                int(cents),
                days,
                stage.name if stage else None,
                aging_bucket(days),
                warning,
                reasons,
            )
        )
    return rows


def _order(row: HouseholdRow) -> tuple[int, int]:
    return (-row.arrears_cents, -row.days_overdue)


@dataclass(frozen=True)
class PortfolioIndex:
    """Rows arrears-first, plus per-project queues and counts per (project, stage, warning) for fast paging."""

    rows: list[HouseholdRow]
    queues: dict[str, list[HouseholdRow]]
    counts: Counter

    @classmethod
    def build(cls, rows: list[HouseholdRow]) -> PortfolioIndex:
        """Index rows already sorted by ``_order``."""
        queues: dict[str, list[HouseholdRow]] = {}
        counts: Counter = Counter()
        for row in rows:
            if row.arrears_cents > 0:
                queues.setdefault(row.project, []).append(row)
                counts[(row.project, row.stage, row.warning)] += 1
        return cls(rows, queues, counts)


@dataclass
class SummaryCache:
    """The portfolio index per business date, recomputed after ``ttl`` seconds (thread-safe)."""

    ttl: float = 300.0
    clock: Callable[[], float] = time.monotonic
    _entries: dict = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def index(self, session: Session, as_of: date | None = None) -> PortfolioIndex:
        """The cached index for the business date."""
        today = business_date(session, as_of)
        hit = self._entries.get(today)
        if hit and self.clock() - hit[0] < self.ttl:
            return hit[1]
        with self._lock:
            hit = self._entries.get(today)
            if hit and self.clock() - hit[0] < self.ttl:
                return hit[1]
            self._entries.pop(today, None)
            index = PortfolioIndex.build(sorted(compute_rows(session, today), key=_order))
            self._entries[today] = (self.clock(), index)
            release_free_memory()
            return index

    def rows(self, session: Session, as_of: date | None = None) -> list[HouseholdRow]:
        """Every household, arrears first."""
        return self.index(session, as_of).rows

    def clear(self) -> None:
        """Forget every cached date (after a write that changes warnings)."""
        with self._lock:
            self._entries.clear()


def interim_queue(
    session: Session,
    cache: SummaryCache,
    scope: CallerScope,
    *,
    project: str | None = None,
    stage: str | None = None,
    warning: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[HouseholdRow]]:
    """INTERIM queue: households in arrears ordered by amount, filtered; returns (total, page)."""
    if project:
        scope.check(project)
    index = cache.index(session)
    projects = [
        p for p in index.queues if (scope.projects is None or p in scope.projects) and (project is None or p == project)
    ]
    total = sum(
        n
        for (p, s, w), n in index.counts.items()
        if p in projects and (stage is None or s == stage) and (warning is None or w == warning)
    )
    merged = heapq.merge(*(index.queues[p] for p in projects), key=_order)
    matching = (r for r in merged if (stage is None or r.stage == stage) and (warning is None or r.warning == warning))
    return total, list(islice(matching, offset, offset + limit))


def search_households(
    session: Session, scope: CallerScope, *, project: str | None = None, q: str = "", limit: int = 50, offset: int = 0
) -> list[dict]:
    """Households by project and unit code/label substring, within the caller's projects."""
    if project:
        scope.check(project)
    stmt = select(Project.code, Unit.code, Unit.label, Unit.case_state).join(Project)
    if project:
        stmt = stmt.where(Project.code == project)
    elif scope.projects is not None:
        stmt = stmt.where(Project.code.in_(sorted(scope.projects)))
    if q:
        stmt = stmt.where(or_(Unit.code.contains(q), Unit.label.contains(q)))
    stmt = stmt.order_by(Project.code, Unit.code).limit(limit).offset(offset)
    return [
        {"household": f"{p}/{u}", "project": p, "label": label or u, "case_state": state}
        for p, u, label, state in session.execute(stmt)
    ]
