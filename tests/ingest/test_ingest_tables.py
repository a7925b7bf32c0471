"""Per-kind CSV/.xlsx files of chats, tickets and claims keyed by project + unit."""

from __future__ import annotations

import csv

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from data.db.ingestion import IngestExtra
from data.db.models import ChatMessage, Claim, ClaimRecord, Ticket, TicketEvent
from data.importers.errors import ImportFileError
from tests.ingest.conftest import run


@pytest.fixture
def household(factory, sample):
    run(factory, sample("example.jsonl"), kind="bundle")


def _report(path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_when_chat_csv_is_imported_then_rows_land_with_roles_and_extra_columns_kept(factory, household, sample):
    result = run(factory, sample("chats.csv"), kind="chats")
    assert result.counts == {"chats.inserted": 3} and result.changed_households == 1
    with factory() as s:
        rows = dict(
            s.execute(
                select(ChatMessage.ext_id, ChatMessage.speaker_role).where(
                    ChatMessage.ext_id.not_in(["m1", "m2", "m3", "m4"])
                )
            ).all()
        )
        extra = s.execute(select(IngestExtra).where(IngestExtra.source == "chats")).scalar_one()
    assert rows["app-1001"] == "owner" and rows["app-1002"] == "service"
    assert [role for ext, role in rows.items() if ext.startswith("wx-")] == ["owner"]
    assert extra.payload["chats"]["app-1001"] == {"渠道": "业主App"}
    assert run(factory, sample("chats.csv"), kind="chats").counts == {"chats.unchanged": 3}


def test_when_ticket_and_claim_csv_are_imported_then_timelines_become_events_and_records(factory, household, sample):
    tickets = run(factory, sample("tickets.csv"), kind="tickets")
    claims = run(factory, sample("claims.csv"), kind="claims")
    assert tickets.counts == {"tickets.inserted": 1, "ticket_events.inserted": 2}
    assert claims.counts == {"claims.inserted": 1, "claim_records.inserted": 2}
    with factory() as s:
        ticket = s.execute(select(Ticket).where(Ticket.ext_id == "WD-20240809-002")).scalar_one()
        notes = (
            s.execute(select(TicketEvent.note).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.at))
            .scalars()
            .all()
        )
        claim = s.execute(select(Claim).where(Claim.ext_id == "C2")).scalar_one()
        records = s.execute(select(ClaimRecord.text).where(ClaimRecord.claim_id == claim.id)).scalars().all()
    assert (ticket.type, ticket.status, ticket.satisfaction) == ("电梯故障", "已完成", 4)
    assert notes == ["已派维保人员", "更换导靴，试运行正常"]
    assert claim.items == ["公摊费用明细", "电梯维保费用"] and len(records) == 2


def test_when_xlsx_has_bad_rows_then_good_rows_land_and_bad_ones_are_reported(factory, household, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["工单导出"])
    sheet.append(["项目编码", "房号", "工单编号", "工单描述", "创建时间", "满意度"])
    sheet.append(["HO-TEST", "1-101", "T-1", "门禁坏了", "2024-08-10 08:00", 5])
    sheet.append(["HO-TEST", "1-101", "T-2", "", "2024-08-10 09:00", None])
    sheet.append(["HO-TEST", "1-101", "T-3", "灯不亮", "2024-08-10 10:00", 9])
    sheet.append(["HO-TEST", "9-901", "T-4", "漏水", "2024-08-10 11:00", None])
    sheet.append(["HO-TEST", "1-101", "T-1", "重复", "2024-08-10 12:00", None])
    path = tmp_path / "tickets.xlsx"
    book.save(path)
    result = run(factory, path, kind="tickets")
    rows = {(r["行号"], r["列"]): r["原因"] for r in _report(result.error_report)}
    assert set(rows) == {("4", "工单描述"), ("5", "满意度"), ("6", "项目编码+房号"), ("7", "项目编码+房号+编号")}
    assert "未知住户" in rows[("6", "项目编码+房号")] and "与第 3 行重复" in rows[("7", "项目编码+房号+编号")]
    assert result.counts == {"tickets.inserted": 1} and result.lines == 5 and result.rejected == 4


def test_when_required_column_is_missing_then_file_error(factory, household, tmp_path):
    path = tmp_path / "claims.csv"
    path.write_text("项目编码,房号,诉求编号\nHO-TEST,1-101,C9\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="诉求类型"):
        run(factory, path, kind="claims")
