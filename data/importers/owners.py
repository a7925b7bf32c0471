"""Owner master data (业主档案) import: projects, buildings, units, owners merged by name + mobile."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.db.models import Building, Contact, Owner, OwnerPreference, OwnerTag, Project, Unit
from data.importers import pii
from data.importers.columns import OWNERS
from data.importers.errors import CellError
from data.importers.identity import parse_unit, polite_title, unit_label
from data.importers.refs import UnitIndex
from data.importers.report import ErrorReport

Problem = tuple[str, str]  # (column key, reason)


class OwnersHandler:
    """Creates or updates units and their owners; one person (name + mobile) owning several units is one owner."""

    columns = OWNERS
    key_label = "项目编码+房号"

    def __init__(self, session: Session, index: UnitIndex, clock: Callable[[], datetime] = datetime.now) -> None:
        self._session = session
        self._index = index
        self._clock = clock
        self._buildings: dict[tuple[int, str], int] = {}
        self._loaded: set[int] = set()

    @staticmethod
    def key(record: dict) -> tuple[str, ...]:
        """Identity of a household within the file."""
        return record["project"], record["unit"]

    @staticmethod
    def refine(record: dict) -> list[Problem]:
        """Combine 楼栋 and 房号 into the unit code (4 + 1203 → 4-1203)."""
        try:
            record["unit"] = parse_unit(record["unit"], record["building"])
        except CellError as exc:
            return [("unit", exc.reason)]
        return []

    def apply(self, batch: list[dict], report: ErrorReport) -> Counter[str]:  # noqa: ARG002 - no lookups fail here
        """Upsert the batch: projects and buildings first, then owners, then units and owner details."""
        counts: Counter[str] = Counter()
        project_ids = {rec["project"]: self._project(rec) for rec in batch}
        owners = self._owners(batch)
        self._session.flush()
        units = self._units(project_ids, batch)
        details = _Details.load(self._session, [o.id for o in owners.values()])
        for rec in batch:
            owner = owners[pii.merge_key(rec["name"], rec["mobile"])]
            pid = project_ids[rec["project"]]
            created, changed = self._apply_unit(units, pid, owner, rec)
            changed |= self._apply_owner(owner, rec)
            changed |= details.apply(self._session, owner.id, rec)
            counts["inserted" if created else "updated" if changed else "unchanged"] += 1
        self._session.flush()
        for (pid, code), unit in units.items():
            self._index.remember_unit(pid, code, unit.id)
        return counts

    def _project(self, rec: dict) -> int:
        pid = self._index.project_id(rec["project"])
        if pid is None:
            project = Project(
                code=rec["project"], name=rec["project_name"], city=rec["city"], region=rec.get("region") or ""
            )
            self._session.add(project)
            self._session.flush()
            pid = project.id
            self._index.remember_project(rec["project"], pid)
        return pid

    def _building(self, project_id: int, number: str) -> int:
        name = f"{number}号楼"
        if project_id not in self._loaded:
            self._loaded.add(project_id)
            for bid, bname in self._session.execute(
                select(Building.id, Building.name).where(Building.project_id == project_id)
            ):
                self._buildings[(project_id, bname)] = bid
        if (project_id, name) not in self._buildings:
            building = Building(project_id=project_id, name=name)
            self._session.add(building)
            self._session.flush()
            self._buildings[(project_id, name)] = building.id
        return self._buildings[(project_id, name)]

    def _owners(self, batch: list[dict]) -> dict[str, Owner]:
        keys = {pii.merge_key(rec["name"], rec["mobile"]): rec for rec in batch}
        found = {
            o.merge_key: o
            for o in self._session.execute(
                select(Owner).where(Owner.merge_hash.in_([pii.lookup_hash(k) for k in keys]))
            ).scalars()
        }
        for key, rec in keys.items():
            if key not in found:
                found[key] = Owner(
                    name=pii.seal(rec["name"]),
                    merge_key=key,
                    created_at=self._clock(),
                    title=polite_title(rec["name"], rec.get("id_number")),
                    id_number=pii.seal(rec.get("id_number")),
                )
                self._session.add(found[key])
        return found

    def _units(self, project_ids: dict[str, int], batch: list[dict]) -> dict[tuple[int, str], Unit]:
        units: dict[tuple[int, str], Unit] = {}
        for code, pid in project_ids.items():
            wanted = {rec["unit"] for rec in batch if rec["project"] == code}
            for unit in self._session.execute(
                select(Unit).where(Unit.project_id == pid, Unit.code.in_(wanted))
            ).scalars():
                units[(pid, unit.code)] = unit
        return units

    def _apply_unit(self, units: dict[tuple[int, str], Unit], pid: int, owner: Owner, rec: dict) -> tuple[bool, bool]:
        values = {
            "building_id": self._building(pid, rec["building"]),
            "owner_id": owner.id,
            "label": unit_label(rec["unit"]),
            "area_m2": rec["area"],
        }
        if rec.get("monthly_fee") is not None:
            values["monthly_fee_cents"] = rec["monthly_fee"]
        unit = units.get((pid, rec["unit"]))
        if unit is None:
            units[(pid, rec["unit"])] = Unit(project_id=pid, code=rec["unit"], **values)
            self._session.add(units[(pid, rec["unit"])])
            return True, False
        changed = {k: v for k, v in values.items() if getattr(unit, k) != v}
        for key, value in changed.items():
            setattr(unit, key, value)
        return False, bool(changed)

    @staticmethod
    def _apply_owner(owner: Owner, rec: dict) -> bool:
        id_number = rec.get("id_number")
        if not id_number or pii.unseal(owner.id_number) == id_number:
            return False
        owner.id_number = pii.seal(id_number)
        owner.title = polite_title(rec["name"], id_number)
        return True


class _Details:
    """Contacts, tags and channel preference of the owners in one batch, loaded with three queries."""

    def __init__(
        self, contacts: set[tuple[int, str, str]], tags: set[tuple[int, str]], prefs: dict[int, OwnerPreference]
    ) -> None:
        self.contacts, self.tags, self.prefs = contacts, tags, prefs

    @classmethod
    def load(cls, session: Session, owner_ids: list[int]) -> _Details:
        """Read what the batch's owners already have."""
        contacts = {
            (oid, kind, pii.unseal(value) or "")
            for oid, kind, value in session.execute(
                select(Contact.owner_id, Contact.kind, Contact.value).where(Contact.owner_id.in_(owner_ids))
            )
        }
        tags = set(session.execute(select(OwnerTag.owner_id, OwnerTag.tag).where(OwnerTag.owner_id.in_(owner_ids))))
        prefs = {
            p.owner_id: p
            for p in session.execute(select(OwnerPreference).where(OwnerPreference.owner_id.in_(owner_ids))).scalars()
        }
        return cls({tuple(c) for c in contacts}, {tuple(t) for t in tags}, prefs)

    def apply(self, session: Session, owner_id: int, rec: dict) -> bool:
        """Add missing contacts and tags, set the preferred channel; True when anything changed."""
        changed = False
        has_mobile = any(c[0] == owner_id and c[1] == "mobile" for c in self.contacts)
        for kind, field in (("mobile", "mobile"), ("email", "email"), ("wechat", "wechat")):
            value = rec.get(field)
            if value and (owner_id, kind, value) not in self.contacts:
                session.add(
                    Contact(
                        owner_id=owner_id,
                        kind=kind,
                        value=pii.seal(value),
                        preferred=kind == "mobile" and not has_mobile,
                    )
                )
                self.contacts.add((owner_id, kind, value))
                changed = True
        for tag in rec.get("tags") or ():
            if (owner_id, tag) not in self.tags:
                session.add(OwnerTag(owner_id=owner_id, tag=tag))
                self.tags.add((owner_id, tag))
                changed = True
        channel = rec.get("channel")
        if channel:
            pref = self.prefs.get(owner_id)
            if pref is None:
                self.prefs[owner_id] = OwnerPreference(owner_id=owner_id, preferred_channel=channel)
                session.add(self.prefs[owner_id])
                changed = True
            elif pref.preferred_channel != channel:
                pref.preferred_channel = channel
                changed = True
        return changed
