"""The daily priority queue read from household_scores (computed by the batch, or on demand)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, text

from core.domain.collections.queue import owner_entries
from core.domain.collections.segments import BAND_NAMES, SEGMENT_NAMES
from core.domain.money import to_yuan

_COLUMNS = [
    "unit_id",
    "owner_id",
    "household",
    "project_code",
    "arrears_cents",
    "months_in_arrears",
    "days_overdue",
    "stage",
    "risk_score",
    "risk_band",
    "segment",
    "strategy",
    "manager_review",
    "priority",
    "warning",
    "reasons",
    "excluded",
]


@dataclass
class QueueEntry:
    """One owner in today's queue (their highest-priority unit)."""

    household: str
    priority: float
    reasons: list[str]
    warning: str
    arrears: str
    owner_arrears: str
    days_overdue: int
    stage: str | None
    risk_score: float
    risk_band: str
    segment: str
    strategy: str
    manager_review: bool
    other_units: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """JSON-ready dict."""
        return asdict(self)


def has_scores(engine: Engine, day: date) -> bool:
    """Whether household_scores already holds a computation for ``day``."""
    with engine.connect() as conn:
        return (
            conn.execute(text("SELECT 1 FROM household_scores WHERE as_of = :d LIMIT 1"), {"d": day}).first()
            is not None
        )


def ensure_scores(engine: Engine, day: date, var_dir: Path) -> None:
    """Score every household for ``day`` unless the batch already did."""
    if has_scores(engine, day):
        return
    from app.services.collections import risk_store, scoring

    model = risk_store.load_or_train(engine, var_dir, day)
    scoring.score_all(engine, model, day, at=datetime.now())


def _read(engine: Engine, day: date, project: str | None, limit: int | None) -> pd.DataFrame:
    where = "s.as_of = :d AND s.excluded IS NULL" + (" AND p.code = :p" if project else "")
    sql = (
        f"SELECT s.unit_id, s.owner_id, p.code || '/' || u.code, p.code, s.arrears_cents, s.months_in_arrears, "
        f"s.days_overdue, s.stage, s.risk_score, s.risk_band, s.segment, s.strategy, s.manager_review, s.priority, "
        f"s.warning, s.reasons, s.excluded FROM household_scores s JOIN units u ON u.id = s.unit_id "
        f"JOIN projects p ON p.id = u.project_id WHERE {where} ORDER BY s.priority DESC, s.unit_id"
    )
    params: dict = {"d": day, "p": project}
    if limit:
        # Owners with several units are rare: twice the rows are enough to fill `limit` distinct owners.
        sql += " LIMIT :n"
        params["n"] = limit * 2 + 10
    with engine.connect() as conn:
        rows = conn.execute(text(sql), params).fetchall()
    frame = pd.DataFrame.from_records(rows, columns=_COLUMNS)
    frame["reasons"] = frame["reasons"].map(_json_list)
    return frame


def _json_list(value: object) -> list:
    import json

    return json.loads(value) if isinstance(value, str) else list(value or [])


def daily_queue(
    engine: Engine, day: date, *, project: str | None = None, limit: int | None = None, var_dir: Path | None = None
) -> list[QueueEntry]:
    """Today's queue: one entry per owner, highest priority first, exclusions already applied.

    Args:
        engine: Database engine.
        day: Business date of the queue.
        project: Only this project's households (project code).
        limit: Return at most this many owners.
        var_dir: Where the risk model lives; when given, missing scores for ``day`` are computed first.
    """
    if var_dir is not None:
        ensure_scores(engine, day, var_dir)
    frame = owner_entries(_read(engine, day, project, limit))
    if limit:
        frame = frame.head(limit)
    return [
        QueueEntry(
            household=r["household"],
            priority=round(float(r["priority"]), 4),
            reasons=r["reasons"],
            warning=r["warning"],
            arrears=str(to_yuan(int(r["arrears_cents"]))),
            owner_arrears=str(to_yuan(int(r["owner_arrears_cents"]))),
            days_overdue=int(r["days_overdue"]),
            stage=r["stage"],
            risk_score=round(float(r["risk_score"]), 4),
            risk_band=r["risk_band"],
            segment=r["segment"],
            strategy=r["strategy"],
            manager_review=bool(r["manager_review"]),
            other_units=list(r["other_units"]),
        )
        for r in frame.to_dict("records")
    ]


def band_label(band: str) -> str:
    """Chinese name of a risk band."""
    return BAND_NAMES.get(band, band)


def segment_label(segment: str) -> str:
    """Chinese name of a segment."""
    return SEGMENT_NAMES.get(segment, segment)
