"""Reports, audit search and export, and the audited reveal of personal data."""

from __future__ import annotations

import csv
import io

H = "/households/BJ-PILOT/4-1203"


def test_when_aging_is_reported_then_pilot_counts_in_61_90(api):
    rows = api.get("/reports/aging", params={"project": "BJ-PILOT"}).json()
    cell = next(r for r in rows if r["bucket"] == "61-90天")
    assert cell["households"] >= 1 and {r["project"] for r in rows} == {"BJ-PILOT"}


def test_when_recovery_and_comparison_are_reported_then_rates_are_fractions(api):
    rows = api.get("/reports/recovery", user="manager").json()
    assert len(rows) == 8
    for r in rows:
        assert r["rate_30"] is None or 0 <= r["rate_30"] <= r["rate_90"] <= 1
    comp = api.get("/reports/comparison", user="manager").json()
    assert {"households_in_arrears", "opt_outs", "complaints"} <= set(comp[0])
    assert len(api.get("/reports/complaints", user="demo").json()) == 2


def test_when_steward_reveals_contacts_then_pii_reveal_is_audited_for_compliance(api):
    r = api.post(f"{H}/reveal", json={"reason": "上门前核对电话"})
    assert r.status_code == 200 and {"kind": "mobile", "value": "13912345678"} in r.json()["contacts"]
    assert api.get("/audit", user="demo").status_code == 403
    events = api.get("/audit", user="compliance", params={"action": "pii.reveal"}).json()
    assert events[0]["actor"] == "demo" and events[0]["detail"]["reason"] == "上门前核对电话"


def test_when_audit_is_exported_then_csv_has_the_events(api):
    api.post(f"{H}/reveal", json={"reason": "核对"})
    r = api.get("/audit/export.csv", user="compliance")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text.lstrip("\ufeff"))))
    assert rows[0][:4] == ["id", "at", "actor", "action"] and any(row[3] == "pii.reveal" for row in rows[1:])
    assert api.get("/audit/export.csv", user="manager").status_code == 403


def test_when_openapi_is_read_then_every_operation_has_a_tag_and_summary(api):
    spec = api.client.get("/openapi.json").json()
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            assert op.get("tags") and op.get("summary"), f"{method} {path}"
    assert api.client.get("/health").json() == {"status": "ok", "database": "ok"}
