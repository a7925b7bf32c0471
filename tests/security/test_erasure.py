"""PIPL deletion of closed households: personal data and evidence texts gone, audit trail intact."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from typer.testing import CliRunner

from app.cli.main import app as cli
from app.services.audit_log import reveal_contacts
from data.db.models import ChatMessage, Contact, Owner, Ticket, Unit
from data.db.session import make_session_factory
from data.repositories import audit
from data.repositories.households import find_unit
from tests.security.conftest import PILOT, generated


def _close_pilot(factory) -> tuple[int, int, int]:  # noqa: ANN001
    with factory() as s:
        unit = find_unit(s, PILOT)
        reveal_contacts(s, unit, actor="steward", reason="核实联系方式", at=datetime(2024, 8, 1))
        audit.record(s, actor="steward", action="case.closed", entity="unit", entity_id=str(unit.id))
        s.execute(update(Unit).where(Unit.id == unit.id).values(closed_at=datetime(2024, 8, 15)))
        other = (
            s.execute(select(Unit).where(Unit.id != unit.id, Unit.owner_id.is_not(None)).order_by(Unit.id))
            .scalars()
            .first()
        )
        s.commit()
        return unit.id, unit.owner_id, other.owner_id


def test_when_closed_households_are_deleted_then_pii_and_evidence_go_and_audit_verifies(tmp_path, isolated_keys):
    url = f"sqlite:///{tmp_path / 's.db'}"
    factory = make_session_factory(generated(url))
    unit_id, owner_id, other_owner = _close_pilot(factory)
    with factory() as s:
        other_name = s.get(Owner, other_owner).name
        said = (
            s.execute(
                select(ChatMessage.text).where(ChatMessage.unit_id == unit_id, ChatMessage.speaker_role == "owner")
            )
            .scalars()
            .first()
        )
        events_before = audit.verify(s).checked
    out = CliRunner().invoke(
        cli, ["security", "delete-closed", "--closed-before", "2024-09-01", "--yes", "--database-url", url]
    )
    assert out.exit_code == 0, out.output
    with factory() as s:
        owner = s.get(Owner, owner_id)
        assert (owner.name, owner.title, owner.id_number, owner.merge_key, owner.merge_hash) == (
            "已删除",
            "业主",
            None,
            None,
            None,
        )
        assert s.execute(select(func.count()).select_from(Contact).where(Contact.owner_id == owner_id)).scalar() == 0
        texts = s.execute(select(ChatMessage.text).where(ChatMessage.unit_id == unit_id)).scalars().all()
        assert texts and set(texts) == {"【已删除】"}
        assert set(s.execute(select(Ticket.description).where(Ticket.unit_id == unit_id)).scalars()) <= {"【已删除】"}
        assert s.get(Owner, other_owner).name == other_name
        report = audit.verify(s)
        assert report.ok and report.checked == events_before + 1
    data = b"".join(p.read_bytes() for p in tmp_path.glob("s.db*"))
    assert said.encode("utf-8") not in data  # not left behind in free pages or the WAL
    assert CliRunner().invoke(cli, ["audit", "verify", "--database-url", url]).exit_code == 0


def test_when_nothing_is_closed_before_the_date_then_nothing_changes(tmp_path, isolated_keys):
    url = f"sqlite:///{tmp_path / 's.db'}"
    factory = make_session_factory(generated(url, households=5))
    out = CliRunner().invoke(
        cli, ["security", "delete-closed", "--closed-before", "2024-09-01", "--yes", "--database-url", url]
    )
    assert out.exit_code == 0 and "没有符合条件" in out.output
    with factory() as s:
        assert s.execute(select(func.count()).select_from(Owner).where(Owner.name == "已删除")).scalar() == 0


def test_when_an_owner_still_has_an_open_unit_then_the_owner_keeps_their_data(tmp_path, isolated_keys):
    url = f"sqlite:///{tmp_path / 's.db'}"
    factory = make_session_factory(generated(url, households=5))
    with factory() as s:
        pilot = find_unit(s, PILOT)
        s.add(Unit(project_id=pilot.project_id, owner_id=pilot.owner_id, code="4-1204", label="4号楼1204"))
        pilot.closed_at = datetime(2024, 8, 1)
        s.commit()
        owner_id = pilot.owner_id
    CliRunner().invoke(
        cli, ["security", "delete-closed", "--closed-before", "2024-09-01", "--yes", "--database-url", url]
    )
    with factory() as s:
        assert s.get(Owner, owner_id).name == "王丽"
        assert set(
            s.execute(select(ChatMessage.text).where(ChatMessage.unit_id == find_unit(s, PILOT).id)).scalars()
        ) == {"【已删除】"}


def test_when_closed_households_are_deleted_then_their_agent_checkpoints_go_too(tmp_path, isolated_keys, monkeypatch):
    from langgraph.checkpoint.base import empty_checkpoint
    from langgraph.checkpoint.sqlite import SqliteSaver

    from app.security.erasure import thread_household
    from core.settings import get_settings

    assert thread_household("batch:2024-09-02:BJ-PILOT/4-1203") == PILOT
    assert thread_household("plan:BJ-PILOT/4-1203:ab12cd34") == PILOT
    monkeypatch.setenv("STEWARD_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    url = f"sqlite:///{tmp_path / 's.db'}"
    factory = make_session_factory(generated(url, households=5))
    _close_pilot(factory)
    (tmp_path / "var").mkdir()
    store = tmp_path / "var" / "checkpoints.sqlite"
    threads = ["plan:BJ-PILOT/4-1203:ab12cd34", "batch:2024-09-02:BJ-PILOT/4-1203", "plan:BJ-PILOT/4-1204:ffff0000"]
    with SqliteSaver.from_conn_string(str(store)) as saver:
        for tid in threads:
            checkpoint = empty_checkpoint()
            checkpoint["channel_values"] = {"summary": f"业主说物业费太贵 {tid}"}
            saver.put(
                {"configurable": {"thread_id": tid, "checkpoint_ns": ""}},
                checkpoint,
                {"source": "input", "step": -1},
                {},
            )
    try:
        out = CliRunner().invoke(
            cli, ["security", "delete-closed", "--closed-before", "2024-09-01", "--yes", "--database-url", url]
        )
    finally:
        get_settings.cache_clear()
    assert out.exit_code == 0, out.output
    assert "清除智能体会话 2 个" in out.output
    with SqliteSaver.from_conn_string(str(store)) as saver:
        left = {c.config["configurable"]["thread_id"] for c in saver.list(None)}
    assert left == {"plan:BJ-PILOT/4-1204:ffff0000"}
    assert b"ab12cd34" not in b"".join(p.read_bytes() for p in (tmp_path / "var").glob("checkpoints.sqlite*"))
