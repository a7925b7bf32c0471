"""Create or update the households of bundle lines: project, building, unit, owner and owner details, ledger."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.db.models import Building, Owner, Project, Unit
from data.importers import pii
from data.importers.identity import unit_label
from data.importers.owners import _Details as OwnerDetails
from data.importers.payments import PaymentsHandler
from data.importers.receivables import ReceivablesHandler
from data.importers.refs import UnitIndex
from data.importers.report import ErrorReport
from data.ingest.model import HouseholdIn
from data.ingest.problems import FieldProblem, report_problem
from data.ingest.speakers import legal_name, owner_title


def prefixed(prefix: str, counts: Counter[str]) -> Counter[str]:
    """``{"inserted": 2}`` → ``{"bills.inserted": 2}``."""
    return Counter({f"{prefix}.{key}": value for key, value in counts.items()})


class HouseholdWriter:
    """Upserts everything of a bundle batch except evidence; units are created when new."""

    def __init__(self, session: Session, index: UnitIndex, clock: Callable[[], datetime]) -> None:
        self._session = session
        self._index = index
        self._clock = clock
        self._buildings: dict[tuple[int, str], int] = {}

    def apply(self, batch: list[HouseholdIn], report: ErrorReport) -> tuple[list[tuple[int, HouseholdIn]], Counter]:
        """Write the batch; returns (unit id, household) for every accepted household and outcome counts."""
        batch = [h for h in batch if self._project(h, report) is not None]
        owners = self._owners(batch)
        self._session.flush()
        counts: Counter[str] = Counter()
        resolved = self._units(batch, owners, counts)
        details = OwnerDetails.load(self._session, [o.id for o in owners.values()])
        for household in batch:
            if household.owner is not None:
                owner = owners[pii.merge_key(household.owner.name, household.owner.mobile)]
                info = household.owner
                details.apply(
                    self._session,
                    owner.id,
                    {"mobile": info.mobile, "email": info.email, "wechat": info.wechat, "tags": info.tags},
                )
        self._session.flush()
        bills = [rec for h in batch for rec in h.bills]
        payments = [rec for h in batch for rec in h.payments]
        if bills:
            counts += prefixed("bills", ReceivablesHandler(self._session, self._index).apply(bills, report))
        if payments:
            counts += prefixed("payments", PaymentsHandler(self._session, self._index).apply(payments, report))
        return resolved, counts

    def _project(self, household: HouseholdIn, report: ErrorReport) -> int | None:
        pid = self._index.project_id(household.project)
        if pid is not None:
            return pid
        if not household.project_name or not household.city:
            problem = FieldProblem("project_name", household.project, "新项目需要填写 project_name 和 city")
            report_problem(report, household.line, problem, "household")
            return None
        project = Project(code=household.project, name=household.project_name, city=household.city, region="")
        self._session.add(project)
        self._session.flush()
        self._index.remember_project(household.project, project.id)
        return project.id

    def _owners(self, batch: list[HouseholdIn]) -> dict[str, Owner]:
        wanted = {pii.merge_key(h.owner.name, h.owner.mobile): h.owner for h in batch if h.owner is not None}
        if not wanted:
            return {}
        found = {
            o.merge_key: o
            for o in self._session.execute(
                select(Owner).where(Owner.merge_hash.in_([pii.lookup_hash(k) for k in wanted]))
            ).scalars()
        }
        for key, info in wanted.items():
            if key not in found:
                found[key] = Owner(
                    name=pii.seal(legal_name(info.name)),
                    title=owner_title(info.name, info.id_number),
                    id_number=pii.seal(info.id_number),
                    merge_key=key,
                    created_at=self._clock(),
                )
                self._session.add(found[key])
        return found

    def _building(self, project_id: int, unit_code: str) -> int:
        name = f"{unit_code.split('-')[0]}号楼"
        if (project_id, name) not in self._buildings:
            bid = self._session.execute(
                select(Building.id).where(Building.project_id == project_id, Building.name == name)
            ).scalar_one_or_none()
            if bid is None:
                building = Building(project_id=project_id, name=name)
                self._session.add(building)
                self._session.flush()
                bid = building.id
            self._buildings[(project_id, name)] = bid
        return self._buildings[(project_id, name)]

    def _units(
        self, batch: list[HouseholdIn], owners: dict[str, Owner], counts: Counter[str]
    ) -> list[tuple[int, HouseholdIn]]:
        existing: dict[tuple[int, str], Unit] = {}
        for code in {h.project for h in batch}:
            pid = self._index.project_id(code)
            wanted = {h.unit for h in batch if h.project == code}
            for unit in self._session.execute(
                select(Unit).where(Unit.project_id == pid, Unit.code.in_(wanted))
            ).scalars():
                existing[(pid, unit.code)] = unit
        units = []
        for household in batch:
            pid = self._index.project_id(household.project)
            owner = owners[pii.merge_key(household.owner.name, household.owner.mobile)] if household.owner else None
            unit = existing.get((pid, household.unit))
            if unit is None:
                unit = Unit(
                    project_id=pid,
                    building_id=self._building(pid, household.unit),
                    code=household.unit,
                    label=unit_label(household.unit),
                    owner_id=owner.id if owner else None,
                    area_m2=household.area_m2 or 0.0,
                    monthly_fee_cents=_monthly_fee(household) or 0,
                )
                self._session.add(unit)
                existing[(pid, household.unit)] = unit
                counts["households.created"] += 1
            elif _update_unit(unit, household, owner):
                counts["households.updated"] += 1
            else:
                counts["households.existing"] += 1
            units.append((unit, household))
        self._session.flush()
        for unit, _household in units:
            self._index.remember_unit(unit.project_id, unit.code, unit.id)
        return [(unit.id, household) for unit, household in units]


def _monthly_fee(household: HouseholdIn) -> int | None:
    """The given monthly fee, else the latest 物业费 bill of the bundle."""
    if household.monthly_fee_cents is not None:
        return household.monthly_fee_cents
    fees = sorted((b["period"], b["amount"]) for b in household.bills if b["fee_type"] == "物业费")
    return fees[-1][1] if fees else None


def _update_unit(unit: Unit, household: HouseholdIn, owner: Owner | None) -> bool:
    """Apply a new owner, area or monthly fee; True when anything changed."""
    values = {
        "owner_id": owner.id if owner else None,
        "area_m2": household.area_m2,
        "monthly_fee_cents": household.monthly_fee_cents,
    }
    changed = {k: v for k, v in values.items() if v is not None and getattr(unit, k) != v}
    for key, value in changed.items():
        setattr(unit, key, value)
    return bool(changed)
