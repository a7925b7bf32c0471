"""Importing the sample exports into SQLite: good files, encodings, bad rows, idempotency, merging, hostile input."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from data.db.models import Contact, Owner, Payment, Receivable, Unit
from data.importers import ImportFileError
from data.repositories.households import household_view

REC_HEADER = "项目编码,房号,账期,费项,应收金额,到期日\n"


def ledger(factory: sessionmaker[Session]) -> list[tuple]:
    with factory() as session:
        return sorted(
            session.execute(
                select(
                    Unit.code,
                    Receivable.period,
                    Receivable.fee_type,
                    Receivable.amount_cents,
                    Receivable.due_date,
                    Receivable.paid_cents,
                    Receivable.written_off_cents,
                    Receivable.source_ref,
                ).join(Unit, Unit.id == Receivable.unit_id)
            ).all()
        )


def read_report(path: str) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_when_good_files_are_imported_then_every_row_lands(samples: Path, load, factory) -> None:
    owners = load(samples / "owners.csv")
    receivables = load(samples / "receivables.csv")
    payments = load(samples / "payments.csv")
    assert (owners.kind, owners.rows, owners.inserted, owners.errors) == ("owners", 110, 110, 0)
    assert (receivables.kind, receivables.rows, receivables.inserted) == ("receivables", 1320, 1320)
    assert payments.kind == "payments" and payments.inserted == payments.rows > 1000
    assert receivables.error_report is None
    with factory() as session:
        assert session.execute(select(func.count()).select_from(Payment)).scalar_one() == payments.rows
    assert ("1-201", "2025-11", "物业费", 64512) in {r[:4] for r in ledger(factory)}


def test_when_owners_are_imported_then_households_show_works_for_the_new_project(samples: Path, load, factory) -> None:
    load(samples / "owners.csv")
    load(samples / "receivables.csv")
    with factory() as session:
        view = household_view(session, "SH-XH/1-201")
    assert view.project == {"code": "SH-XH", "name": "保利·徐汇悦府", "city": "上海", "region": "华东"}
    assert view.unit["label"] == "1号楼201" and view.unit["monthly_fee"] == "645.12"
    assert view.owner["title"] == "丁女士" and view.owner["tags"] == ["老年"]
    assert view.owner["preferred_channel"] == "phone"
    assert len(view.bills) == 12
    assert {c["kind"] for c in view.contacts} == {"mobile", "wechat"}


@pytest.mark.parametrize("variant", ["receivables_gbk.csv", "receivables.xlsx"])
def test_when_gbk_or_xlsx_holds_the_same_bills_then_the_database_is_the_same(
    samples: Path, load, factory, tmp_path: Path, variant: str
) -> None:
    load(samples / "owners.csv")
    first = load(samples / variant)
    assert (first.rows, first.inserted, first.errors) == (1320, 1320, 0)
    imported = ledger(factory)
    again = load(samples / "receivables.csv")
    assert (again.unchanged, again.inserted, again.updated) == (1320, 0, 0)
    assert ledger(factory) == imported
    assert first.source == ("Excel .xlsx" if variant.endswith("xlsx") else "CSV GBK/GB18030")


def test_when_bad_rows_are_mixed_in_then_good_rows_land_and_each_error_is_reported(
    samples: Path, load, factory
) -> None:
    load(samples / "owners.csv")
    result = load(samples / "receivables_bad.csv")
    assert (result.rows, result.inserted, result.errors) == (19, 7, 12)
    assert result.error_report == str((samples / "receivables_bad.errors.csv").resolve())
    report = {(int(r["行号"]), r["列"]): (r["值"], r["原因"]) for r in read_report(result.error_report)}
    assert report[(3, "到期日")] == ("2026-11-31", "日期不存在")
    assert report[(7, "应收金额")] == ("'-580.00", "金额不能为负数")
    assert report[(9, "房号")][1].startswith("未知房号")
    assert report[(11, "项目编码+房号+账期+费项")] == ("SH-XH/1-201/2026-11/物业费", "与第 2 行重复")
    assert report[(13, "费项")][0].startswith("'=HYPERLINK") and "公式" in report[(13, "费项")][1]
    assert report[(15, "应收金额")] == ("五百元", "金额不是数字")
    assert report[(16, "费项")] == ("", "必填项为空")
    assert report[(18, "项目编码")] == ("SH-XX", "未知项目编码：系统中没有该项目")
    assert report[(20, "已收金额")] == ("450.00", "已收金额与减免金额之和超过应收金额")
    landed = {(row[0], row[1]) for row in ledger(factory) if row[1] == "2026-11"}
    assert landed == {
        ("1-201", "2026-11"),
        ("1-202", "2026-11"),
        ("1-301", "2026-11"),
        ("1-302", "2026-11"),
        ("1-401", "2026-11"),
        ("1-402", "2026-11"),
        ("1-501", "2026-11"),
    }


def test_when_the_same_files_are_imported_twice_then_nothing_changes(samples: Path, load, factory) -> None:
    for name in ("owners.csv", "receivables.csv", "payments.csv"):
        load(samples / name)
    before = ledger(factory)
    with factory() as session:
        counts = [session.execute(select(func.count()).select_from(m)).scalar_one() for m in (Owner, Contact, Payment)]
    results = [load(samples / name) for name in ("owners.csv", "receivables.csv", "payments.csv")]
    assert [(r.inserted, r.updated, r.unchanged == r.rows) for r in results] == [(0, 0, True)] * 3
    assert ledger(factory) == before
    with factory() as session:
        assert [
            session.execute(select(func.count()).select_from(m)).scalar_one() for m in (Owner, Contact, Payment)
        ] == counts


def test_when_an_amount_changes_then_the_receivable_is_updated_and_reported(samples: Path, load, factory) -> None:
    load(samples / "owners.csv")
    load(samples / "receivables.csv")
    changed = samples / "receivables_changed.csv"
    changed.write_text(
        REC_HEADER + "SH-XH,1-201,2025-11,物业费,700.00,2025-11-30\n"
        "SH-XH,1号楼202,2025年11月,物业费,470.93,2025/11/30\n",
        encoding="utf-8",
    )
    result = load(changed)
    assert (result.updated, result.unchanged, result.inserted) == (1, 1, 0)
    row = next(r for r in ledger(factory) if r[:2] == ("1-201", "2025-11"))
    assert row[3] == 70000 and row[5] == 64512  # paid amount kept: its column is not in the file


def test_when_one_person_owns_several_units_then_it_is_one_owner(samples: Path, load, factory) -> None:
    load(samples / "owners.csv")
    with factory() as session:
        units = session.execute(
            select(Unit.code, Unit.owner_id).where(Unit.code.in_(["5-201", "5-202", "5-1002"]))
        ).all()
        assert len({owner for _, owner in units}) == 1
        owner = session.get(Owner, units[0][1])
        mobiles = (
            session.execute(select(Contact.value).where(Contact.owner_id == owner.id, Contact.kind == "mobile"))
            .scalars()
            .all()
        )
        assert session.execute(select(func.count()).select_from(Owner)).scalar_one() == 104
    assert owner.merge_key == "李文英|13932389467" and mobiles == ["13932389467"]


def test_when_a_text_cell_holds_a_formula_then_the_row_is_rejected(samples: Path, load, factory) -> None:
    load(samples / "owners.csv")
    bad = samples / "formula.csv"
    bad.write_text(
        REC_HEADER + "SH-XH,1-201,2026-12,\"=cmd|' /C calc'!A0\",100.00,2026-12-31\n"
        "SH-XH,1-201,2026-12,物业费,100.00,2026-12-31\n",
        encoding="utf-8",
    )
    result = load(bad)
    assert (result.inserted, result.errors) == (1, 1)
    assert read_report(result.error_report)[0]["值"].startswith("'=cmd")
    assert {r[2] for r in ledger(factory) if r[1] == "2026-12"} == {"物业费"}


def test_when_a_cell_is_huge_then_only_its_row_fails(samples: Path, load, factory) -> None:
    load(samples / "owners.csv")
    hostile = samples / "huge.csv"
    hostile.write_text(
        REC_HEADER
        + "SH-XH,1-201,2026-12,物业费,"
        + "9" * 2_000_000
        + ",2026-12-31\n"
        + "SH-XH,1-202,2026-12,物业费,"
        + "x" * 300_000
        + ",2026-12-31\n"
        + "SH-XH,1-301,2026-12,物业费,100.00,2026-12-31\n",
        encoding="utf-8",
    )
    result = load(hostile)
    assert (result.rows, result.inserted, result.errors) == (3, 1, 2)
    report = read_report(result.error_report)
    assert [r["行号"] for r in report] == ["2", "3"]
    assert all(len(r["值"]) < 100 for r in report)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (bytes(range(256)) * 40, "二进制"),
        (b"abc,\x80\xff\xfe\n" * 10, "编码"),
        ("完全不是表格\n只是一段话\n".encode(), "未找到表头"),
        (b"", "文件为空"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
        (b"PK\x03\x04not really a zip", "Excel"),
    ],
)
def test_when_the_file_is_not_a_readable_table_then_a_chinese_file_error_is_raised(
    tmp_path: Path, load, content: bytes, message: str
) -> None:
    path = tmp_path / "hostile.csv"
    path.write_bytes(content)
    with pytest.raises(ImportFileError, match=message):
        load(path)


def test_when_headers_are_synonyms_in_gbk_with_a_title_row_then_the_import_works(samples: Path, load, factory) -> None:
    load(samples / "owners.csv")
    export = samples / "export.csv"
    export.write_bytes(
        (
            "应收明细表（2026年12月）\n项目编码,房间号,所属期间,收费项目,应收（元）,缴费期限,已收\n"
            'SH-XH,1-201,202612,车位管理费,"1,680.00",2026年12月31日,"￥1,000.00"\n'
        ).encode("gbk")
    )
    result = load(export)
    assert (result.rows, result.inserted, result.errors) == (1, 1, 0)
    row = next(r for r in ledger(factory) if r[2] == "车位管理费")
    assert row[1] == "2026-12" and row[3] == 168000 and row[5] == 100000


def test_when_owner_rows_are_bad_then_personal_values_are_masked_in_the_report(samples: Path, load, factory) -> None:
    path = samples / "owners_bad.csv"
    head = "项目编码,项目名称,城市,楼栋,房号,建筑面积,业主姓名,手机号,证件号码,业主标签\n"
    path.write_text(
        head
        + "SH-NEW,新项目,杭州,1号楼,101,90,王丽,13912345678,110105198503124523,老年\n"
        + "SH-NEW,新项目,杭州,1号楼,102,90,李强,1391234567,,\n"
        + "SH-NEW,新项目,杭州,1号楼,103,90,张伟,13800001111,110105198503124527,\n"
        + "SH-NEW,新项目,杭州,1号楼,101,90,赵敏,13800002222,,\n"
        + "SH-NEW,新项目,杭州,2号楼,1-201,90,孙悦,13800003333,,\n"
        + "SH-NEW,新项目,杭州,2号楼,201,90,周洁,13800004444,,VIP\n",
        encoding="utf-8",
    )
    result = load(path)
    assert (result.rows, result.inserted, result.errors) == (6, 1, 5)
    report = {(r["行号"], r["列"]): (r["值"], r["原因"]) for r in read_report(result.error_report)}
    assert report[("3", "手机号")] == ("139***4567", "手机号格式不正确，应为 11 位大陆手机号")
    assert report[("4", "证件号码")] == ("110***********4527", "证件号码校验位错误")
    assert report[("5", "项目编码+房号")] == ("SH-NEW/1-101", "与第 2 行重复")
    assert report[("6", "房号")][1] == "房号中的楼栋 1 与楼栋列 2 不一致"
    assert report[("7", "业主标签")][1].startswith("未知业主标签：VIP")
    with factory() as session:
        view = household_view(session, "SH-NEW/1-101")
    assert view.owner["title"] == "王女士" and view.project["city"] == "杭州"
