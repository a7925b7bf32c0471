"""Audit chain: concurrent appends stay one chain; edits and deletions (also of the tail) are named; export, prune."""

from __future__ import annotations

import csv
import threading
from datetime import datetime, timedelta

from sqlalchemy import func, select, text
from typer.testing import CliRunner

from app.cli.main import app as cli
from app.security.audit_archive import verify_archive
from data.db.security import AuditAnchor
from data.db.session import init_db, make_session_factory
from data.db.workflow import AuditEvent
from data.repositories import audit

T0 = datetime(2024, 1, 1, 9, 0)


def _seed(url: str, n: int = 10) -> None:
    factory = make_session_factory(init_db(url))
    with factory() as s:
        for i in range(n):
            audit.record(
                s,
                actor="tester",
                action="plan.drafted",
                entity="dunning_plan",
                entity_id=str(i),
                detail={"version": i},
                at=T0 + timedelta(days=i),
            )
        s.commit()


def _verify(url: str):  # noqa: ANN202
    return CliRunner().invoke(cli, ["audit", "verify", "--database-url", url])


def test_when_stewards_append_concurrently_then_the_chain_stays_one_line(db_url):
    factory = make_session_factory(init_db(db_url))
    start, errors = threading.Barrier(4), []

    def worker(n: int) -> None:
        try:
            start.wait()
            for i in range(12):
                with factory() as s:
                    audit.record(s, actor=f"w{n}", action="case.transition", entity_id=str(i))
                    s.commit()
        except Exception as exc:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with factory() as s:
        report = audit.verify(s)
        assert report.ok, report
        assert report.checked == 48
        head = s.execute(select(AuditAnchor).where(AuditAnchor.kind == "head")).scalar_one()
        assert (head.through_id, head.events) == (s.execute(select(func.max(AuditEvent.id))).scalar(), 48)


def test_when_chain_is_intact_then_verify_exits_zero(sqlite_url):
    _seed(sqlite_url)
    out = _verify(sqlite_url)
    assert out.exit_code == 0 and "审计链完整" in out.output


def test_when_an_event_is_edited_then_verify_names_it(sqlite_url):
    _seed(sqlite_url)
    with init_db(sqlite_url).begin() as conn:
        conn.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE id = 4"))
    out = _verify(sqlite_url)
    assert out.exit_code == 1 and "#4" in out.output and "被修改" in out.output


def test_when_an_event_in_the_middle_is_deleted_then_verify_names_the_next_one(sqlite_url):
    _seed(sqlite_url)
    with init_db(sqlite_url).begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE id = 5"))
    out = _verify(sqlite_url)
    assert out.exit_code == 1 and "#6" in out.output


def test_when_the_last_event_is_deleted_then_verify_notices_the_missing_tail(sqlite_url):
    _seed(sqlite_url)
    with init_db(sqlite_url).begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE id = 10"))
    out = _verify(sqlite_url)
    assert out.exit_code == 1 and "#10" in out.output


def test_when_the_chain_head_is_deleted_then_verify_fails(sqlite_url):
    _seed(sqlite_url)
    with init_db(sqlite_url).begin() as conn:
        conn.execute(text("DELETE FROM audit_anchors WHERE kind = 'head'"))
    assert _verify(sqlite_url).exit_code == 1


def test_when_exported_for_a_period_then_the_csv_holds_exactly_that_period(sqlite_url, tmp_path):
    _seed(sqlite_url)
    out_file = tmp_path / "audit.csv"
    out = CliRunner().invoke(
        cli,
        [
            "audit",
            "export",
            "--since",
            "2024-01-03",
            "--until",
            "2024-01-05",
            "--out",
            str(out_file),
            "--database-url",
            sqlite_url,
        ],
    )
    assert out.exit_code == 0, out.output
    assert out_file.read_bytes().startswith(b"\xef\xbb\xbf")
    with out_file.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["entity_id"] for r in rows] == ["2", "3", "4"]
    assert {"prev_hash", "hash"} <= set(rows[0])
    assert _verify(sqlite_url).exit_code == 0  # the export event itself extends the chain


def test_when_pruned_then_the_rest_still_verifies_and_the_archive_verifies_alone(sqlite_url, tmp_path):
    _seed(sqlite_url)
    out = CliRunner().invoke(
        cli,
        [
            "audit",
            "prune",
            "--before",
            "2024-01-06",
            "--archive-dir",
            str(tmp_path / "arc"),
            "--database-url",
            sqlite_url,
        ],
    )
    assert out.exit_code == 0, out.output
    archive = next((tmp_path / "arc").glob("audit-1-5-*.jsonl"))
    assert len(archive.read_text(encoding="utf-8").splitlines()) == 5
    assert verify_archive(archive) is None
    with make_session_factory(init_db(sqlite_url))() as s:
        assert s.execute(select(func.min(AuditEvent.id))).scalar() == 6
        assert s.execute(select(AuditEvent.action).order_by(AuditEvent.id.desc())).scalars().first() == "audit.prune"
    assert _verify(sqlite_url).exit_code == 0


def test_when_the_prune_anchor_is_forged_then_verify_fails(sqlite_url, tmp_path):
    _seed(sqlite_url)
    CliRunner().invoke(
        cli, ["audit", "prune", "--before", "2024-01-04", "--archive-dir", str(tmp_path), "--database-url", sqlite_url]
    )
    with init_db(sqlite_url).begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE id IN (4, 5)"))
        conn.execute(
            text(
                "UPDATE audit_anchors SET through_id = 5, hash = "
                "(SELECT prev_hash FROM audit_events WHERE id = 6) WHERE kind = 'prune'"
            )
        )
    assert _verify(sqlite_url).exit_code == 1


def test_when_chain_is_broken_then_prune_refuses_and_archives_nothing(sqlite_url, tmp_path):
    _seed(sqlite_url)
    with init_db(sqlite_url).begin() as conn:
        conn.execute(text("UPDATE audit_events SET action = 'x' WHERE id = 2"))
    out = CliRunner().invoke(
        cli,
        [
            "audit",
            "prune",
            "--before",
            "2024-01-06",
            "--archive-dir",
            str(tmp_path / "a"),
            "--database-url",
            sqlite_url,
        ],
    )
    assert out.exit_code == 1 and not (tmp_path / "a").exists()


def test_when_an_archive_line_is_edited_then_archive_verification_names_it(sqlite_url, tmp_path):
    _seed(sqlite_url)
    CliRunner().invoke(
        cli, ["audit", "prune", "--before", "2024-01-06", "--archive-dir", str(tmp_path), "--database-url", sqlite_url]
    )
    archive = next(tmp_path.glob("audit-*.jsonl"))
    archive.write_text(archive.read_text(encoding="utf-8").replace('"version": 2', '"version": 9'), encoding="utf-8")
    assert verify_archive(archive) == 3
