"""Write hand-written household bundles (eval YAML) into a database; small on purpose.

Bundle shape (all times relative to the business date, ``day`` < 0 is in the past)::

    project: {code, name, city}
    unit: {code, label, area_m2, monthly_fee}
    owner: {name, title, id_number, tags: [...], preferred_channel, window: [09:00, 18:00], shared_with: case-id}
    contacts: [{kind: mobile|wechat|email, value, valid}]
    bills: {unpaid_months: 3, days_overdue: 20, paid_late_days: 0}
    chats: [{day, time, speaker: owner|steward|service, text}]
    tickets: [{id, day, type, description, status, satisfaction}]
    claims: [{id, day, type, items: [...], records: [{day, text}]}]
    opt_outs: [{channel: sms | null}]
    blacklisted: false
    disputes: [{status, note}]
    contact_attempts: [{day, time, channel, outcome}]
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.db.models import (
    Building,
    ChatMessage,
    Claim,
    ClaimRecord,
    Contact,
    Meta,
    Owner,
    OwnerPreference,
    OwnerTag,
    Payment,
    Project,
    Receivable,
    Ticket,
    Unit,
)
from data.db.workflow import BlacklistEntry, ContactAttempt, Dispute, OptOut
from data.generator.portfolio import DEFAULT_AS_OF, month_periods, period_due

SPEAKER_NAMES = {"owner": "业主", "steward": "管家", "service": "客服"}


def _at(as_of: date, day: int, hhmm: str = "10:00") -> datetime:
    return datetime.combine(as_of + timedelta(days=int(day)), time.fromisoformat(hhmm))


def ensure_as_of(session: Session, as_of: date = DEFAULT_AS_OF) -> date:
    """The database's business date, written when missing."""
    value = session.execute(select(Meta.value).where(Meta.key == "as_of")).scalar()
    if value:
        return date.fromisoformat(value)
    session.add(Meta(key="as_of", value=as_of.isoformat()))
    session.flush()
    return as_of


def _project(session: Session, data: dict[str, Any]) -> Project:
    project = session.execute(select(Project).where(Project.code == data["code"])).scalar_one_or_none()
    if project is None:
        project = Project(
            code=data["code"],
            name=data.get("name", data["code"]),
            city=data.get("city", "北京"),
            region=data.get("region", "华北"),
        )
        session.add(project)
        session.flush()
    return project


def _building(session: Session, project: Project, name: str) -> Building:
    row = session.execute(
        select(Building).where(Building.project_id == project.id, Building.name == name)
    ).scalar_one_or_none()
    if row is None:
        row = Building(project_id=project.id, name=name)
        session.add(row)
        session.flush()
    return row


def _owner(session: Session, bundle: dict[str, Any], owners: dict[str, Owner]) -> Owner:
    data = bundle["owner"]
    if data.get("shared_with") in owners:
        return owners[data["shared_with"]]
    mobile = next((c["value"] for c in bundle.get("contacts", []) if c["kind"] == "mobile"), "")
    owner = Owner(
        name=data["name"],
        title=data.get("title", ""),
        id_number=data.get("id_number"),
        merge_key=f"{data['name']}|{mobile}",
        created_at=datetime(2020, 1, 1),
    )
    session.add(owner)
    session.flush()
    for tag in data.get("tags", []):
        session.add(OwnerTag(owner_id=owner.id, tag=tag))
    for c in bundle.get("contacts", []):
        session.add(
            Contact(
                owner_id=owner.id,
                kind=c["kind"],
                value=str(c["value"]),
                valid=c.get("valid", True),
                preferred=c.get("preferred", False),
            )
        )
    window = data.get("window") or [None, None]
    session.add(
        OwnerPreference(
            owner_id=owner.id,
            preferred_channel=data.get("preferred_channel"),
            window_start=window[0],
            window_end=window[1],
            notes=data.get("notes"),
        )
    )
    return owner


def _ledger(session: Session, unit: Unit, bills: dict[str, Any], as_of: date) -> None:
    periods = month_periods(as_of)
    unpaid = int(bills.get("unpaid_months", 1))
    first_unpaid = len(periods) - unpaid
    for index, period in enumerate(periods):
        due = period_due(period)
        is_unpaid = index >= first_unpaid
        if is_unpaid and index == first_unpaid and bills.get("days_overdue"):
            due = as_of - timedelta(days=int(bills["days_overdue"]))
        session.add(
            Receivable(
                unit_id=unit.id,
                period=period,
                fee_type="物业费",
                amount_cents=unit.monthly_fee_cents,
                due_date=due,
                paid_cents=0 if is_unpaid else unit.monthly_fee_cents,
            )
        )
        if not is_unpaid:
            paid_at = datetime.combine(due, time(20)) + timedelta(days=int(bills.get("paid_late_days", -2)))
            session.add(
                Payment(
                    unit_id=unit.id,
                    period=period,
                    amount_cents=unit.monthly_fee_cents,
                    paid_at=paid_at,
                    settled_at=paid_at,
                    channel=bills.get("channel", "微信"),
                    source_ref=f"EVAL-{unit.id}-{period}",
                )
            )


