"""Push endpoints: bundles and per-kind records, idempotent, for managers and admins only."""

from __future__ import annotations

import json
from pathlib import Path

BUNDLE = json.loads(Path("data/samples/bundles/example.jsonl").read_text(encoding="utf-8").splitlines()[0])


def test_when_a_steward_pushes_then_403(api):
    assert api.post("/ingest/bundles", user="bj", json=[BUNDLE]).status_code == 403


def test_when_admin_pushes_a_bundle_twice_then_the_household_exists_once_and_nothing_changes(api):
    first = api.post("/ingest/bundles", user="admin", json=[BUNDLE])
    assert first.status_code == 200, first.text
    assert first.json()["households"] == 1 and first.json()["changed_households"] == 1
    key = f"{BUNDLE['project']}/{BUNDLE['unit']}"
    view = api.get(f"/households/{key}", user="admin")
    assert view.status_code == 200 and view.json()["evidence"]["chats"] == len(BUNDLE["chats"])
    again = api.post("/ingest/bundles", user="admin", json=[BUNDLE]).json()
    assert again["changed_households"] == 0


def test_when_chat_records_are_pushed_then_they_append_and_bad_rows_are_reported(api):
    api.post("/ingest/bundles", user="admin", json=[BUNDLE])
    rows = [
        {
            "项目编码": BUNDLE["project"],
            "房号": BUNDLE["unit"],
            "消息编号": "push-1",
            "时间": "2024-08-20 10:00",
            "发言人": "业主",
            "内容": "电梯又坏了，什么时候修？",
        },
        {
            "项目编码": BUNDLE["project"],
            "房号": BUNDLE["unit"],
            "消息编号": "push-2",
            "时间": "不是时间",
            "发言人": "业主",
            "内容": "x",
        },
    ]
    out = api.post("/ingest/chats", user="admin", json=rows).json()
    assert out["counts"].get("chats.inserted") == 1
    assert out["problems"] and out["problems"][0]["line"]


def test_when_kind_is_unknown_then_404_in_chinese(api):
    r = api.post("/ingest/payments-x", user="admin", json=[{"a": 1}])
    assert r.status_code == 404 and "未知的记录类型" in r.text


def _bj_manager(api_url: str) -> None:
    from app.services.users import create_user
    from data.db.session import make_engine, make_session_factory
    from tests.api.helpers import PASSWORD

    with make_session_factory(make_engine(api_url))() as s:
        create_user(s, username="bjm", password=PASSWORD, role="manager", projects=["BJ-PILOT"])
        s.commit()


def _sh_unit(api) -> str:
    rows = api.get("/households", user="admin", params={"project": "SH-PD", "limit": 1}).json()
    return (rows["items"] if isinstance(rows, dict) else rows)[0]["household"].split("/", 1)[1]


def test_finding1_the_reviewed_probe_is_refused_and_the_other_project_sees_nothing(api, api_url):
    _bj_manager(api_url)
    unit = _sh_unit(api)
    before = api.get(f"/households/SH-PD/{unit}", user="admin").json()["evidence"]["chats"]
    row = {"房号": unit, "消息编号": "inj", "时间": "2024-08-20 10:00", "发言人": "业主", "内容": "注入"}
    both = api.post("/ingest/chats", user="bjm", json=[{"小区编码": "SH-PD", "项目编码": "BJ-PILOT", **row}])
    assert both.status_code == 422 and "表头有歧义" in both.json()["detail"]
    alone = api.post("/ingest/chats", user="bjm", json=[{"小区编码": "SH-PD", **row}])
    assert alone.status_code == 403 and "SH-PD" in alone.json()["detail"]
    mixed = api.post(
        "/ingest/bundles",
        user="bjm",
        json=[BUNDLE | {"project": "BJ-PILOT", "unit": "9-999"}, BUNDLE | {"project": "SH-PD", "unit": unit}],
    )
    assert mixed.status_code == 403
    assert api.get(f"/households/SH-PD/{unit}", user="admin").json()["evidence"]["chats"] == before
    assert api.get("/households/BJ-PILOT/9-999", user="admin").status_code == 404
