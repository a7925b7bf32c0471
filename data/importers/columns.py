"""Column specs of the three import kinds: headers, synonyms, parsers, required flags; header matching."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from data.importers import identity as ident
from data.importers import parsers as p
from data.importers.errors import ImportFileError


@dataclass(frozen=True)
class Column:
    """One input column.

    Attributes:
        key: Field name used in code.
        header: Canonical Chinese header (also used in the error report).
        parse: Cell parser returning a clean value or raising CellError.
        required: Whether the column must exist and its cells must be filled.
        synonyms: Other headers billing systems use for the same column.
    """

    key: str
    header: str
    parse: Callable[[Any], Any]
    required: bool = True
    synonyms: tuple[str, ...] = ()


PROJECT = Column("project", "项目编码", partial(p.parse_code, max_len=32), True, ("项目代码", "小区编码", "项目编号"))
UNIT = Column(
    "unit",
    "房号",
    partial(p.parse_text, max_len=32),
    True,
    ("房间号", "房屋编号", "房间编号", "房屋编码", "房屋", "户号"),
)
PERIOD = Column(
    "period", "账期", p.parse_period, True, ("所属期间", "费用期间", "所属账期", "计费期间", "期间", "月份")
)

OWNERS: tuple[Column, ...] = (
    PROJECT,
    Column("project_name", "项目名称", partial(p.parse_text, max_len=128), True, ("小区名称", "项目")),
    Column("city", "城市", partial(p.parse_text, max_len=32), True, ("所在城市",)),
    Column("region", "区域", partial(p.parse_text, max_len=32), False, ("大区", "片区")),
    Column("building", "楼栋", ident.parse_building, True, ("楼号", "楼栋号", "楼宇")),
    UNIT,
    Column("area", "建筑面积", p.parse_area, True, ("面积", "建筑面积(㎡)", "计费面积")),
    Column("name", "业主姓名", ident.parse_owner_name, True, ("业主", "姓名", "客户姓名", "业主名称")),
    Column("mobile", "手机号", ident.parse_mobile, True, ("联系电话", "手机", "手机号码", "电话", "联系方式")),
    Column("id_number", "证件号码", ident.parse_id_number, False, ("身份证号", "身份证号码", "证件号")),
    Column("email", "邮箱", ident.parse_email, False, ("电子邮箱", "邮件", "email")),
    Column("wechat", "微信号", ident.parse_wechat, False, ("微信",)),
    Column("tags", "业主标签", ident.parse_tags, False, ("标签", "客户标签")),
    Column("channel", "偏好渠道", ident.parse_pref_channel, False, ("联系偏好", "首选渠道")),
    Column("monthly_fee", "月物业费", p.parse_amount, False, ("物业费标准", "月度物业费", "月费")),
)

RECEIVABLES: tuple[Column, ...] = (
    PROJECT,
    UNIT,
    PERIOD,
    Column(
        "fee_type", "费项", partial(p.parse_text, max_len=16), True, ("费用项目", "收费项目", "费用类型", "收费科目")
    ),
    Column("amount", "应收金额", p.parse_amount, True, ("应收", "应缴金额", "应收款")),
    Column("due_date", "到期日", p.parse_date, True, ("应收日期", "截止日期", "缴费期限", "到期日期", "应缴日期")),
    Column("paid", "已收金额", p.parse_amount, False, ("已收", "已缴金额", "实收金额")),
    Column("written_off", "减免金额", p.parse_amount, False, ("减免", "优惠金额", "冲销金额")),
    Column("ref", "单据号", partial(p.parse_code, max_len=64), False, ("账单号", "单号", "票据号", "账单编号")),
)

PAYMENTS: tuple[Column, ...] = (
    PROJECT,
    UNIT,
    Column(PERIOD.key, PERIOD.header, PERIOD.parse, False, PERIOD.synonyms),
    Column("amount", "实收金额", p.parse_amount, True, ("实收", "缴费金额", "支付金额", "收款金额")),
    Column("paid_at", "缴费时间", p.parse_datetime, True, ("支付时间", "收款时间", "缴费日期", "交易时间")),
    Column("channel", "支付方式", ident.parse_pay_channel, True, ("缴费方式", "收款方式", "支付渠道")),
    Column(
        "ref", "流水号", partial(p.parse_code, max_len=64), True, ("交易流水号", "支付流水号", "交易单号", "收款单号")
    ),
)

KINDS: dict[str, tuple[Column, ...]] = {"owners": OWNERS, "receivables": RECEIVABLES, "payments": PAYMENTS}
KIND_NAMES = {"owners": "业主档案", "receivables": "应收账单", "payments": "缴费流水"}

_DECOR = re.compile(r"[\s\u3000*＊]|[（(][^）)]*[）)]$")


def normalize_header(cell: object) -> str:
    """Header text without spaces, required-markers (*) and a trailing unit like （元）."""
    text = "" if cell is None else str(cell).strip().lstrip("\ufeff")
    return _DECOR.sub("", text).lower()


def _index(columns: Sequence[Column]) -> dict[str, Column]:
    names: dict[str, Column] = {}
    for col in columns:
        for name in (col.header, *col.synonyms):
            names.setdefault(normalize_header(name), col)
    return names


def infer_kind(headers: Sequence[object]) -> str:
    """Guess the kind from header names: the kind whose required columns are best covered.

    Raises:
        ImportFileError: No header of any kind was recognised.
    """
    names = {normalize_header(h) for h in headers}
    best, best_score = "", (0.0, 0)
    for kind, columns in KINDS.items():
        index = _index(columns)
        keys = {index[n].key for n in names if n in index}
        required = [c for c in columns if c.required]
        score = (sum(c.key in keys for c in required) / len(required), len(keys))
        if score > best_score:
            best, best_score = kind, score
    if not best:
        raise ImportFileError("无法根据表头判断文件类型，请用 --kind 指定 owners、receivables 或 payments")
    return best


def header_score(headers: Sequence[object]) -> int:
    """How many cells of a row are known headers of any kind (used to find the header row)."""
    known = set().union(*(_index(cols) for cols in KINDS.values()))
    return sum(normalize_header(h) in known for h in headers)


def refuse_ambiguous(headers: Sequence[object], columns: Sequence[Column], what: str) -> None:
    """Raise ImportFileError when two header cells name the same field (e.g. 小区编码 and 项目编码).

    Taking either column would silently drop the other's values (and, for the project column, decide which
    project the rows are written to), so the whole file is refused and nothing is imported.
    """
    by_name = _index(columns)
    cells: dict[str, list[str]] = {}
    for cell in headers:
        col = by_name.get(normalize_header(cell))
        if col is not None:
            cells.setdefault(col.key, []).append(str(cell).strip())
    clashes = [(col, cells[col.key]) for col in columns if len(cells.get(col.key, ())) > 1]
    if clashes:
        detail = "；".join(f"{'、'.join(f'“{c}”' for c in names)} 都对应“{col.header}”" for col, names in clashes)
        raise ImportFileError(f"{what}文件表头有歧义：{detail}。请只保留其中一列后重新导入（本次未导入任何数据）")


def map_headers(headers: Sequence[object], kind: str) -> dict[str, int]:
    """Map column keys to cell positions; raise ImportFileError naming missing required columns.

    Args:
        headers: The header row as read.
        kind: owners, receivables or payments.

    Returns:
        ``{column key: index}`` for every recognised column.

    Raises:
        ImportFileError: A required column is missing, or two columns name the same field.
    """
    refuse_ambiguous(headers, KINDS[kind], KIND_NAMES[kind])
    by_name = _index(KINDS[kind])
    found: dict[str, int] = {}
    for position, cell in enumerate(headers):
        col = by_name.get(normalize_header(cell))
        if col is not None:
            found.setdefault(col.key, position)
    missing = [c.header for c in KINDS[kind] if c.required and c.key not in found]
    if missing:
        raise ImportFileError(f"{KIND_NAMES[kind]}文件缺少必填列：{'、'.join(missing)}")
    return found
