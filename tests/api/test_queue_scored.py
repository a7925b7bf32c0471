"""Once the collections batch scored the business date, the queue follows its priority (no longer interim)."""

from __future__ import annotations

from datetime import date

from data.db.session import make_engine


def test_when_the_day_is_scored_then_queue_is_in_priority_order_and_scoped(api, api_url, tmp_path):
    from app.services.collections.queue_service import ensure_scores

    assert api.get("/queue").json()["interim"] is True
    engine = make_engine(api_url)
    ensure_scores(engine, date(2024, 9, 2), tmp_path / "risk")
    engine.dispose()
    api.client.app.state.steward.queue.clear()
    body = api.get("/queue", params={"limit": 500}).json()
    assert body["interim"] is False and body["items"]
    priorities = [i["priority"] for i in body["items"]]
    assert priorities == sorted(priorities, reverse=True)
    assert {i["project"] for i in body["items"]} <= {"BJ-PILOT", "SH-PD"}
    assert all(i["risk_band"] for i in body["items"])
    assert api.get("/queue", user="sh", params={"project": "BJ-PILOT"}).status_code == 404
