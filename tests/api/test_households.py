"""Household view, evidence (redacted), search and the interim queue, on SQLite and PostgreSQL."""

from __future__ import annotations

import re

from data.generator.pilot import PILOT_OWNER

H = "/households/BJ-PILOT/4-1203"


def test_when_pilot_is_viewed_then_amount_aging_and_reachability_are_shown(any_db_api):
    body = any_db_api.get(H).json()
    assert body["arrears"] == "1680.00" and body["days_overdue"] == 64 and body["aging_bucket"] == "61-90天"
    assert body["unpaid_periods"] == ["2024-06", "2024-07", "2024-08"]
    lights = {x["channel"]: x for x in body["reachability"]}
    assert lights["wechat"]["color"] == "green" and lights["email"]["color"] == "red"
    assert lights["email"]["reasons"] == ["无邮箱"]
    assert PILOT_OWNER["mobile"] not in str(body)


def test_when_evidence_is_read_then_every_text_is_redacted_and_citable(any_db_api):
    body = any_db_api.get(f"{H}/evidence").json()
    text = str(body)
    for raw in (PILOT_OWNER["mobile"], PILOT_OWNER["name"], PILOT_OWNER["id_number"]):
        assert raw not in text
    assert not re.search(r"1[3-9]\d{9}", text)
    assert body["chats"]["messages"][0]["id"].startswith("msg:")
    assert body["profile"]["arrears"] == "1680.00"


def test_when_queue_is_listed_then_it_is_ordered_by_arrears_and_filterable(any_db_api):
    body = any_db_api.get("/queue", params={"limit": 200}).json()
    amounts = [i["arrears_cents"] for i in body["items"]]
    assert body["interim"] and amounts == sorted(amounts, reverse=True) and all(a > 0 for a in amounts)
    assert {i["project"] for i in body["items"]} <= {"BJ-PILOT", "SH-PD"}
    red = any_db_api.get("/queue", params={"warning": "red", "project": "BJ-PILOT"}).json()
    assert red["items"] and all(i["warning"] == "red" and i["project"] == "BJ-PILOT" for i in red["items"])
    stage = any_db_api.get("/queue", params={"stage": "高级"}).json()
    assert all(i["days_overdue"] > 60 for i in stage["items"])


def test_when_households_are_searched_then_unit_text_matches_within_project(api):
    rows = api.get("/households", params={"project": "BJ-PILOT", "q": "1203"}).json()
    assert "BJ-PILOT/4-1203" in [r["household"] for r in rows]
    assert all(r["project"] == "BJ-PILOT" for r in rows)


def test_when_unknown_household_then_404_in_chinese(api):
    r = api.get("/households/BJ-PILOT/99-9999")
    assert r.status_code == 404 and "未找到" in r.json()["detail"]
