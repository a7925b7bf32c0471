"""Case events through the API: the same service as the CLI, with the caller's role and projects."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from data.db.session import make_engine, make_session_factory
from data.db.workflow import DunningPlan, PlanStep
from data.repositories import plans
from data.repositories.households import find_unit

H = "/households/BJ-PILOT/4-1203"


def test_when_events_are_posted_then_the_case_moves_and_shows_why_nothing_is_sent(api):
    r = api.post(f"{H}/events", json={"kind": "promise_made", "promised_date": "2024-09-10"})
    assert r.status_code == 201, r.text
    assert r.json()["to_state"] == "承诺"
    case = api.get(f"{H}/case").json()
    assert case["promise"] == {"date": "2024-09-10", "amount": "1680.00"}
    assert case["hold"]["rule"] == "promise"
    r = api.post(f"{H}/payments", json={"amount": "560.00", "channel": "现金", "ref": "CASH-1"})
    assert r.status_code == 201 and r.json()["to_state"] == "支付"
    again = api.post(f"{H}/payments", json={"amount": "560.00", "channel": "现金", "ref": "CASH-1"})
    assert again.status_code == 201 and again.json()["id"] == r.json()["id"]
    case = api.get(f"{H}/case").json()
    assert case["arrears"] == "1120.00" and case["payments"][0]["amount"] == "560.00"
    assert [e["kind"] for e in case["events"]][-2:] == ["promise_made", "payment"]


def test_when_roles_and_projects_differ_then_the_same_event_is_allowed_or_refused(api):
    blacklist = {"kind": "blacklist_added", "reason": "多次辱骂管家"}
    assert api.post(f"{H}/events", json=blacklist).status_code == 403
    assert api.post(f"{H}/events", json=blacklist, user="ro").status_code == 403
    assert api.post(f"{H}/events", json=blacklist, user="sh").status_code == 404
    assert api.post(f"{H}/events", json=blacklist, user="manager").status_code == 201
    assert api.post(f"{H}/events", json=blacklist, user="manager").status_code == 409
    assert api.get(f"{H}/case", user="sh").status_code == 404
    bad = api.post(f"{H}/events", json={"kind": "dispute_resolved"})
    assert bad.status_code == 422 and "处理结果" in bad.json()["detail"]
    assert api.post(f"{H}/events", json={"kind": "plan_approved"}).status_code == 422


def test_when_a_dispute_is_raised_on_the_bill_page_and_resolved_by_the_steward_then_the_owner_sees_it(api):
    link = api.post(f"{H}/bill-link").json()["url"]
    api.client.post(link, data={"kind": "dispute", "note": "<b>6月</b>重复计费"})
    assert api.get(f"{H}/case").json()["state"] == "异议中"
    page = api.client.get(link).text
    assert "异议核实中" in page
    r = api.post(f"{H}/events", json={"kind": "dispute_rejected", "reason": "6月仅计费一次，附<收费明细>"})
    assert r.status_code == 201 and r.json()["to_state"] == "已触达"
    page = api.client.get(link).text
    assert "经核实，账单无误" in page and "附&lt;收费明细&gt;" in page and "<收费明细>" not in page


def test_when_an_instalment_is_requested_on_the_bill_page_and_approved_then_the_schedule_shows_and_can_be_paid(api):
    link = api.post(f"{H}/bill-link").json()["url"]
    api.client.post(link, data={"kind": "instalment", "months": "3"})
    assert "分期申请（3 期）审核中" in api.client.get(link).text
    r = api.post(
        f"{H}/events", json={"kind": "instalment_approved", "start_date": "2024-09-02", "reason": "家庭困难，同意分期"}
    )
    assert r.status_code == 201 and r.json()["to_state"] == "分期中"
    page = api.client.get(link).text
    assert "分期已批准：共 3 期，每期 560.00 元" in page and "缴纳本期分期 ¥560.00" in page
    pay = api.client.post(f"{link}/pay", data={"part": "instalment"}, follow_redirects=False)
    assert "确认支付 ¥560.00" in api.client.get(pay.headers["location"]).text


def test_when_a_newer_plan_is_approved_through_the_repository_then_the_case_records_both_events(api, api_url):
    factory = make_session_factory(make_engine(api_url))
    with factory() as s:
        unit = find_unit(s, "BJ-PILOT/4-1203")
        ids = []
        for version in (1, 2):
            plan = DunningPlan(
                unit_id=unit.id,
                version=version,
                status="awaiting_approval",
                stage="预警",
                strategy="standard",
                created_at=datetime(2024, 9, 2, 9),
            )
            plan.steps.append(
                PlanStep(
                    seq=1,
                    day=date(2024, 9, 3),
                    window_start="10:00",
                    window_end="12:00",
                    channel="sms",
                    action="短信",
                    message="提醒",
                )
            )
            s.add(plan)
            s.flush()
            plans.decide(s, plan_id=plan.id, decision="accept", username="demo", at=datetime(2024, 9, 2, 9))
            ids.append(plan.id)
        s.commit()
        statuses = dict(s.execute(select(DunningPlan.id, DunningPlan.status).where(DunningPlan.id.in_(ids))).all())
    assert statuses == {ids[0]: "superseded", ids[1]: "approved"}
    case = api.get(f"{H}/case").json()
    assert case["plan"]["id"] == ids[1]
    assert [e["kind"] for e in case["events"]][-3:] == ["plan_approved", "plan_approved", "plan_superseded"]


def test_when_a_dispute_carries_a_proof_then_only_a_real_image_or_pdf_within_the_limit_is_kept(api, api_url, tmp_path):
    from data.db.workflow import Dispute

    link = api.post(f"{H}/bill-link").json()["url"]
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
    fake = api.client.post(
        link,
        data={"kind": "dispute", "note": "见附件"},
        files={"proof": ("receipt.png", b"<script>alert(1)</script>", "image/png")},
    )
    assert fake.status_code == 400 and "仅支持" in fake.text
    big = api.client.post(
        link,
        data={"kind": "dispute", "note": "见附件"},
        files={"proof": ("big.pdf", b"%PDF-1.7" + b"0" * (5 * 1024 * 1024), "application/pdf")},
    )
    assert big.status_code == 400 and "5 MB" in big.text
    factory = make_session_factory(make_engine(api_url))
    with factory() as s:
        pilot = find_unit(s, "BJ-PILOT/4-1203").id
        assert s.execute(select(Dispute).where(Dispute.unit_id == pilot)).scalars().all() == []
    ok = api.client.post(
        link, data={"kind": "dispute", "note": "见附件"}, files={"proof": ("../../etc/x.png", png, "image/png")}
    )
    assert ok.status_code == 200
    with factory() as s:
        dispute = s.execute(select(Dispute).where(Dispute.unit_id == pilot)).scalar_one()
    assert dispute.proof.endswith(".png") and "/" not in dispute.proof and "etc" not in dispute.proof
    stored = tmp_path / "var" / "proofs" / dispute.proof
    assert stored.read_bytes() == png
    assert api.get(f"{H}/case").json()["dispute"]["proof"] == dispute.proof


def test_when_a_reduction_is_requested_then_only_a_manager_decides_and_it_is_written_off_apart(api, api_url):
    from data.db.models import Payment, Receivable, WriteOff

    link = api.post(f"{H}/bill-link").json()["url"]
    assert api.client.post(link, data={"kind": "reduction", "note": "疫情期间收入减少"}).status_code == 200
    assert "减免申请审核中" in api.client.get(link).text
    approve = {"kind": "reduction_approved", "amount": "560.00", "reason": "经理审批：困难家庭减免一个月"}
    assert api.post(f"{H}/events", json=approve).status_code == 403
    factory = make_session_factory(make_engine(api_url))
    with factory() as s:
        payments_before = s.execute(select(Payment.id)).scalars().all()
    r = api.post(f"{H}/events", json=approve, user="manager")
    assert r.status_code == 201 and r.json()["detail"]["write_offs"] == [{"period": "2024-06", "amount_cents": 56000}]
    with factory() as s:
        pilot = find_unit(s, "BJ-PILOT/4-1203").id
        june = s.execute(
            select(Receivable).where(Receivable.unit_id == pilot, Receivable.period == "2024-06")
        ).scalar_one()
        assert (june.paid_cents, june.written_off_cents) == (0, 56000)
        assert s.execute(select(WriteOff).where(WriteOff.receivable_id == june.id)).scalar_one().amount_cents == 56000
        assert s.execute(select(Payment.id)).scalars().all() == payments_before
    assert api.get(f"{H}/case").json()["arrears"] == "1120.00"
    page = api.client.get(link).text
    assert "减免已批准：减免 560.00 元" in page and "困难家庭减免一个月" in page and "立即缴费 ¥1120.00" in page
