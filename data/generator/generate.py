"""Stream a sample portfolio into the database in chunks (bounded memory)."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine, func, insert, select, text

from data.db import Base
from data.db.models import Meta, Project
from data.generator.household import HouseholdSpec, generate_household
from data.generator.pilot import write_pilot
from data.generator.portfolio import (
    DEFAULT_AS_OF,
    PILOT_KEY,
    PROJECTS,
    Ids,
    Rows,
    month_periods,
    unit_code,
)

INSERT_ORDER = (
    "projects",
    "buildings",
    "owners",
    "contacts",
    "owner_tags",
    "owner_preferences",
    "units",
    "receivables",
    "payments",
    "chat_messages",
    "tickets",
    "ticket_events",
    "claims",
    "claim_records",
    "eval_ground_truth",
    "contact_attempts",
    "opt_outs",
    "blacklist",
    "disputes",
    "promises",
    "instalment_plans",
)
STEWARD_SURNAMES = "李张刘陈杨赵周吴徐孙"
MULTI_UNIT_SHARE = 0.03


@dataclass
class GenerationReport:
    """What a generation run wrote."""

    households: int
    rows: int
    skipped: bool = False


def steward_title(building: int) -> str:
    """Deterministic steward per building (building 4 of the pilot has 李管家)."""
    return STEWARD_SURNAMES[(building - 4) % len(STEWARD_SURNAMES)] + "管家"


def _load_ids(engine: Engine) -> Ids:
    ids = Ids()
    with engine.connect() as conn:
        for name in INSERT_ORDER:
            table = Base.metadata.tables[name]
            if "id" in table.c:
                ids.next[name] = (conn.execute(select(func.max(table.c.id))).scalar() or 0) + 1
    return ids


def _sqlite_value(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return value


def _flush_sqlite(conn, name: str, batch: list[dict]) -> None:  # noqa: ANN001
    """Plain DB-API executemany: the ORM's per-row parameter processing dominates otherwise."""
    columns = [c for c in batch[0] if not c.startswith("_")]
    sql = f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    conn.connection.driver_connection.executemany(sql, [tuple(_sqlite_value(row[c]) for c in columns) for row in batch])


def _flush(engine: Engine, rows: Rows) -> int:
    from core.crypto.cipher import cipher
    from data.db.bulk import seal_rows

    written = 0
    sqlite = engine.dialect.name == "sqlite"
    fc = cipher()
    with engine.begin() as conn:
        for name in INSERT_ORDER:
            batch = rows.tables.get(name)
            if batch:
                batch = seal_rows(name, batch, fc)  # personal fields encrypted on both paths
                if sqlite:
                    _flush_sqlite(conn, name, batch)
                else:
                    conn.execute(insert(Base.metadata.tables[name]), batch)
                written += len(batch)
    rows.tables.clear()
    return written


def _fix_sequences(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        for name in INSERT_ORDER:
            if "id" in Base.metadata.tables[name].c:
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"
                    )
                )


def generate(
    engine: Engine,
    households: int,
    *,
    seed: int = 7,
    as_of: date = DEFAULT_AS_OF,
    chunk: int = 2000,
    progress: Callable[[int], None] | None = None,
) -> GenerationReport:
    """Write ``households`` sample households (the pilot first); skip when a sample already exists."""
    with engine.connect() as conn:
        if conn.execute(select(Project.id).where(Project.code == PILOT_KEY[0])).first():
            return GenerationReport(0, 0, skipped=True)
    rng = random.Random(seed)
    ids = _load_ids(engine)
    if engine.dialect.name == "sqlite":
        with engine.begin() as conn:
            conn.exec_driver_sql("PRAGMA synchronous=OFF")
    rows = Rows()
    periods = tuple(month_periods(as_of))
    project_ids = []
    for code, name, city, region in PROJECTS:
        pid = ids.take("projects")
        project_ids.append(pid)
        rows.add("projects", {"id": pid, "code": code, "name": name, "city": city, "region": region})
    rows.add("meta", {"key": "as_of", "value": as_of.isoformat()})
    rows.add("meta", {"key": "seed", "value": str(seed)})
    with engine.begin() as conn:
        conn.execute(insert(Meta), rows.tables.pop("meta"))
    buildings: dict[tuple[int, str], int] = {}

    def building_id(pid: int, name: str) -> int:
        key = (pid, name)
        if key not in buildings:
            buildings[key] = ids.take("buildings")
            rows.add("buildings", {"id": buildings[key], "project_id": pid, "name": name})
        return buildings[key]

    write_pilot(ids, rows, project_ids[0], building_id(project_ids[0], "4号楼"), as_of, periods)
    counters = dict.fromkeys(project_ids, 0)
    last_owner: dict[int, dict] = {}
    written = 0
    for n in range(1, households):
        pid = project_ids[n % len(project_ids)] if n % 50 else project_ids[0]
        index = counters[pid]
        counters[pid] += 1
        code, label, bname = unit_code(index)
        if (pid, code) == (project_ids[0], PILOT_KEY[1]):
            index = counters[pid]
            counters[pid] += 1
            code, label, bname = unit_code(index)
        spec = HouseholdSpec(
            pid, building_id(pid, bname), code, label, bname, steward_title(int(code.split("-")[0])), as_of, periods
        )
        reuse = last_owner.get(pid) if rng.random() < MULTI_UNIT_SHARE else None
        last_owner[pid] = generate_household(rng, ids, rows, spec, owner=reuse)
        if n % chunk == 0:
            written += _flush(engine, rows)
            if progress:
                progress(chunk)
    written += _flush(engine, rows)
    if progress:
        progress(households % chunk or chunk)
    _fix_sequences(engine)
    return GenerationReport(households, written)
