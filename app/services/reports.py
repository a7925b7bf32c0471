"""Manager reports: aging structure, recovery 30/60/90, complaints and opt-outs, cross-project comparison."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.services.portfolio import SummaryCache
from core.domain.ledger import AGING_BUCKETS
from core.domain.money import to_yuan
from core.scope import CallerScope
from data.db.models import Payment, Project, Ticket, Unit
from data.db.workflow import Dispute, OptOut
from data.repositories.households import business_date

WINDOWS = (30, 60, 90)
COMPLAINT_TYPES = ("投诉建议",)


def _projects(session: Session, scope: CallerScope, project: str | None) -> dict[int, tuple[str, str]]:
    if project:
        scope.check(project)
    rows = session.execute(select(Project.id, Project.code, Project.name).order_by(Project.code)).all()
    return {
        pid: (code, name)
        for pid, code, name in rows
        if (scope.projects is None or code in scope.projects) and (project is None or code == project)
    }


def aging(session: Session, cache: SummaryCache, scope: CallerScope, project: str | None = None) -> list[dict]:
    """Households and arrears per project and aging bucket."""
    codes = {code for code, _ in _projects(session, scope, project).values()}
    cells: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for row in cache.rows(session):
        if row.project in codes and row.aging_bucket:
            cell = cells[(row.project, row.aging_bucket)]
            cell[0] += 1
            cell[1] += row.arrears_cents
    return [
        {
            "project": code,
            "bucket": label,
            "households": cells[(code, label)][0],
            "arrears": str(to_yuan(cells[(code, label)][1])),
        }
        for code in sorted(codes)
        for label, _, _ in AGING_BUCKETS
    ]


def recovery(session: Session, cache: SummaryCache, scope: CallerScope, project: str | None = None) -> list[dict]:
    """Per project: collected in the last 30/60/90 days and the rate collected / (collected + arrears now)."""
    projects = _projects(session, scope, project)
    today = business_date(session)
    end = datetime.combine(today, time())
    arrears: dict[str, int] = defaultdict(int)
    for row in cache.rows(session):
        arrears[row.project] += row.arrears_cents
    out = []
    collected: dict[int, dict[int, int]] = {}
    for days in WINDOWS:
        stmt = (
            select(Unit.project_id, func.sum(Payment.amount_cents))
            .join(Unit, Payment.unit_id == Unit.id)
            .where(Payment.paid_at >= end - timedelta(days=days), Payment.paid_at < end)
            .group_by(Unit.project_id)
        )
        collected[days] = {pid: int(total or 0) for pid, total in session.execute(stmt)}
    for pid, (code, name) in projects.items():
        item = {"project": code, "name": name, "arrears": str(to_yuan(arrears[code]))}
        for days in WINDOWS:
            got = collected[days].get(pid, 0)
            base = got + arrears[code]
            item[f"collected_{days}"] = str(to_yuan(got))
            item[f"rate_{days}"] = round(got / base, 4) if base else None
        out.append(item)
    return out


def complaints(session: Session, scope: CallerScope, project: str | None = None, days: int = 90) -> list[dict]:
    """Per project: complaint tickets, opt-outs and open disputes in the last ``days`` days."""
    projects = _projects(session, scope, project)
    since = datetime.combine(business_date(session) - timedelta(days=days), time())
    tickets = dict(
        session.execute(
            select(Unit.project_id, func.count())
            .select_from(Ticket)
            .join(Unit, Ticket.unit_id == Unit.id)
            .where(Ticket.type.in_(COMPLAINT_TYPES), Ticket.created_at >= since)
            .group_by(Unit.project_id)
        ).all()
    )
    opt_outs = dict(
        session.execute(
            select(Unit.project_id, func.count(func.distinct(OptOut.owner_id)))
            .select_from(OptOut)
            .join(Unit, Unit.owner_id == OptOut.owner_id)
            .where(OptOut.at >= since)
            .group_by(Unit.project_id)
        ).all()
    )
    disputes = dict(
        session.execute(
            select(Unit.project_id, func.count())
            .select_from(Dispute)
            .join(Unit, Dispute.unit_id == Unit.id)
            .where(Dispute.status == "open")
            .group_by(Unit.project_id)
        ).all()
    )
    return [
        {
            "project": code,
            "name": name,
            "complaints": int(tickets.get(pid, 0)),
            "opt_outs": int(opt_outs.get(pid, 0)),
            "open_disputes": int(disputes.get(pid, 0)),
        }
        for pid, (code, name) in projects.items()
    ]


def comparison(session: Session, cache: SummaryCache, scope: CallerScope) -> list[dict]:
    """One row per visible project: households in arrears, arrears, 90-day recovery, complaints, opt-outs."""
    counts: dict[str, int] = defaultdict(int)
    for row in cache.rows(session):
        if row.arrears_cents > 0:
            counts[row.project] += 1
    rec = {r["project"]: r for r in recovery(session, cache, scope)}
    comp = {r["project"]: r for r in complaints(session, scope)}
    return [
        {
            "project": code,
            "name": rec[code]["name"],
            "households_in_arrears": counts[code],
            "arrears": rec[code]["arrears"],
            "rate_90": rec[code]["rate_90"],
            "complaints": comp[code]["complaints"],
            "opt_outs": comp[code]["opt_outs"],
        }
        for code in rec
    ]
