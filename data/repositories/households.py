"""Read one household (unit) with its ledger, contacts and evidence counts — shared by CLI, API and tools."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.domain.ledger import BillLine, aging_bucket, summarize
from core.domain.money import to_yuan
from core.domain.stages import stage_for
from core.scope import CallerScope
from data.db.models import (
    ChatMessage,
    Claim,
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


class HouseholdNotFound(LookupError):
    """The household key does not name a known unit."""


class InvalidHouseholdKey(HouseholdNotFound, ValueError):
    """The household key is malformed (a ValueError for callers, and 'not found' for the API)."""


def parse_key(key: str) -> tuple[str, str]:
    """Split 'BJ-PILOT/4-1203' into (project code, unit code); InvalidHouseholdKey with a Chinese message."""
    project, sep, unit = key.strip().partition("/")
    if not sep or not project.strip() or not unit.strip():
        raise InvalidHouseholdKey(f"户号格式应为 项目编码/房号，例如 BJ-PILOT/4-1203：{key!r}")
    return project, unit


def business_date(session: Session, override: date | None = None) -> date:
    """The business date: explicit override, else the dataset's as-of date, else today."""
    if override:
        return override
    value = session.execute(select(Meta.value).where(Meta.key == "as_of")).scalar()
    return date.fromisoformat(value) if value else date.today()


def find_unit(session: Session, key: str) -> Unit:
    """Load the unit for a household key or raise HouseholdNotFound."""
    project_code, unit_code = parse_key(key)
    unit = session.execute(
        select(Unit).join(Project).where(Project.code == project_code, Unit.code == unit_code)
    ).scalar_one_or_none()
    if unit is None:
        raise HouseholdNotFound(f"未找到住户 {key}")
    return unit


def mask_value(kind: str, value: str) -> str:
    """Mask a contact value for display: 139****5678, w***3, a***@example.com."""
    if kind in ("mobile", "landline") and len(value) >= 7:
        return value[:3] + "****" + value[-4:]
    if kind == "email" and "@" in value:
        name, _, domain = value.partition("@")
        return name[:1] + "***@" + domain
    return value[:1] + "***" + value[-1:] if len(value) > 2 else "***"


def bill_lines(session: Session, unit_id: int) -> list[BillLine]:
    """All receivables of a unit as ledger lines."""
    rows = session.execute(select(Receivable).where(Receivable.unit_id == unit_id)).scalars()
    return [BillLine(r.period, r.fee_type, r.amount_cents, r.paid_cents, r.written_off_cents, r.due_date) for r in rows]


@dataclass
class HouseholdView:
    """Everything the first screen needs about one household."""

    household: str
    as_of: str
    project: dict
    unit: dict
    owner: dict
    units: list[dict]
    arrears: str
    arrears_cents: int
    days_overdue: int
    stage: str | None
    aging_bucket: str | None
    unpaid_periods: list[str]
    bills: list[dict]
    contacts: list[dict]
    consent: dict
    evidence: dict
    case_state: str
    extras: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """Plain JSON-ready dict."""
        return asdict(self)


def _count(session: Session, model, unit_id: int) -> int:  # noqa: ANN001
    return session.execute(select(func.count()).select_from(model).where(model.unit_id == unit_id)).scalar_one()


def owner_units(session: Session, owner_id: int, scope: CallerScope) -> list[Unit]:
    """The owner's units that ``scope`` may see (owners are one person across projects; their units are not)."""
    stmt = select(Unit).join(Project, Project.id == Unit.project_id).where(Unit.owner_id == owner_id)
    if scope.projects is not None:
        stmt = stmt.where(Project.code.in_(sorted(scope.projects)))
    return list(session.execute(stmt.order_by(Unit.id)).scalars())


