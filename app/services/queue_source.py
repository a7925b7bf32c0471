"""Today's queue for API and workbench: the collections engine's scored queue, else the interim list."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from app.services.portfolio import SummaryCache, interim_queue
from core.memory import release_free_memory
from core.scope import CallerScope
from data.repositories.households import business_date

SCORED_FIELDS = ("priority", "risk_band", "segment", "strategy", "manager_review", "other_units")


def _scored_queue(session: Session, day: date, base: dict[str, dict]) -> list[dict] | None:
    """The collections engine's queue for ``day`` (one entry per owner, priority order), or None before the batch."""
    try:
        from app.services.collections.queue_service import daily_queue, has_scores
    except ImportError:
        return None
    engine = session.get_bind()
    if not has_scores(engine, day):
        return None
    out = []
    for entry in daily_queue(engine, day):
        data = entry.to_dict()
        row = base.get(entry.household)
        if row is None:
            continue
        out.append(
            {**row, "warning": data["warning"], "reasons": list(data["reasons"]), **{k: data[k] for k in SCORED_FIELDS}}
        )
    return out


@dataclass
class QueueSource:
    """Caches the scored queue per business date (``ttl`` seconds) next to the interim summary cache."""

    cache: SummaryCache
    ttl: float = 300.0
    _scored: dict = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _by_project(self, session: Session, day: date) -> dict[str, list[dict]] | None:
        hit = self._scored.get(day)
        if hit and time.monotonic() - hit[0] < self.ttl:
            return hit[1]
        with self._lock:
            hit = self._scored.get(day)  # another request may have rebuilt it while this one waited
            if hit and time.monotonic() - hit[0] < self.ttl:
                return hit[1]
            base = {r.household: r.to_dict() for r in self.cache.rows(session)}
            scored = _scored_queue(session, day, base)
            grouped: dict[str, list[dict]] | None = None
            if scored is not None:
                grouped = {}
                for item in scored:
                    grouped.setdefault(item["project"], []).append(item)
            replaced = self._scored.pop(day, None)
            self._scored[day] = (time.monotonic(), grouped)
            del replaced
            release_free_memory()
            return grouped

    def page(
        self,
        session: Session,
        scope: CallerScope,
        *,
        project: str | None = None,
        stage: str | None = None,
        warning: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[int, list[dict], bool]:
        """(total, page, interim): the scored queue when available, else the interim list."""
        if project:
            scope.check(project)
        grouped = self._by_project(session, business_date(session))
        if grouped is None:
            total, rows = interim_queue(
                session, self.cache, scope, project=project, stage=stage, warning=warning, limit=limit, offset=offset
            )
            return total, [r.to_dict() for r in rows], True
        items = [
            i
            for p, rows in grouped.items()
            if (scope.projects is None or p in scope.projects) and (project is None or p == project)
            for i in rows
            if (stage is None or i["stage"] == stage) and (warning is None or i["warning"] == warning)
        ]
        items.sort(key=lambda i: -i["priority"])
        page = items[offset : offset + limit]
        if scope.projects is not None:  # entries never span projects; this keeps it so whatever built them
            page = [
                {**i, "other_units": [h for h in i.get("other_units") or [] if h.partition("/")[0] in scope.projects]}
                for i in page
            ]
        return len(items), page, False

    def clear(self) -> None:
        """Forget cached queues (after a write that changes warnings)."""
        self.cache.clear()
        with self._lock:
            self._scored.clear()
