"""Cell parsers: text, amounts, dates, periods; each returns a clean value or raises CellError."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from data.importers.errors import CellError

MAX_CELL_CHARS = 500
MAX_AMOUNT_CENTS = 10**7 * 100
FORMULA_PREFIXES = ("=", "+", "-", "@")
EXCEL_EPOCH = datetime(1899, 12, 30)
MIN_DATE, MAX_DATE = date(2000, 1, 1), date(2099, 12, 31)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_AMOUNT = re.compile(r"^\d+(?:\.\d+)?$")
_SPACES = re.compile(r"[\s\u3000]+")
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_PERIOD_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月?$"),
    re.compile(r"^(\d{4})(\d{2})$"),
)
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?$")


def is_blank(value: object) -> bool:
    """True for None and for strings holding only whitespace."""
    return value is None or (isinstance(value, str) and not value.strip())


def as_str(value: object) -> str:
    """Cell value as stripped text; integral floats lose their '.0' (Excel numbers)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_text(value: object, *, max_len: int = 64) -> str:
    """Validate a free-text cell.

    Formula-looking text (starting with = + - @) is rejected rather than neutralised: these cells are
    names and keys, and silently changing them would corrupt matching.
    """
    text = as_str(value).replace("\u3000", " ").strip()
    if "\ufffd" in text:
        raise CellError("含无法解码的字符（文件编码不一致）")
    if _CONTROL.search(text):
        raise CellError("含不可见的控制字符")
    if text.startswith(FORMULA_PREFIXES):
        raise CellError("疑似公式注入：文本不能以 = + - @ 开头")
    if len(text) > max_len:
        raise CellError(f"内容过长：{len(text)} 个字符，最多 {max_len} 个")
    return text


def parse_code(value: object, *, max_len: int = 32) -> str:
    """A code (项目编码, 单据号, 流水号): text without inner spaces."""
    text = parse_text(value, max_len=max_len)
    if _SPACES.search(text):
        raise CellError("编码中不能有空格")
    return text


def _decimal_from(value: object) -> Decimal:
    if isinstance(value, bool):
        raise CellError("金额不是数字")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        rounded = round(value, 2)
        if abs(value - rounded) > 1e-6:
            raise CellError("金额最多两位小数")
        return Decimal(repr(rounded))
    text = _SPACES.sub("", as_str(value))
    text = text.replace(",", "").replace("，", "").lstrip("¥￥").removesuffix("元")
    if text.startswith("-"):
        raise CellError("金额不能为负数")
    if not _AMOUNT.match(text):
        raise CellError("金额不是数字")
    try:
        return Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the regex already guards this
        raise CellError("金额不是数字") from exc


def parse_amount(value: object) -> int:
    """Yuan to integer cents: ≥ 0, ≤ 10,000,000.00, at most two decimals; tolerates 1,680.00 and ¥."""
    dec = _decimal_from(value)
    if dec < 0:
        raise CellError("金额不能为负数")
    if dec != dec.quantize(Decimal("0.01")):
        raise CellError("金额最多两位小数")
    cents = int(dec * 100)
    if cents > MAX_AMOUNT_CENTS:
        raise CellError("金额超过上限 10,000,000.00 元")
    return cents


def parse_area(value: object) -> float:
    """Floor area in m² (0 < area ≤ 10,000), two decimals kept."""
    try:
        area = float(_SPACES.sub("", as_str(value)).replace(",", "").removesuffix("㎡").removesuffix("平方米"))
    except ValueError as exc:
        raise CellError("面积不是数字") from exc
    if not 0 < area <= 10_000:
        raise CellError("面积应在 0 到 10000 平方米之间")
    return round(area, 2)


def _checked_date(year: int, month: int, day: int) -> date:
    try:
        result = date(year, month, day)
    except ValueError as exc:
        raise CellError("日期不存在") from exc
    if not MIN_DATE <= result <= MAX_DATE:
        raise CellError("日期超出合理范围（2000—2099 年）")
    return result


def _from_serial(value: float) -> datetime:
    if not 30_000 <= value <= 80_000:
        raise CellError("日期格式不正确")
    return EXCEL_EPOCH + timedelta(days=value)


def parse_date(value: object) -> date:
    """A date: 2024-06-30, 2024/6/30, 2024.6.30, 2024年6月30日, 20240630 or an Excel serial/date cell."""
    if isinstance(value, datetime):
        return _checked_date(value.year, value.month, value.day)
    if isinstance(value, date):
        return _checked_date(value.year, value.month, value.day)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _from_serial(float(value)).date() if value >= 30_000 else parse_date(str(int(value)))
    text = _SPACES.sub("", as_str(value))
    text = text.split("T", 1)[0] if "T" in text else text
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            return _checked_date(*(int(g) for g in match.groups()))
    if re.fullmatch(r"\d{5}(?:\.\d+)?", text):
        return _from_serial(float(text)).date()
    raise CellError("日期格式不正确，应为 2024-06-30")


def parse_datetime(value: object) -> datetime:
    """A timestamp: a date as in parse_date, optionally followed by HH:MM[:SS]; Excel serials keep the time."""
    if isinstance(value, datetime):
        parse_date(value)
        return value.replace(microsecond=0, tzinfo=None)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 30_000:
        stamp = _from_serial(float(value))
        return (stamp + timedelta(microseconds=500_000)).replace(microsecond=0)
    text = as_str(value).replace("T", " ").strip()
    day_part, _, time_part = text.partition(" ")
    day = parse_date(day_part)
    time_part = time_part.strip()
    if not time_part:
        return datetime.combine(day, time())
    match = _TIME.match(time_part)
    if not match:
        raise CellError("时间格式不正确，应为 2024-06-28 10:32:11")
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise CellError("时间不存在")
    return datetime.combine(day, time(hour, minute, second))


def parse_period(value: object) -> str:
    """A billing period as YYYY-MM from 2024-06, 2024年6月, 202406, 2024/06 or a date cell."""
    if isinstance(value, (date, datetime)):
        year, month = value.year, value.month
    else:
        text = _SPACES.sub("", as_str(value))
        for pattern in _PERIOD_PATTERNS:
            match = pattern.match(text)
            if match:
                year, month = int(match[1]), int(match[2])
                break
        else:
            raise CellError("账期格式不正确，应为 2024-06、2024年6月 或 202406")
    if not 1 <= month <= 12:
        raise CellError("账期月份应在 1—12 之间")
    if not MIN_DATE.year <= year <= MAX_DATE.year:
        raise CellError("账期年份超出合理范围")
    return f"{year:04d}-{month:02d}"
