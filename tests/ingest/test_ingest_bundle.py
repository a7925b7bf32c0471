"""Household bundles: the issue's example, extra fields, owner lines, idempotence, fingerprints, bad lines."""

from __future__ import annotations

import copy
import csv

import pytest
from sqlalchemy import select

from data.db.ingestion import IngestExtra
from data.db.models import ChatMessage, Owner, Payment, Receivable, Ticket, TicketEvent, Unit
from data.importers.errors import ImportFileError
from data.repositories.households import find_unit, household_view
from tests.ingest.conftest import run, variant, write_bundles

KEY = "HO-TEST/1-101"


def _unit(factory, key: str = KEY) -> Unit:
    with factory() as s:
        unit = find_unit(s, key)
        s.expunge(unit)
        return unit


def _roles(factory) -> dict[str, str]:
    with factory() as s:
        return dict(s.execute(select(ChatMessage.ext_id, ChatMessage.speaker_role)).all())


def _report(path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_when_issue_example_is_imported_then_household_shows_like_sample_data(factory, sample):
    result = run(factory, sample("example.jsonl"), kind="bundle")
    assert result.counts["households.created"] == 1 and result.rejected == 0 and result.error_report is None
    with factory() as s:
        view = household_view(s, KEY)
        unit = find_unit(s, KEY)
        owner = s.get(Owner, unit.owner_id)
        assert (owner.title, owner.merge_key) == ("张先生", "张先生|13900000001")
    assert view.project["city"] == "北京" and view.unit["label"] == "1号楼101"
    assert view.owner["tags"] == ["老年"] and view.unpaid_periods == ["2024-06", "2024-07"]
    assert view.arrears == "1120.00" and view.unit["monthly_fee"] == "560.00"
    assert view.evidence == {"chats": 4, "tickets": 1, "claims": 1, "payments": 1, "contact_attempts": 0, "disputes": 0}
    assert view.contacts[0]["value"] == "139****0001"


def test_when_bundle_has_unknown_fields_then_they_are_kept_per_unit_and_source(factory, sample):
    run(factory, sample("example.jsonl"), kind="bundle", source="crm-a")
    with factory() as s:
        extra = s.execute(select(IngestExtra)).scalar_one()
    assert extra.source == "crm-a" and extra.unit_id == _unit(factory).id
    assert extra.payload["household"] == {"source_system": "crm-a"}
    assert extra.payload["owner"] == {"vip_level": "金卡"}
    assert extra.payload["chats"]["m3"] == {"channel": "企业微信"}


def test_when_full_name_is_given_then_title_is_derived_and_owner_lines_are_recognised(factory, tmp_path, example):
    example["owner"] = {"name": "刘芳", "mobile": "13900000002", "id_number": "110105198503124523"}
    example["chats"] = [
        {"id": "a", "time": "2024-08-01T09:00:00", "speaker": "刘芳", "text": "电梯又坏了"},
        {"id": "b", "time": "2024-08-01T09:01:00", "speaker": "刘女士", "text": "今天能修好吗"},
        {"id": "c", "time": "2024-08-01T09:02:00", "speaker": "业主", "text": "我等着"},
        {"id": "d", "time": "2024-08-01T09:03:00", "speaker": "刘先生", "text": "我是她爱人"},
        {"id": "e", "time": "2024-08-01T09:04:00", "speaker": "王师傅", "text": "下午到"},
        {"id": "f", "time": "2024-08-01T09:05:00", "speaker": "李管家", "text": "已派单"},
        {"id": "g", "time": "2024-08-01T09:06:00", "speaker": "客服小陈", "text": "已登记"},
    ]
    run(factory, write_bundles(tmp_path / "b.jsonl", [example]), kind="bundle")
    with factory() as s:
        assert s.get(Owner, find_unit(s, KEY).owner_id).title == "刘女士"
    assert _roles(factory) == {
        "a": "owner",
        "b": "owner",
        "c": "owner",
        "d": "other",
        "e": "other",
        "f": "steward",
        "g": "service",
    }


def test_when_same_file_is_imported_again_then_nothing_changes(factory, sample):
    path = sample("example.jsonl")
    first = run(factory, path, kind="bundle")
    fp = _unit(factory).evidence_fingerprint
    again = run(factory, path, kind="bundle")
    assert first.changed_households == 1 and fp
    assert again.changed_households == 0 and _unit(factory).evidence_fingerprint == fp
    assert not any(k.endswith((".inserted", ".updated", ".created")) for k in again.counts), again.counts
    with factory() as s:
        assert len(s.execute(select(ChatMessage)).all()) == 4
        assert len(s.execute(select(TicketEvent)).all()) == 2
        assert len(s.execute(select(Receivable)).all()) == 3 and len(s.execute(select(Payment)).all()) == 1


def test_when_messages_are_appended_then_they_land_and_the_fingerprint_changes(factory, tmp_path, example):
    run(factory, write_bundles(tmp_path / "a.jsonl", [example]), kind="bundle")
    before = _unit(factory).evidence_fingerprint
    longer = copy.deepcopy(example)
    longer["chats"].append({"id": "m5", "time": "2024-08-20T10:00:00", "speaker": "业主", "text": "还是很脏"})
    longer["tickets"][0]["events"].append({"time": "2024-08-21T10:00:00", "text": "业主再次反映，已复查"})
    result = run(factory, write_bundles(tmp_path / "b.jsonl", [longer]), kind="bundle")
    assert result.counts["chats.inserted"] == 1 and result.counts["chats.unchanged"] == 4
    assert result.counts["tickets.updated"] == 1 and result.counts["ticket_events.inserted"] == 1
    assert result.changed_households == 1 and _unit(factory).evidence_fingerprint != before


def test_when_evidence_arrives_in_another_order_then_the_fingerprint_is_the_same(factory, tmp_path, example):
    run(factory, write_bundles(tmp_path / "a.jsonl", [example]), kind="bundle")
    fp = _unit(factory).evidence_fingerprint
    shuffled = variant(example, chats=example["chats"][::-1])
    assert run(factory, write_bundles(tmp_path / "b.jsonl", [shuffled]), kind="bundle").changed_households == 0
    assert _unit(factory).evidence_fingerprint == fp


def test_when_a_line_has_bad_records_then_only_they_are_skipped_and_reported(factory, tmp_path, example):
    bad = copy.deepcopy(example)
    bad["chats"][1]["time"] = "2024-13-01 09:00"
    bad["tickets"][0]["events"][0]["time"] = "昨天"
    bad["bills"][0]["amount"] = -5
    bad["owner"]["tags"] = ["老年", "VIP"]
    other = variant(example, unit="1-102", owner={"name": "李娜", "mobile": "13900000003"})
    path = write_bundles(
        tmp_path / "mixed.jsonl",
        [
            bad,
            "{not json",
            variant(example, unit="一楼"),
            variant(example, owner={"name": "张先生", "mobile": "123"}),
            other,
            variant(example, project="NEW-P", project_name=None),
        ],
    )
    result = run(factory, path, kind="bundle")
    rows = _report(result.error_report)
    got = {(r["行号"], r["列"]) for r in rows}
    assert {
        ("1", "chats[1].time"),
        ("1", "tickets[0].events[0].time"),
        ("1", "bills[0].amount"),
        ("1", "owner.tags[1]"),
        ("2", "整行"),
        ("3", "unit"),
        ("4", "owner.mobile"),
        ("6", "project_name"),
    } == got
    reasons = {(r["行号"], r["列"]): r["原因"] for r in rows}
    assert reasons[("1", "chats[1].time")].endswith("已跳过该条聊天记录 m2")
    assert "整户未导入" in reasons[("4", "owner.mobile")] and "整户未导入" in reasons[("2", "整行")]
    assert next(r["值"] for r in rows if r["列"] == "owner.mobile") == "1***"
    assert result.lines == 6 and result.rejected == 4 and result.households == 2
    assert result.counts["chats.inserted"] == 3 + 4 and result.counts["bills.inserted"] == 2 + 3
    with factory() as s:
        assert s.execute(select(ChatMessage.ext_id).join(Unit).where(Unit.code == "1-101")).scalars().all() == [
            "m1",
            "m3",
            "m4",
        ]
        assert len(s.execute(select(Ticket)).all()) == 2


def test_when_a_household_appears_twice_then_the_second_line_is_reported(factory, tmp_path, example):
    result = run(factory, write_bundles(tmp_path / "dup.jsonl", [example, example]), kind="bundle")
    rows = _report(result.error_report)
    assert [(r["行号"], r["列"]) for r in rows] == [("2", "project+unit")]
    assert "与第 1 行是同一户" in rows[0]["原因"] and result.counts["chats.inserted"] == 4


def test_when_a_chat_has_no_id_then_a_stable_id_makes_reimport_a_no_op(factory, tmp_path, example):
    for chat in example["chats"]:
        chat.pop("id")
    path = write_bundles(tmp_path / "noid.jsonl", [example])
    assert run(factory, path, kind="bundle").counts["chats.inserted"] == 4
    assert run(factory, path, kind="bundle").counts["chats.unchanged"] == 4
    assert all(ext.startswith("wx-") for ext in _roles(factory))


def test_when_kind_is_unknown_then_file_error(factory, sample):
    from data.ingest import ingest_file

    with factory() as s, pytest.raises(ImportFileError):
        ingest_file(s, sample("example.jsonl"), kind="calls")


def test_when_bundles_land_on_postgresql_too_then_results_match(db_url, tmp_path, example):
    from data.db.session import init_db, make_session_factory

    engine = init_db(db_url)
    factory = make_session_factory(engine)
    second = variant(example, unit="2-1203", owner={"name": "欧阳娜", "mobile": "13900000009"})
    path = write_bundles(tmp_path / "pg.jsonl", [example, second])
    first = run(factory, path, batch_size=1, kind="bundle")
    again = run(factory, path, kind="bundle")
    engine.dispose()
    assert first.counts["households.created"] == 2 and first.changed_households == 2
    assert first.counts["claim_records.inserted"] == 2 and first.error_report is None
    assert again.changed_households == 0 and again.counts["chats.unchanged"] == 8
