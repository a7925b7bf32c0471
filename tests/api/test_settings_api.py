"""Settings API: managers change their projects' contact policy, administrators the group; versions, errors, scope."""

from __future__ import annotations


def test_when_a_manager_puts_a_project_quiet_end_then_get_shows_it_in_force_from_the_project(api):
    r = api.put("/settings/quiet_end", json={"value": "19:30", "project": "BJ-PILOT", "reason": "冬季"}, user="manager")
    assert r.status_code == 200, r.text
    assert r.json() == {"scope": "BJ-PILOT", "key": "quiet_end", "version": 1, "value": "19:30"}
    got = api.get("/settings", params={"project": "BJ-PILOT"}, user="manager").json()["settings"]["quiet_end"]
    assert (got["value"], got["source"], got["version"]) == ("19:30", "project", 1)
    other = api.get("/settings", params={"project": "SH-PD"}, user="manager").json()["settings"]["quiet_end"]
    assert other["source"] == "default"
    rows = api.get("/settings/history", params={"project": "BJ-PILOT"}, user="manager").json()
    assert [(x["key"], x["changed_by"], x["reason"]) for x in rows] == [("quiet_end", "manager", "冬季")]


def test_when_group_defaults_are_changed_then_only_an_administrator_may(api):
    r = api.put("/settings/weekly_cap", json={"value": 2}, user="manager")
    assert r.status_code == 403 and "管理员" in r.json()["detail"]
    assert api.put("/settings/weekly_cap", json={"value": 2}, user="admin").status_code == 200
    got = api.get("/settings", params={"project": "BJ-PILOT"}, user="manager").json()["settings"]["weekly_cap"]
    assert (got["value"], got["source"]) == (2, "group")


def test_when_a_steward_puts_a_setting_then_it_is_refused(api):
    r = api.put("/settings/quiet_end", json={"value": "19:00", "project": "BJ-PILOT"}, user="demo")
    assert r.status_code == 403


def test_when_the_value_is_bad_then_422_says_why_in_chinese(api):
    r = api.put("/settings/quiet_start", json={"value": "八点", "project": "BJ-PILOT"}, user="manager")
    assert r.status_code == 422 and "HH:MM" in r.json()["detail"]
    r = api.put("/settings/no_such_key", json={"value": 1, "project": "BJ-PILOT"}, user="manager")
    assert r.status_code == 422 and "未知设置项" in r.json()["detail"]


def test_when_a_steward_asks_for_a_project_outside_its_scope_then_it_answers_404(api):
    me = api.get("/auth/me", user="demo").json()["projects"]
    outside = next(p for p in api.get("/auth/me", user="manager").json()["projects"] if p not in me)
    assert api.get("/settings", params={"project": outside}, user="demo").status_code == 404
    assert api.get("/settings", params={"project": me[0]}, user="demo").status_code == 200
