"""Finding 3: one owner with units in two projects; each project's staff sees only its own units of that owner
(household view, scored queue entries, their other units and owner totals)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, text

from data.db.models import Project, Unit
from data.db.session import make_engine, make_session_factory


def _share_owner(api_url: str) -> tuple[str, list[str]]:
    """Give the pilot owner every SH-PD unit in arrears too; return the pilot owner's SH-PD households."""
    engine = make_engine(api_url)
    with make_session_factory(engine)() as s:
        pilot = s.execute(select(Unit).join(Project).where(Project.code == "BJ-PILOT", Unit.code == "4-1203")).scalar()
        owing = {
            r[0] for r in s.execute(text("SELECT DISTINCT unit_id FROM receivables WHERE paid_cents < amount_cents"))
        }
        sh = [
            u for u in s.execute(select(Unit).join(Project).where(Project.code == "SH-PD")).scalars() if u.id in owing
        ][:2]
        for unit in sh:
            unit.owner_id = pilot.owner_id
        s.commit()
        keys = [f"SH-PD/{u.code}" for u in sh]
    engine.dispose()
    return "BJ-PILOT/4-1203", keys


def test_finding3_household_view_lists_only_the_callers_units_of_the_owner(api, api_url):
    pilot, sh_keys = _share_owner(api_url)
    seen_by_sh = api.get(f"/households/{sh_keys[0]}", user="sh").json()["units"]
    assert {u["household"] for u in seen_by_sh} == set(sh_keys)
    seen_by_bj = api.get(f"/households/{pilot}", user="bj").json()["units"]
    assert [u["household"] for u in seen_by_bj] == [pilot]
    seen_by_admin = api.get(f"/households/{pilot}", user="admin").json()["units"]
    assert {u["household"] for u in seen_by_admin} == {pilot, *sh_keys}


def test_finding3_queue_entries_never_span_projects(api, api_url, tmp_path):
    from app.services.collections.queue_service import ensure_scores

    pilot, sh_keys = _share_owner(api_url)
    engine = make_engine(api_url)
    ensure_scores(engine, date(2024, 9, 2), tmp_path / "risk")
    engine.dispose()
    api.client.app.state.steward.queue.clear()
    for user, project in (("sh", "SH-PD"), ("bj", "BJ-PILOT")):
        items = api.get("/queue", user=user, params={"limit": 500}).json()["items"]
        assert items and all(i["household"].startswith(f"{project}/") for i in items)
        assert all(h.startswith(f"{project}/") for i in items for h in i["other_units"])
    sh_items = api.get("/queue", user="sh", params={"limit": 500}).json()["items"]
    mine = [i for i in sh_items if i["household"] in sh_keys]
    assert len(mine) == 1 and set(mine[0]["other_units"]) <= set(sh_keys) - {mine[0]["household"]}
    bj_items = api.get("/queue", user="bj", params={"limit": 500}).json()["items"]
    assert pilot in {i["household"] for i in bj_items}  # the owner's SH-PD units do not pull its entry away
