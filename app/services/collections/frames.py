"""Set-based reads of one chunk of households (a unit-id range) into pandas frames for the collections engine."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Connection

from core.domain.collections.features import EVENT_KINDS
from core.domain.collections.segments import SPECIAL_TAGS

SERVICE_TICKET_TYPES = (
    "保洁清洁",
    "电梯故障",
    "水电维修",
    "门禁安防",
    "绿化养护",
    "公共设施",
    "房屋质量",
    "投诉建议",
    "噪音扰民",
)
CLOSED_TICKET_STATES = ("已完成", "已关闭")
LOW_SATISFACTION = 2
_PG_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_SQLITE_ORDINAL_OFFSET = 1721424.5  # julianday('0001-01-01') - 1


def day_sql(column: str, dialect: str) -> str:
    """SQL for the whole day number (date.toordinal()) of a date or timestamp column."""
    if dialect == "postgresql":
        return f"(CAST(FLOOR(EXTRACT(EPOCH FROM {column}) / 86400) AS INTEGER) + {_PG_EPOCH_ORDINAL})"
    return f"CAST(julianday({column}) - {_SQLITE_ORDINAL_OFFSET} AS INTEGER)"


@dataclass
class Chunk:
    """Everything the engine reads about the households with lo <= unit id < hi."""

    units: pd.DataFrame
    bills: pd.DataFrame
    events: pd.DataFrame


def driver_sql(conn: Connection, sql: str, params: dict) -> tuple[str, dict]:
    """Turn ``:name`` parameters into the driver's style (sqlite3 takes them as is; psycopg wants %(name)s)."""
    if conn.dialect.name == "postgresql":
        return re.sub(r":(\w+)", r"%(\1)s", sql), params
    return sql, {k: v.isoformat() if isinstance(v, date) else v for k, v in params.items()}


def _frame(conn: Connection, sql: str, params: dict, columns: list[str]) -> pd.DataFrame:
    # Plain DBAPI tuples: building frames from SQLAlchemy Row objects is ten times slower.
    sql, params = driver_sql(conn, sql, params)
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    finally:
        cursor.close()
    return pd.DataFrame.from_records(rows, columns=columns)


def unit_id_bounds(conn: Connection) -> tuple[int, int]:
    """(min, max) unit id, (0, -1) when there are no units."""
    lo, hi = conn.execute(text("SELECT MIN(id), MAX(id) FROM units")).one()
    return (int(lo), int(hi)) if lo is not None else (0, -1)


def read_units(conn: Connection, lo: int, hi: int, day: date) -> pd.DataFrame:
    """Units with owner, project, tags, consent and open commitments as flag columns."""
    p = {"lo": lo, "hi": hi, "day": day}
    units = _frame(
        conn,
        "SELECT u.id, u.owner_id, u.project_id, p.code, u.code, u.monthly_fee_cents, u.case_state, "
        "u.evidence_fingerprint FROM units u JOIN projects p ON p.id = u.project_id "
        "WHERE u.id >= :lo AND u.id < :hi ORDER BY u.id",
        p,
        [
            "unit_id",
            "owner_id",
            "project_id",
            "project_code",
            "unit_code",
            "monthly_fee_cents",
            "case_state",
            "evidence_fingerprint",
        ],
    )
    units["household"] = units["project_code"] + "/" + units["unit_code"]
    owner_join = "FROM units u JOIN {t} x ON x.owner_id = u.owner_id WHERE u.id >= :lo AND u.id < :hi"
    tags = _frame(conn, "SELECT u.id, x.tag " + owner_join.format(t="owner_tags"), p, ["unit_id", "tag"])
    opt = _frame(conn, "SELECT u.id, x.channel " + owner_join.format(t="opt_outs"), p, ["unit_id", "channel"])
    black = _frame(conn, "SELECT u.id " + owner_join.format(t="blacklist"), p, ["unit_id"])
    disputes = _frame(
        conn, "SELECT unit_id FROM disputes WHERE status = 'open' AND unit_id >= :lo AND unit_id < :hi", p, ["unit_id"]
    )
    promises = _frame(
        conn,
        "SELECT unit_id FROM promises WHERE status = 'open' AND promised_date >= :day "
        "AND unit_id >= :lo AND unit_id < :hi",
        p,
        ["unit_id"],
    )
    instalments = _frame(
        conn,
        "SELECT unit_id FROM instalment_plans WHERE status = 'active' AND unit_id >= :lo AND unit_id < :hi",
        p,
        ["unit_id"],
    )
    broken = _frame(
        conn,
        "SELECT unit_id FROM promises WHERE status = 'broken' AND unit_id >= :lo AND unit_id < :hi "
        "AND unit_id NOT IN (SELECT unit_id FROM promises WHERE status = 'open')",
        p,
        ["unit_id"],
    )
    diag = _frame(
        conn,
        "SELECT d.unit_id, d.primary_cause_id, d.evidence_fingerprint FROM diagnoses d WHERE d.id IN "
        "(SELECT MAX(id) FROM diagnoses WHERE unit_id >= :lo AND unit_id < :hi GROUP BY unit_id)",
        p,
        ["unit_id", "cause_id", "diagnosis_fingerprint"],
    )
    ids = units["unit_id"]

    def has(frame: pd.DataFrame, mask: pd.Series | None = None) -> np.ndarray:
        sel = frame if mask is None else frame[mask]
        return ids.isin(sel["unit_id"]).to_numpy()

    units["special"] = has(tags, tags["tag"].isin(SPECIAL_TAGS))
    units["high_value"] = has(tags, tags["tag"] == "高价值")
    units["problem"] = has(tags, tags["tag"] == "问题业主")
    units["tags"] = ids.map(tags.groupby("unit_id")["tag"].agg(list)).apply(lambda v: v if isinstance(v, list) else [])
    units["opted_out_all"] = has(opt, opt["channel"].isna())
    units["opted_out_channels"] = ids.map(opt.dropna().groupby("unit_id")["channel"].agg(frozenset)).apply(
        lambda v: v if isinstance(v, frozenset) else frozenset()
    )
    units["blacklisted"] = has(black)
    units["open_dispute"] = has(disputes)
    units["open_promise"] = has(promises)
    units["instalment_active"] = has(instalments)
    units["broken_promise"] = has(broken)
    units = units.merge(diag, on="unit_id", how="left")
    return units


