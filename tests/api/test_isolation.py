"""Project isolation on every route: a steward of SH-PD never sees BJ-PILOT (404, as if it did not exist)."""

from __future__ import annotations

import pytest

H = "/households/BJ-PILOT/4-1203"
PUBLIC = {
    ("POST", "/auth/login"),
    ("GET", "/auth/me"),
    ("GET", "/health"),
    ("GET", "/bill/{token}"),
    ("POST", "/bill/{token}"),
    ("POST", "/bill/{token}/pay"),
    ("GET", "/bill/{token}/paid"),
    ("GET", "/sandbox/pay/{order_no}"),
    ("POST", "/sandbox/pay/{order_no}"),
    ("POST", "/payments/notify/{provider}"),
}
ROLE_ONLY = {
    ("GET", "/audit"),
    ("GET", "/audit/export.csv"),
    ("POST", "/ingest/bundles"),
    ("POST", "/ingest/{kind}"),
    ("GET", "/reports/reconciliation"),
    ("POST", "/payments/orders/{order_no}/refund"),  # managers only; another project's order: see test_payments
    ("PUT", "/settings/{key}"),  # managers of the project and administrators: see test_settings_api
}
FOREIGN_404 = [
    ("GET", "/households/{project}/{unit}", H, None),
    ("GET", "/households/{project}/{unit}/evidence", f"{H}/evidence", None),
    ("GET", "/households/{project}/{unit}/diagnoses", f"{H}/diagnoses", None),
    ("POST", "/households/{project}/{unit}/reveal", f"{H}/reveal", {"reason": "核对电话"}),
    ("POST", "/households/{project}/{unit}/bill-link", f"{H}/bill-link", None),
    ("DELETE", "/households/{project}/{unit}/bill-link", f"{H}/bill-link", None),
    ("GET", "/households/{project}/{unit}/plans", f"{H}/plans", None),
    ("POST", "/households/{project}/{unit}/plans", f"{H}/plans", None),
    ("POST", "/households/{project}/{unit}/plans/stream", f"{H}/plans/stream", None),
    ("GET", "/households/{project}/{unit}/contact-attempts", f"{H}/contact-attempts", None),
    ("POST", "/households/{project}/{unit}/contact-attempts", f"{H}/contact-attempts", {"channel": "visit"}),
    ("GET", "/households/{project}/{unit}/promises", f"{H}/promises", None),
    (
        "POST",
        "/households/{project}/{unit}/promises",
        f"{H}/promises",
        {"promised_date": "2024-09-15", "amount": "1.00"},
    ),
    ("GET", "/households/{project}/{unit}/instalments", f"{H}/instalments", None),
    ("POST", "/households/{project}/{unit}/instalments", f"{H}/instalments", {"months": 3, "start_date": "2024-09-10"}),
    ("GET", "/households/{project}/{unit}/disputes", f"{H}/disputes", None),
    ("POST", "/households/{project}/{unit}/disputes", f"{H}/disputes", {"note": "x"}),
    ("GET", "/households/{project}/{unit}/opt-outs", f"{H}/opt-outs", None),
    ("POST", "/households/{project}/{unit}/opt-outs", f"{H}/opt-outs", {"channel": "sms"}),
    ("GET", "/households/{project}/{unit}/case", f"{H}/case", None),
    (
        "POST",
        "/households/{project}/{unit}/events",
        f"{H}/events",
        {"kind": "contact", "channel": "phone", "outcome": "answered"},
    ),
    ("POST", "/households/{project}/{unit}/payments", f"{H}/payments", {"amount": "1.00"}),
    ("GET", "/payments/orders/{order_no}", "/payments/orders/{order}", None),
    ("GET", "/households", "/households?project=BJ-PILOT", None),
    ("GET", "/queue", "/queue?project=BJ-PILOT", None),
    ("GET", "/reports/aging", "/reports/aging?project=BJ-PILOT", None),
    ("GET", "/reports/recovery", "/reports/recovery?project=BJ-PILOT", None),
    ("GET", "/reports/complaints", "/reports/complaints?project=BJ-PILOT", None),
    ("GET", "/tasks", "/tasks?household=BJ-PILOT/4-1203", None),
    ("GET", "/settings", "/settings?project=BJ-PILOT", None),
    ("GET", "/settings/history", "/settings/history?project=BJ-PILOT", None),
    ("GET", "/plans/{plan_id}", "/plans/{plan}", None),
    ("POST", "/plans/{plan_id}/approve", "/plans/{plan}/approve", {}),
    ("POST", "/plans/{plan_id}/reject", "/plans/{plan}/reject", {}),
    ("PATCH", "/plans/{plan_id}", "/plans/{plan}", {"edits": {"1": "您好"}}),
    ("POST", "/plans/{plan_id}/revise", "/plans/{plan}/revise", {"instruction": "温和一点"}),
    ("POST", "/tasks/{task_id}/done", "/tasks/{task}/done", None),
]
UNFILTERED = [
    "/households",
    "/queue?limit=500",
    "/reports/aging",
    "/reports/recovery",
    "/reports/complaints",
    "/reports/comparison",
    "/tasks",
]


