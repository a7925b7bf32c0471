"""The PRD's pilot household, exactly: BJ-PILOT / 4-1203, 王女士, June–August 2024 unpaid at 560/month."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from data.generator.evidence import write_evidence
from data.generator.portfolio import Ids, Rows, period_due
from data.generator.scenarios import PILOT_SCENARIO

PILOT_OWNER = {
    "name": "王丽",
    "title": "王女士",
    "mobile": "13912345678",
    "id_number": "110105198503124523",
    "wechat": "wangli_1203",
}
PILOT_FEE_CENTS = 56_000
PILOT_DAY0 = date(2024, 6, 30)
PILOT_UNPAID = ("2024-06", "2024-07", "2024-08")
PILOT_LATE = {"2024-02": 3, "2024-04": 3}


def write_pilot(ids: Ids, rows: Rows, project_id: int, building_id: int, as_of: date, periods: tuple[str, ...]) -> int:
    """Add the pilot household's rows; return its unit id."""
    owner_id = ids.take("owners")
    rows.add(
        "owners",
        {
            "id": owner_id,
            "name": PILOT_OWNER["name"],
            "title": PILOT_OWNER["title"],
            "id_number": PILOT_OWNER["id_number"],
            "merge_key": f"{PILOT_OWNER['name']}|{PILOT_OWNER['mobile']}",
            "created_at": datetime(2019, 5, 1),
        },
    )
    for kind, value, preferred in (("mobile", PILOT_OWNER["mobile"], False), ("wechat", PILOT_OWNER["wechat"], True)):
        rows.add(
            "contacts",
            {
                "id": ids.take("contacts"),
                "owner_id": owner_id,
                "kind": kind,
                "value": value,
                "valid": True,
                "invalid_reason": None,
                "preferred": preferred,
                "window_start": None,
                "window_end": None,
                "is_emergency": False,
                "consent": False,
            },
        )
    rows.add(
        "owner_preferences",
        {
            "owner_id": owner_id,
            "preferred_channel": "visit",
            "window_start": "09:00",
            "window_end": "19:00",
            "notes": "历史缴费率85%，通常通过微信支付；对电话催费响应度低，偏好面对面沟通",
        },
    )
    unit_id = ids.take("units")
    rows.add(
        "units",
        {
            "id": unit_id,
            "project_id": project_id,
            "building_id": building_id,
            "owner_id": owner_id,
            "code": "4-1203",
            "label": "4号楼1203",
            "area_m2": 160.0,
            "monthly_fee_cents": PILOT_FEE_CENTS,
            "case_state": "已触达",
            "evidence_fingerprint": None,
            "closed_at": None,
        },
    )
    for period in periods:
        due = period_due(period)
        unpaid = period in PILOT_UNPAID
        rows.add(
            "receivables",
            {
                "id": ids.take("receivables"),
                "unit_id": unit_id,
                "period": period,
                "fee_type": "物业费",
                "amount_cents": PILOT_FEE_CENTS,
                "due_date": due,
                "paid_cents": 0 if unpaid else PILOT_FEE_CENTS,
                "written_off_cents": 0,
                "source_ref": f"BJ-PILOT-4-1203-{period}",
            },
        )
        if not unpaid:
            paid_at = datetime(due.year, due.month, due.day, 20, 15) + timedelta(days=PILOT_LATE.get(period, -1))
            rows.add(
                "payments",
                {
                    "id": ids.take("payments"),
                    "unit_id": unit_id,
                    "period": period,
                    "amount_cents": PILOT_FEE_CENTS,
                    "paid_at": paid_at,
                    "settled_at": paid_at,
                    "channel": "微信",
                    "source_ref": f"PAY-BJ-PILOT-4-1203-{period}",
                },
            )
    fp = write_evidence(ids, rows, unit_id, PILOT_SCENARIO, PILOT_DAY0, "王女士", "李管家")
    rows.tables["units"][-1]["evidence_fingerprint"] = fp
    for at, channel, outcome, template in (
        (datetime(2024, 7, 3, 10, 0), "sms", "delivered", "tpl.legacy.sms"),
        (datetime(2024, 7, 7, 15, 0), "phone", "no_answer", None),
        (datetime(2024, 7, 17, 11, 0), "phone", "no_answer", None),
    ):
        rows.add(
            "contact_attempts",
            {
                "id": ids.take("contact_attempts"),
                "owner_id": owner_id,
                "unit_id": unit_id,
                "channel": channel,
                "at": at,
                "template_id": template,
                "text": None,
                "outcome": outcome,
                "receipt": {"source": "billing-system"},
                "idempotency_key": f"legacy-pilot-{at:%Y%m%d%H}",
                "plan_step_id": None,
            },
        )
    rows.add(
        "eval_ground_truth",
        {
            "unit_id": unit_id,
            "primary_cause_id": PILOT_SCENARIO.cause_id,
            "secondary_cause_id": PILOT_SCENARIO.secondary_cause_id,
            "payment_pattern": PILOT_SCENARIO.payment_pattern,
        },
    )
    return unit_id