def read_bills(conn: Connection, lo: int, hi: int) -> pd.DataFrame:
    """Bills with the day of their (last) payment; amount net of write-offs."""
    d = conn.dialect.name
    p = {"lo": lo, "hi": hi}
    bills = _frame(
        conn,
        f"SELECT unit_id, period, {day_sql('due_date', d)}, amount_cents - written_off_cents, "
        "paid_cents FROM receivables WHERE unit_id >= :lo AND unit_id < :hi",
        p,
        ["unit_id", "period", "due", "amount", "paid_cents"],
    )
    pays = _frame(
        conn,
        f"SELECT unit_id, period, MAX({day_sql('paid_at', d)}) FROM payments "
        "WHERE unit_id >= :lo AND unit_id < :hi AND period IS NOT NULL GROUP BY unit_id, period",
        p,
        ["unit_id", "period", "pay_day"],
    )
    bills = bills.astype({"unit_id": np.int64, "due": np.int64, "amount": np.int64, "paid_cents": np.int64})
    bills = bills.merge(pays, on=["unit_id", "period"], how="left")
    bills["pay_day"] = bills["pay_day"].astype(float)
    bills["settled"] = (bills["paid_cents"] >= bills["amount"]).to_numpy()
    return bills.drop(columns="period")


def read_events(conn: Connection, lo: int, hi: int) -> pd.DataFrame:
    """Tickets (all, low satisfaction, service), claims and contact attempts as dated events."""
    d = conn.dialect.name
    p = {"lo": lo, "hi": hi}
    rng = "unit_id >= :lo AND unit_id < :hi"
    tickets = _frame(
        conn,
        f"SELECT unit_id, {day_sql('created_at', d)}, {day_sql('closed_at', d)}, satisfaction, "
        f"type, status FROM tickets WHERE {rng}",
        p,
        ["unit_id", "day", "until", "satisfaction", "type", "status"],
    )
    closed = tickets["status"].isin(CLOSED_TICKET_STATES)
    until = tickets["until"].astype(float)
    tickets["until"] = np.where(until.isna() & closed, tickets["day"].astype(float), until)  # closed, no close time
    parts = [tickets.assign(kind=EVENT_KINDS["ticket"])]
    low = tickets[tickets["satisfaction"].notna() & (tickets["satisfaction"] <= LOW_SATISFACTION)]
    parts.append(low.assign(kind=EVENT_KINDS["low_sat_ticket"]))
    parts.append(tickets[tickets["type"].isin(SERVICE_TICKET_TYPES)].assign(kind=EVENT_KINDS["service_ticket"]))
    claims = _frame(conn, f"SELECT unit_id, {day_sql('created_at', d)} FROM claims WHERE {rng}", p, ["unit_id", "day"])
    parts.append(claims.assign(kind=EVENT_KINDS["claim"], until=np.nan))
    attempts = _frame(
        conn,
        f"SELECT unit_id, {day_sql('at', d)}, outcome FROM contact_attempts WHERE {rng}",
        p,
        ["unit_id", "day", "outcome"],
    )
    parts.append(attempts.assign(kind=EVENT_KINDS["attempt"], until=np.nan))
    parts.append(attempts[attempts["outcome"] == "no_answer"].assign(kind=EVENT_KINDS["no_answer"], until=np.nan))
    cols = ["unit_id", "kind", "day", "until"]
    events = pd.concat([part[cols] for part in parts], ignore_index=True)
    return events.astype({"unit_id": np.int64, "kind": np.int64, "day": float, "until": float})


def read_chunk(conn: Connection, lo: int, hi: int, day: date) -> Chunk:
    """Read one unit-id range."""
    return Chunk(units=read_units(conn, lo, hi, day), bills=read_bills(conn, lo, hi), events=read_events(conn, lo, hi))
