"""Score households chunk by chunk: risk, segment, strategy, exclusions, priority; upsert household_scores."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.engine import Connection

from app.services.collections.frames import Chunk, read_chunk, unit_id_bounds
from core.domain.collections import queue, segments
from core.domain.collections.features import features_at
from core.domain.collections.risk import RiskModel
from knowledge_base.taxonomy import TAXONOMY

CHUNK = 50_000
SCORE_COLUMNS = (
    "unit_id",
    "as_of",
    "project_id",
    "owner_id",
    "arrears_cents",
    "months_in_arrears",
    "days_overdue",
    "stage",
    "risk_score",
    "risk_band",
    "segment",
    "special",
    "high_value",
    "problem",
    "strategy",
    "manager_review",
    "priority",
    "warning",
    "excluded",
    "reasons",
    "computed_at",
)


def strategy_groups(cause_ids: pd.Series) -> np.ndarray:
    """Strategy group of each latest diagnosed cause (standard when undiagnosed)."""
    groups = {cid: g for cid, (_, _, g) in TAXONOMY.items()}
    return cause_ids.map(groups).fillna("standard").to_numpy()


def score_chunk(chunk: Chunk, model: RiskModel, day: date) -> pd.DataFrame:
    """Everything the queue and the workbench need, one row per unit of the chunk."""
    units = chunk.units.reset_index(drop=True)
    targets = pd.DataFrame({"unit_id": units["unit_id"], "t": day.toordinal(), "amount": units["monthly_fee_cents"]})
    feats = features_at(targets, chunk.bills, chunk.events, units)
    f = units.copy()
    f["arrears_cents"] = feats["arrears_cents"].round().astype(np.int64)
    f["months_in_arrears"] = feats["months_in_arrears"].astype(np.int64)
    f["days_overdue"] = feats["days_overdue"].astype(np.int64)
    f["risk_score"] = model.predict(feats) if len(f) else []
    f["risk_band"] = segments.risk_band(f["risk_score"].to_numpy())
    f["segment"] = segments.segment(f)
    f["strategy_group"] = strategy_groups(f["cause_id"])
    f["service_first"] = (f["strategy_group"] == "service_quality") | (feats["open_service_tickets"] > 0)
    f = pd.concat([f, segments.apply_strategy(f)], axis=1)
    f["excluded"] = queue.exclusion(f)
    f["priority"], *_ = queue.priority(f)
    f.loc[f["excluded"].notna(), "priority"] = 0.0
    f["warning"] = queue.warning(f)
    f["model_reasons"] = None
    f["reasons"] = [[] for _ in range(len(f))]
    owing = np.flatnonzero(f["arrears_cents"].to_numpy() > 0)
    if len(owing):
        f.loc[owing, "model_reasons"] = pd.Series(model.reasons(feats.iloc[owing]), index=owing)
        f.loc[owing, "reasons"] = pd.Series(queue.reasons(f.iloc[owing]), index=owing)
    return f


def _rows(frame: pd.DataFrame, day: date, at: datetime, sqlite: bool) -> list[tuple]:
    out = frame.assign(
        as_of=day.isoformat() if sqlite else day,
        computed_at=at.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else at,
        reasons=[json.dumps(r, ensure_ascii=False) for r in frame["reasons"]],
    )
    out["excluded"] = out["excluded"].astype(object).where(out["excluded"].notna(), None)
    out["stage"] = out["stage"].astype(object).where(out["stage"].notna(), None)
    out["owner_id"] = out["owner_id"].astype(object).where(out["owner_id"].notna(), None)
    columns = [out[c].tolist() for c in SCORE_COLUMNS]  # tolist() gives plain Python values
    return list(zip(*columns, strict=True))


def upsert_scores(conn: Connection, frame: pd.DataFrame, day: date, at: datetime) -> int:
    """Insert or replace the household_scores rows of the frame (DBAPI executemany, one statement)."""
    if frame.empty:
        return 0
    sqlite = conn.dialect.name == "sqlite"
    mark = "?" if sqlite else "%s"
    values = ", ".join(f"CAST({mark} AS JSON)" if c == "reasons" and not sqlite else mark for c in SCORE_COLUMNS)
    updates = ", ".join(f"{c} = excluded.{c}" for c in SCORE_COLUMNS if c != "unit_id")
    sql = (
        f"INSERT INTO household_scores ({', '.join(SCORE_COLUMNS)}) VALUES ({values}) "
        f"ON CONFLICT (unit_id) DO UPDATE SET {updates}"
    )
    rows = _rows(frame, day, at, sqlite)
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.executemany(sql, rows)
    finally:
        cursor.close()
    return len(rows)


@dataclass
class ScoreStats:
    """What a scoring pass did."""

    households: int = 0
    in_arrears: int = 0
    queued: int = 0
    last_unit_id: int = 0


def score_all(
    engine: Engine,
    model: RiskModel,
    day: date,
    *,
    at: datetime,
    chunk: int = CHUNK,
    start_after: int = 0,
    on_chunk: Callable[[int, int], None] | None = None,
) -> ScoreStats:
    """Score every unit with id > ``start_after`` in id-range chunks, committing each chunk.

    ``on_chunk(last_unit_id, households)`` runs after each committed chunk (progress, resume marker).
    """
    stats = ScoreStats(last_unit_id=start_after)
    with engine.connect() as conn:
        lo, hi = unit_id_bounds(conn)
    for start in range(max(lo, start_after + 1), hi + 1, chunk):
        end = min(start + chunk, hi + 1)
        with engine.begin() as conn:
            frame = score_chunk(read_chunk(conn, start, end, day), model, day)
            upsert_scores(conn, frame, day, at)
        stats.households += len(frame)
        stats.in_arrears += int((frame["arrears_cents"] > 0).sum())
        stats.queued += int(frame["excluded"].isna().sum())
        stats.last_unit_id = end - 1
        if on_chunk:
            on_chunk(end - 1, len(frame))
    return stats


def rescore_units(
    engine: Engine, model: RiskModel, day: date, unit_ids: list[int], *, at: datetime, chunk: int = CHUNK
) -> int:
    """Rescore the id-range chunks that hold ``unit_ids`` (e.g. after new diagnoses changed their strategy)."""
    starts = sorted({(u - 1) // chunk * chunk + 1 for u in unit_ids})
    n = 0
    for start in starts:
        with engine.begin() as conn:
            frame = score_chunk(read_chunk(conn, start, start + chunk, day), model, day)
            n += upsert_scores(conn, frame, day, at)
    return n


def totals(engine: Engine, day: date) -> tuple[int, int, int]:
    """(households, in arrears, queued) scored for ``day``."""
    from sqlalchemy import text

    sql = (
        "SELECT COUNT(*), SUM(CASE WHEN arrears_cents > 0 THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN excluded IS NULL THEN 1 ELSE 0 END) FROM household_scores WHERE as_of = :d"
    )
    with engine.connect() as conn:
        n, owing, queued = conn.execute(text(sql), {"d": day}).one()
    return int(n or 0), int(owing or 0), int(queued or 0)
