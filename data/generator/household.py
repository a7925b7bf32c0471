"""Generate one household's rows (owner, unit, ledger, payments, evidence, workflow history)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from data.generator import people
from data.generator.portfolio import (
    PAY_CHANNELS,
    PAY_WEIGHTS,
    PREF_CHANNELS,
    Ids,
    Rows,
    period_due,
)
from data.generator.scenarios import (
    Scenario,
    build_scenario,
    pick_cause,
    pick_secondary,
)

ARREARS_SHARE = 0.6
SERVICE_TICKETS = {"保洁清洁", "电梯故障", "水电维修", "门禁安防", "绿化养护", "公共设施"}


@dataclass(frozen=True)
class HouseholdSpec:
    """Where the household sits and the dataset's clock."""

    project_id: int
    building_id: int
    code: str
    label: str
    building: str
    steward_title: str
    as_of: date
    periods: tuple[str, ...]


def overdue_days_for(rng: random.Random, cause: str, pattern: str) -> int:
    """Target days overdue by cause and payment pattern."""
    if pattern == "never_paid":
        return 400
    if cause == "beh.forgetful":
        return rng.randint(3, 40)
    if cause == "beh.malicious":
        return rng.randint(60, 230)
    if cause == "ext.hardship":
        return rng.randint(20, 160)
    return rng.randint(8, 190)


def make_owner(rng: random.Random, ids: Ids, rows: Rows, as_of: date) -> dict:
    """Create an owner with contacts, preference and demographic tags; return the owner row."""
    name, surname, gender = people.person_name(rng)
    born = date(rng.randint(1940, 1998), rng.randint(1, 12), rng.randint(1, 28))
    owner = {
        "id": ids.take("owners"),
        "name": name,
        "title": people.title_for(surname, gender),
        "id_number": people.id_number(rng, born),
        "merge_key": None,
        "created_at": datetime(2020, 1, 1),
    }
    rows.add("owners", owner)
    phone = people.mobile(rng)
    valid = rng.random() > 0.05
    rows.add(
        "contacts",
        {
            "id": ids.take("contacts"),
            "owner_id": owner["id"],
            "kind": "mobile",
            "value": phone,
            "valid": valid,
            "invalid_reason": None if valid else "空号",
            "preferred": True,
            "window_start": None,
            "window_end": None,
            "is_emergency": False,
            "consent": False,
        },
    )
    if rng.random() < 0.7:
        rows.add(
            "contacts",
            {
                "id": ids.take("contacts"),
                "owner_id": owner["id"],
                "kind": "wechat",
                "value": f"wx_{owner['id']:07d}",
                "valid": True,
                "invalid_reason": None,
                "preferred": False,
                "window_start": None,
                "window_end": None,
                "is_emergency": False,
                "consent": False,
            },
        )
    owner["merge_key"] = f"{name}|{phone}"
    pref = rng.choice(PREF_CHANNELS)
    window = ("09:00", "18:00") if rng.random() < 0.2 else (None, None)
    rows.add(
        "owner_preferences",
        {
            "owner_id": owner["id"],
            "preferred_channel": pref,
            "window_start": window[0],
            "window_end": window[1],
            "notes": None,
        },
    )
    age = as_of.year - born.year
    tags = []
    if age >= 65:
        tags.append("老年")
    if rng.random() < 0.01:
        tags.append("残障")
    if rng.random() < 0.03:
        tags.append("敏感")
    owner["_tags"] = tags
    return owner


def add_tags(ids: Ids, rows: Rows, owner: dict, extra: tuple[str, ...]) -> None:
    """Write the owner's tags once (demographic plus scenario tags)."""
    for tag in dict.fromkeys([*owner["_tags"], *extra]):
        rows.add("owner_tags", {"id": ids.take("owner_tags"), "owner_id": owner["id"], "tag": tag})


def ledger(
    rng: random.Random,
    ids: Ids,
    rows: Rows,
    spec: HouseholdSpec,
    unit_id: int,
    fee_cents: int,
    arrears_days: int | None,
    pattern: str,
) -> date | None:
    """Write receivables and payments; return the first unpaid due date (None when paid up)."""
    first_unpaid = None
    channel = rng.choices(PAY_CHANNELS, weights=PAY_WEIGHTS)[0]
    late_bias = rng.randint(5, 35) if pattern == "habitual_late" else 0
    for period in spec.periods:
        due = period_due(period)
        unpaid = arrears_days is not None and (spec.as_of - due).days <= arrears_days
        rec_id = ids.take("receivables")
        paid = 0 if unpaid else fee_cents
        if unpaid and first_unpaid is None:
            first_unpaid = due
            if pattern == "partial":
                paid = fee_cents // 2
        rows.add(
            "receivables",
            {
                "id": rec_id,
                "unit_id": unit_id,
                "period": period,
                "fee_type": "物业费",
                "amount_cents": fee_cents,
                "due_date": due,
                "paid_cents": paid,
                "written_off_cents": 0,
                "source_ref": None,
            },
        )
        if paid:
            delay = late_bias + rng.randint(-10, 3 if rng.random() < 0.85 else 12)
            paid_at = datetime(due.year, due.month, due.day, 10) + timedelta(days=delay, minutes=rng.randint(0, 600))
            if paid_at.date() >= spec.as_of:
                paid_at = datetime(spec.as_of.year, spec.as_of.month, spec.as_of.day) - timedelta(days=1)
            rows.add(
                "payments",
                {
                    "id": ids.take("payments"),
                    "unit_id": unit_id,
                    "period": period,
                    "amount_cents": paid,
                    "paid_at": paid_at,
                    "settled_at": paid_at,
                    "channel": channel if rng.random() < 0.9 else rng.choice(PAY_CHANNELS),
                    "source_ref": f"GEN-{unit_id}-{period}",
                },
            )
    if arrears_days is not None and first_unpaid is None:
        # Always leave at least the latest period unpaid for a household in arrears.
        last = rows.tables["receivables"][-1]
        last["paid_cents"] = 0
        rows.tables["payments"].pop()
        first_unpaid = last["due_date"]
    return first_unpaid


