"""Cell parsers: tolerated formats normalise, bad ones raise CellError with a Chinese reason."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from data.importers import identity as ident
from data.importers import parsers as p
from data.importers import pii
from data.importers.columns import infer_kind, map_headers
from data.importers.errors import CellError, ImportFileError
from data.importers.report import display_value


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13912345678", "13912345678"),
        ("+86 139-1234-5678", "13912345678"),
        ("0086 13912345678", "13912345678"),
        ("139 1234 5678", "13912345678"),
        (13912345678.0, "13912345678"),
    ],
)
def test_when_mobile_has_prefix_or_separators_then_it_normalises(raw: object, expected: str) -> None:
    assert ident.parse_mobile(raw) == expected


@pytest.mark.parametrize("raw", ["12912345678", "1391234567", "139123456789", "电话13912345678", "021-64381234"])
def test_when_mobile_is_not_a_mainland_mobile_then_it_is_rejected(raw: str) -> None:
    with pytest.raises(CellError, match="手机号"):
        ident.parse_mobile(raw)


def test_when_id_number_checksum_is_right_then_it_is_accepted_and_x_upper_cased() -> None:
    assert ident.parse_id_number("11010519491231002x") == "11010519491231002X"  # GB 11643 example
    assert ident.parse_id_number("110105198503124523") == "110105198503124523"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("110105198503124527", "校验位"),
        ("110105198502304527", "出生日期"),
        ("11010519850312452", "18 位"),
    ],
)
def test_when_id_number_is_wrong_then_the_reason_says_why(raw: str, reason: str) -> None:
    with pytest.raises(CellError, match=reason):
        ident.parse_id_number(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-06-30", date(2024, 6, 30)),
        ("2024/6/30", date(2024, 6, 30)),
        ("2024.6.30", date(2024, 6, 30)),
        ("2024年6月30日", date(2024, 6, 30)),
        ("20240630", date(2024, 6, 30)),
        (45473, date(2024, 6, 30)),
        ("45473", date(2024, 6, 30)),
        (datetime(2024, 6, 30, 0, 0), date(2024, 6, 30)),
    ],
)
def test_when_date_is_in_a_known_format_then_it_parses(raw: object, expected: date) -> None:
    assert p.parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["2024-02-30", "下月底", "30/06/2024", "1999-12-31", "12"])
def test_when_date_is_invalid_then_it_is_rejected(raw: str) -> None:
    with pytest.raises(CellError):
        p.parse_date(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-06-28 10:32:11", datetime(2024, 6, 28, 10, 32, 11)),
        ("2024/6/28 10:32", datetime(2024, 6, 28, 10, 32)),
        ("2024-06-28T10:32:11", datetime(2024, 6, 28, 10, 32, 11)),
        ("2024-06-28", datetime(2024, 6, 28)),
        (45471.4375, datetime(2024, 6, 28, 10, 30)),
    ],
)
def test_when_timestamp_is_in_a_known_format_then_it_parses(raw: object, expected: datetime) -> None:
    assert p.parse_datetime(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-06", "2024-06"),
        ("2024-6", "2024-06"),
        ("2024年6月", "2024-06"),
        ("202406", "2024-06"),
        ("2024/06", "2024-06"),
        (202406, "2024-06"),
        (date(2024, 6, 1), "2024-06"),
    ],
)
def test_when_period_is_in_a_known_format_then_it_becomes_yyyy_mm(raw: object, expected: str) -> None:
    assert p.parse_period(raw) == expected


@pytest.mark.parametrize("raw", ["2024-13", "2024-00", "六月", "24-06"])
def test_when_period_is_invalid_then_it_is_rejected(raw: str) -> None:
    with pytest.raises(CellError, match="账期"):
        p.parse_period(raw)


@pytest.mark.parametrize(
    ("raw", "cents"),
    [
        ("1,680.00", 168000),
        ("¥1,680.00", 168000),
        ("￥ 99.5", 9950),
        ("0", 0),
        (1680.1, 168010),
        (12, 1200),
        ("10000000.00", 10**9),
        ("680元", 68000),
    ],
)
def test_when_amount_is_tolerated_then_it_becomes_cents(raw: object, cents: int) -> None:
    assert p.parse_amount(raw) == cents


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("-1.00", "负数"),
        (-5.0, "负数"),
        ("五百元", "不是数字"),
        ("1.234", "两位小数"),
        ("10000000.01", "上限"),
        ("1e5", "不是数字"),
        ("NaN", "不是数字"),
    ],
)
def test_when_amount_is_bad_then_the_reason_says_why(raw: object, reason: str) -> None:
    with pytest.raises(CellError, match=reason):
        p.parse_amount(raw)


@pytest.mark.parametrize("raw", ['=HYPERLINK("http://x","点击")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "  =1+1"])
def test_when_text_starts_like_a_formula_then_it_is_rejected(raw: str) -> None:
    with pytest.raises(CellError, match="公式"):
        p.parse_text(raw)


def test_when_text_is_too_long_or_has_control_chars_then_it_is_rejected() -> None:
    with pytest.raises(CellError, match="过长"):
        p.parse_text("物" * 65)
    with pytest.raises(CellError, match="控制字符"):
        p.parse_text("物业\x07费")


@pytest.mark.parametrize(
    ("raw", "building", "expected"),
    [
        ("4-1203", None, "4-1203"),
        ("4号楼1203", None, "4-1203"),
        ("4栋1203室", None, "4-1203"),
        ("1203", "4", "4-1203"),
        ("7栋2单元502室", None, "7-2-502"),
        ("7-2-502", None, "7-2-502"),
    ],
)
def test_when_unit_is_written_in_common_ways_then_the_code_is_canonical(
    raw: str, building: str | None, expected: str
) -> None:
    assert ident.parse_unit(raw, building) == expected


def test_when_unit_building_disagrees_with_building_column_then_it_is_rejected() -> None:
    with pytest.raises(CellError, match="不一致"):
        ident.parse_unit("5-1203", "4")


def test_when_tags_use_mixed_separators_then_they_split_and_unknown_tags_fail() -> None:
    assert ident.parse_tags("老年；高价值,敏感") == ["老年", "高价值", "敏感"]
    with pytest.raises(CellError, match="未知业主标签：VIP"):
        ident.parse_tags("老年；VIP")


def test_when_headers_use_synonyms_then_they_map_and_kind_is_inferred() -> None:
    headers = ["项目编码", "房间号", "所属期间", "收费项目", "应收金额（元）", "缴费期限", "*已收"]
    assert infer_kind(headers) == "receivables"
    assert map_headers(headers, "receivables") == {
        "project": 0,
        "unit": 1,
        "period": 2,
        "fee_type": 3,
        "amount": 4,
        "due_date": 5,
        "paid": 6,
    }
    assert infer_kind(["项目编码", "房屋编号", "实收金额", "缴费时间", "支付方式", "流水号"]) == "payments"


def test_when_a_receivables_export_also_names_the_owner_then_it_is_still_receivables() -> None:
    headers = ["项目编码", "房号", "业主姓名", "账期", "费项", "应收金额", "到期日"]
    assert infer_kind(headers) == "receivables"


def test_when_required_columns_are_missing_then_the_message_names_them_in_chinese() -> None:
    with pytest.raises(ImportFileError, match="应收账单文件缺少必填列：费项、到期日"):
        map_headers(["项目编码", "房号", "账期", "应收金额"], "receivables")


def test_when_report_shows_personal_or_formula_values_then_they_are_masked_and_neutralised() -> None:
    assert display_value("手机号", "13912345678") == "139****5678"
    assert display_value("业主姓名", "王丽") == "王*"
    assert display_value("证件号码", "110105198503124527") == "110***********4527"
    assert display_value("费项", "=1+1") == "'=1+1"
    assert display_value("费项", "x" * 5000).endswith("（共 5000 个字符）")
    assert pii.merge_key("王丽", "13912345678") == "王丽|13912345678"