def _evidence(session: Session, unit: Unit, bundle: dict[str, Any], as_of: date) -> None:
    for n, chat in enumerate(sorted(bundle.get("chats", []), key=lambda c: (c["day"], c.get("time", "10:00"))), 1):
        speaker = chat.get("speaker", "owner")
        session.add(
            ChatMessage(
                unit_id=unit.id,
                ext_id=f"m{n}",
                speaker_role=speaker,
                speaker_name=SPEAKER_NAMES.get(speaker, "其他"),
                sent_at=_at(as_of, chat["day"], chat.get("time", "10:00")),
                text=chat["text"],
            )
        )
    for n, t in enumerate(bundle.get("tickets", []), 1):
        created = _at(as_of, t["day"])
        session.add(
            Ticket(
                unit_id=unit.id,
                ext_id=t.get("id", f"WD-{created:%Y%m%d}-{n:03d}"),
                type=t["type"],
                description=t["description"],
                status=t.get("status", "处理中"),
                created_at=created,
                satisfaction=t.get("satisfaction"),
            )
        )
    for n, c in enumerate(bundle.get("claims", []), 1):
        claim = Claim(
            unit_id=unit.id,
            ext_id=c.get("id", f"C{n}"),
            type=c["type"],
            items=list(c["items"]),
            created_at=_at(as_of, c["day"]),
        )
        session.add(claim)
        session.flush()
        for r in c.get("records", []):
            session.add(ClaimRecord(claim_id=claim.id, at=_at(as_of, r["day"]), text=r["text"]))
    for d in bundle.get("disputes", []):
        session.add(
            Dispute(
                unit_id=unit.id,
                opened_at=_at(as_of, d.get("day", -10)),
                status=d.get("status", "open"),
                note=d.get("note", ""),
            )
        )


def _consent(session: Session, owner: Owner, unit: Unit, bundle: dict[str, Any], as_of: date) -> None:
    for o in bundle.get("opt_outs", []):
        session.add(
            OptOut(
                owner_id=owner.id,
                channel=o.get("channel"),
                at=_at(as_of, o.get("day", -5)),
                reason=o.get("reason", "业主要求不再联系"),
            )
        )
    if bundle.get("blacklisted"):
        session.add(BlacklistEntry(owner_id=owner.id, at=_at(as_of, -5), reason="业主投诉后要求不再联系"))
    for a in bundle.get("contact_attempts", []):
        session.add(
            ContactAttempt(
                owner_id=owner.id,
                unit_id=unit.id,
                channel=a["channel"],
                at=_at(as_of, a["day"], a.get("time", "10:30")),
                outcome=a.get("outcome", "delivered"),
                receipt={"source": "eval"},
            )
        )


def load_bundle(
    session: Session, bundle: dict[str, Any], *, case_id: str = "", owners: dict[str, Owner] | None = None
) -> Unit:
    """Write one household bundle; ``owners`` maps earlier case ids to owners (multi-unit owners)."""
    owners = owners if owners is not None else {}
    as_of = ensure_as_of(session)
    project = _project(session, bundle["project"])
    u = bundle["unit"]
    building = _building(session, project, u.get("building", u["label"].split("号楼")[0] + "号楼"))
    owner = _owner(session, bundle, owners)
    unit = Unit(
        project_id=project.id,
        building_id=building.id,
        owner_id=owner.id,
        code=u["code"],
        label=u["label"],
        area_m2=float(u.get("area_m2", 90)),
        monthly_fee_cents=int(round(float(u["monthly_fee"]) * 100)),
        case_state="未触达",
    )
    session.add(unit)
    session.flush()
    _ledger(session, unit, bundle.get("bills", {}), as_of)
    _evidence(session, unit, bundle, as_of)
    if bundle["owner"].get("shared_with") not in owners:
        _consent(session, owner, unit, bundle, as_of)
    owners[case_id] = owner
    return unit


def load_bundles(session: Session, cases: list[Any]) -> int:
    """Write the bundles of hand-written cases (skipping households already present); return how many."""
    owners: dict[str, Owner] = {}
    written = 0
    for case in cases:
        if not case.bundle:
            continue
        code, unit_code = case.household.split("/", 1)
        exists = session.execute(
            select(Unit.id).join(Project).where(Project.code == code, Unit.code == unit_code)
        ).first()
        if exists:
            continue
        load_bundle(session, case.bundle, case_id=case.id, owners=owners)
        written += 1
    session.flush()
    return written