def household_view(
    session: Session, key: str, *, scope: CallerScope | None = None, as_of: date | None = None
) -> HouseholdView:
    """Build the household view (contacts masked) for ``key`` as of the business date.

    The owner's other units are listed only inside ``scope`` (None: the household's own project only): a steward
    of one project never learns of the same owner's units, or their arrears, in another. Checking that ``key``
    itself is in scope is the caller's job.
    """
    unit = find_unit(session, key)
    if scope is None:
        scope = CallerScope("household", frozenset({unit.project.code}), can_write=False)
    today = business_date(session, as_of)
    lines = bill_lines(session, unit.id)
    summary = summarize(lines, today)
    stage = stage_for(summary.days_overdue)
    owner = session.get(Owner, unit.owner_id) if unit.owner_id else None
    units_seen = []
    tags: list[str] = []
    contacts: list[dict] = []
    pref = None
    consent = {"opted_out_channels": [], "opted_out_all": False, "blacklisted": False}
    if owner:
        for other in owner_units(session, owner.id, scope):
            other_sum = summarize(bill_lines(session, other.id), today)
            units_seen.append(
                {
                    "household": f"{other.project.code}/{other.code}",
                    "label": other.label,
                    "arrears": str(to_yuan(other_sum.arrears_cents)),
                }
            )
        tags = [t.tag for t in session.execute(select(OwnerTag).where(OwnerTag.owner_id == owner.id)).scalars()]
        contacts = [
            {
                "kind": c.kind,
                "value": mask_value(c.kind, c.value),
                "valid": c.valid,
                "invalid_reason": c.invalid_reason,
                "preferred": c.preferred,
            }
            for c in session.execute(select(Contact).where(Contact.owner_id == owner.id)).scalars()
        ]
        pref = session.get(OwnerPreference, owner.id)
        outs = session.execute(select(OptOut.channel).where(OptOut.owner_id == owner.id)).scalars().all()
        consent = {
            "opted_out_channels": sorted(c for c in outs if c),
            "opted_out_all": any(c is None for c in outs),
            "blacklisted": session.execute(select(BlacklistEntry.id).where(BlacklistEntry.owner_id == owner.id)).first()
            is not None,
        }
    bills = [
        {
            "period": ln.period,
            "fee_type": ln.fee_type,
            "amount": str(to_yuan(ln.amount_cents)),
            "paid": str(to_yuan(ln.paid_cents)),
            "written_off": str(to_yuan(ln.written_off_cents)),
            "outstanding": str(to_yuan(ln.outstanding_cents)),
            "due_date": ln.due_date.isoformat(),
        }
        for ln in sorted(lines, key=lambda x: (x.period, x.fee_type))
    ]
    return HouseholdView(
        household=key,
        as_of=today.isoformat(),
        project={
            "code": unit.project.code,
            "name": unit.project.name,
            "city": unit.project.city,
            "region": unit.project.region,
        },
        unit={
            "code": unit.code,
            "label": unit.label,
            "area_m2": unit.area_m2,
            "monthly_fee": str(to_yuan(unit.monthly_fee_cents)),
        },
        owner={
            "title": owner.title if owner else "",
            "tags": tags,
            "preferred_channel": pref.preferred_channel if pref else None,
            "window": [pref.window_start, pref.window_end] if pref and pref.window_start else None,
        },
        units=units_seen,
        arrears=str(to_yuan(summary.arrears_cents)),
        arrears_cents=summary.arrears_cents,
        days_overdue=summary.days_overdue,
        stage=stage.name if stage else None,
        aging_bucket=aging_bucket(summary.days_overdue),
        unpaid_periods=summary.periods,
        bills=bills,
        contacts=contacts,
        consent=consent,
        evidence={
            "chats": _count(session, ChatMessage, unit.id),
            "tickets": _count(session, Ticket, unit.id),
            "claims": _count(session, Claim, unit.id),
            "payments": _count(session, Payment, unit.id),
            "contact_attempts": _count(session, ContactAttempt, unit.id),
            "disputes": _count(session, Dispute, unit.id),
        },
        case_state=unit.case_state,
    )