def shift_for(scenario: Scenario, first_unpaid: date, as_of: date) -> int:
    """Days to move the evidence back so that nothing happens on or after ``as_of``."""
    days = [c.day for c in scenario.chats] + [t.day for t in scenario.tickets]
    days += [r.day for c in scenario.claims for r in c.records] + [c.day for c in scenario.claims]
    if not days:
        return 0
    latest = first_unpaid + timedelta(days=max(days))
    return max(0, (latest - as_of).days + 1)


def generate_household(
    rng: random.Random, ids: Ids, rows: Rows, spec: HouseholdSpec, owner: dict | None = None
) -> dict:
    """Generate one household; pass ``owner`` to give an existing owner another unit."""
    new_owner = owner is None
    if owner is None:
        owner = make_owner(rng, ids, rows, spec.as_of)
    area = round(rng.uniform(55, 220), 1)
    rate = rng.choice((2.5, 2.8, 3.2, 3.5, 4.2, 5.0))
    fee_cents = int(round(area * rate, 0)) * 100
    unit_id = ids.take("units")
    in_arrears = rng.random() < ARREARS_SHARE
    cause = pick_cause(rng) if in_arrears else None
    scenario = None
    pattern = "on_time" if rng.random() < 0.8 else "habitual_late"
    if cause:
        secondary = pick_secondary(rng, cause)
        scenario = build_scenario(
            cause,
            rng,
            owner_title=owner["title"],
            steward_title=spec.steward_title,
            unit_label=spec.label,
            building=spec.building,
            secondary_cause_id=secondary,
        )
        pattern = scenario.payment_pattern
    arrears_days = overdue_days_for(rng, cause, pattern) if cause else None
    day0 = ledger(rng, ids, rows, spec, unit_id, fee_cents, arrears_days, pattern)
    fp = None
    if scenario is not None and day0 is not None:
        shift = shift_for(scenario, day0, spec.as_of)
        anchor = day0 - timedelta(days=shift)
        from data.generator.evidence import past_attempts, write_evidence

        fp = write_evidence(ids, rows, unit_id, scenario, anchor, owner["title"], spec.steward_title)
        past_attempts(ids, rows, owner["id"], unit_id, day0, spec.as_of, rng.random())
        rows.add(
            "eval_ground_truth",
            {
                "unit_id": unit_id,
                "primary_cause_id": scenario.cause_id,
                "secondary_cause_id": scenario.secondary_cause_id,
                "payment_pattern": scenario.payment_pattern,
            },
        )
        workflow_extras(rng, ids, rows, owner["id"], unit_id, scenario, spec.as_of, fee_cents)
    extra_tags = list(scenario.tags) if scenario else []
    if area >= 180:
        extra_tags.append("高价值")
    if new_owner:
        add_tags(ids, rows, owner, tuple(extra_tags))
    rows.add(
        "units",
        {
            "id": unit_id,
            "project_id": spec.project_id,
            "building_id": spec.building_id,
            "owner_id": owner["id"],
            "code": spec.code,
            "label": spec.label,
            "area_m2": area,
            "monthly_fee_cents": fee_cents,
            "case_state": "未触达" if cause else "支付",
            "evidence_fingerprint": fp,
            "closed_at": None,
        },
    )
    return owner


def workflow_extras(
    rng: random.Random,
    ids: Ids,
    rows: Rows,
    owner_id: int,
    unit_id: int,
    scenario: Scenario,
    as_of: date,
    fee_cents: int,
) -> None:
    """Opt-outs, blacklist, disputes, promises and instalments that real portfolios carry."""
    at = datetime(as_of.year, as_of.month, as_of.day) - timedelta(days=rng.randint(2, 40))
    roll = rng.random()
    if roll < 0.02:
        rows.add(
            "opt_outs",
            {"id": ids.take("opt_outs"), "owner_id": owner_id, "channel": "sms", "at": at, "reason": "业主回复T退订"},
        )
    elif roll < 0.025:
        rows.add(
            "blacklist",
            {"id": ids.take("blacklist"), "owner_id": owner_id, "at": at, "reason": "业主投诉骚扰后要求不再联系"},
        )
    dimension = scenario.cause_id.split(".")[0]
    if dimension in ("mgmt", "spec") and rng.random() < 0.3:
        rows.add(
            "disputes",
            {
                "id": ids.take("disputes"),
                "unit_id": unit_id,
                "opened_at": at,
                "status": "open",
                "note": "业主对账单提出异议，待核实",
            },
        )
    if scenario.cause_id == "ext.hardship" and rng.random() < 0.2:
        rows.add(
            "instalment_plans",
            {
                "id": ids.take("instalment_plans"),
                "unit_id": unit_id,
                "months": 6,
                "amount_per_month_cents": fee_cents,
                "start_date": as_of,
                "status": "requested",
                "created_at": at,
            },
        )
    if scenario.cause_id == "beh.forgetful" and rng.random() < 0.15:
        rows.add(
            "promises",
            {
                "id": ids.take("promises"),
                "unit_id": unit_id,
                "promised_date": as_of + timedelta(days=rng.randint(1, 10)),
                "amount_cents": fee_cents,
                "status": "open",
                "created_at": at,
            },
        )
