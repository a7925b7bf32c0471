"""Generate realistic household bundles (JSON-ready dicts) from the sample scenarios, for benchmarks and demos."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta

from data.generator import people
from data.generator.household import shift_for
from data.generator.portfolio import month_periods, period_due, unit_code
from data.generator.scenarios import (
    Scenario,
    build_scenario,
    pick_cause,
    pick_secondary,
    to_datetime,
)

AS_OF = date(2024, 9, 2)
PROJECTS = 8


def _evidence(scenario: Scenario, anchor: date, names: dict[str, str]) -> dict:
    chats = sorted(scenario.chats, key=lambda c: (c.day, c.minute_of_day))
    tickets, claims = [], []
    for n, t in enumerate(scenario.tickets, 1):
        created = to_datetime(anchor, t.day, t.minute_of_day)
        events = [
            {"time": (created + timedelta(minutes=e.minute_offset)).isoformat(), "status": e.status, "text": e.note}
            for e in t.events
        ]
        tickets.append(
            {
                "id": t.ref if t.ref.startswith("WD-") else f"WD-{created:%Y%m%d}-{n:03d}",
                "type": t.type,
                "description": t.description,
                "status": t.events[-1].status if t.events else "已受理",
                "created_at": created.isoformat(),
                "satisfaction": t.satisfaction,
                "events": events,
            }
        )
    for n, c in enumerate(scenario.claims, 1):
        claims.append(
            {
                "id": c.ref if c.ref.startswith("C") else f"C{n}",
                "type": c.type,
                "items": list(c.items),
                "records": [
                    {"time": to_datetime(anchor, r.day, 600).date().isoformat(), "text": r.text} for r in c.records
                ],
            }
        )
    return {
        "chats": [
            {
                "id": f"m{n}",
                "time": to_datetime(anchor, c.day, c.minute_of_day).isoformat(),
                "speaker": names[c.speaker],
                "text": c.text,
            }
            for n, c in enumerate(chats, 1)
        ],
        "tickets": tickets,
        "claims": claims,
    }


def bundle(rng: random.Random, index: int, as_of: date = AS_OF) -> dict:
    """One household in arrears with a drawn cause, 12 months of bills, payments and scenario evidence."""
    project = f"SYN-{index % PROJECTS:02d}"
    code, label, building = unit_code(index // PROJECTS)
    name, surname, gender = people.person_name(rng)
    title = people.title_for(surname, gender)
    cause = pick_cause(rng)
    scenario = build_scenario(
        cause,
        rng,
        owner_title=title,
        steward_title="李管家",
        unit_label=label,
        building=building,
        secondary_cause_id=pick_secondary(rng, cause),
    )
    periods = month_periods(as_of)
    unpaid = rng.randint(1, 6)
    fee = rng.choice((320.0, 450.0, 560.0, 780.0))
    first_unpaid = period_due(periods[-unpaid])
    anchor = first_unpaid - timedelta(days=shift_for(scenario, first_unpaid, as_of))
    bills = [
        {
            "period": p,
            "fee_type": "物业费",
            "amount": fee,
            "due_date": period_due(p).isoformat(),
            "paid": 0.0 if n >= len(periods) - unpaid else fee,
        }
        for n, p in enumerate(periods)
    ]
    payments = [
        {"period": b["period"], "amount": fee, "paid_at": b["due_date"], "channel": "微信"} for b in bills if b["paid"]
    ]
    names = {"owner": title if rng.random() < 0.8 else "业主", "steward": "李管家", "service": "客服"}
    return {
        "project": project,
        "project_name": f"合成社区{project[-2:]}",
        "city": "北京",
        "unit": code,
        "owner": {"name": name, "mobile": people.mobile(rng), "tags": list(scenario.tags)},
        "bills": bills,
        "payments": payments,
        **_evidence(scenario, anchor, names),
    }


def bundles(count: int, seed: int = 7) -> Iterator[dict]:
    """``count`` bundles, deterministic for a seed."""
    rng = random.Random(seed)
    for index in range(count):
        yield bundle(rng, index)