@pytest.fixture(scope="module")
def shared(api_template, tmp_path_factory, api_kb):
    """One API for the module (the foreign caller changes nothing, which the tests check)."""
    from tests.api.conftest import make_api
    from tests.api.helpers import copy_template

    tmp = tmp_path_factory.mktemp("isolation")
    yield from make_api(copy_template(api_template, tmp / "api.db"), tmp, api_kb)


@pytest.fixture(scope="module")
def foreign_ids(shared) -> dict[str, int]:
    """A BJ-PILOT plan and task, created by the BJ steward."""
    api = shared
    plan = api.post(f"{H}/plans", user="bj").json()["plan_id"]
    url = api.post(f"{H}/bill-link", user="bj").json()["url"]
    api.client.post(url, data={"kind": "invoice", "note": "x"})
    task = api.get("/tasks", user="bj").json()[0]["id"]
    pay = api.client.post(f"{url}/pay", data={"part": "all"}, follow_redirects=False)
    order = pay.headers["location"].rsplit("/", 1)[-1]
    return {"plan": plan, "task": task, "order": order}


def test_when_a_route_is_added_then_it_is_covered_by_an_isolation_case(api):
    spec = api.client.get("/openapi.json").json()
    routes = {(m.upper(), p) for p, ops in spec["paths"].items() for m in ops}
    covered = {(m, p) for m, p, _, _ in FOREIGN_404} | PUBLIC | ROLE_ONLY | {("GET", "/reports/comparison")}
    assert routes == covered


@pytest.mark.parametrize(
    ("method", "route", "path", "body"), FOREIGN_404, ids=[f"{m} {p}" for m, p, _, _ in FOREIGN_404]
)
def test_when_steward_of_another_project_calls_then_404_and_nothing_changes(
    shared, foreign_ids, method, route, path, body
):
    api = shared
    url = path.format(**foreign_ids)
    r = api.client.request(method, url, headers=api.headers("sh"), json=body)
    assert r.status_code == 404, (url, r.status_code, r.text)
    assert "BJ-PILOT/4-1203" not in r.text or "未找到" in r.text
    assert api.get(url.split("?")[0] if method == "GET" else H, user="bj").status_code == 200
    plan = api.get(f"/plans/{foreign_ids['plan']}", user="bj").json()
    assert plan["status"] == "awaiting_approval" and plan["version"] == 1


@pytest.mark.parametrize("path", UNFILTERED)
def test_when_lists_are_unfiltered_then_no_foreign_project_appears(shared, foreign_ids, path):
    r = shared.get(path, user="sh")
    assert r.status_code == 200 and "BJ-PILOT" not in r.text


def test_when_steward_reads_audit_then_403_while_compliance_reads_it(api):
    for path in ("/audit", "/audit/export.csv"):
        assert api.get(path, user="sh").status_code == 403
        assert api.get(path, user="compliance").status_code == 200
