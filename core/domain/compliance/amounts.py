"""Amount rule: every amount quoted in a message must match the ledger or an allowed amount."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from core.domain.compliance.text import normalize, text_failure
from core.domain.compliance.types import ComplianceContext, Failure, OutgoingMessage

RULES: tuple[str, ...] = ("amount_mismatch",)

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "壹": 1,
    "二": 2,
    "贰": 2,
    "两": 2,
    "三": 3,
    "叁": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陆": 6,
    "七": 7,
    "柒": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
}
_CN_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_CN_CHARS = "".join(_CN_DIGITS) + "".join(_CN_UNITS) + "万"
# 块 counts as a currency unit only as 块钱 or at a clause end, never in 两块玻璃.
_UNIT = r"(?:元|块(?=钱|[^\u4e00-\u9fff]|$))"
_ARABIC_RE = re.compile(
    r"(?P<cur>[¥]|rmb|人民币)?(?P<neg>[-−－负])?(?<![\d.,])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)"
    r"(?P<wan>万)?(?P<unit>" + _UNIT + r")?"
)
_CN_RE = re.compile(
    r"(?<![\d.,])(?P<cn>[" + _CN_CHARS + r"]+)" + _UNIT + r"(?:(?P<jiao>[" + "".join(_CN_DIGITS) + r"])角)?"
    r"(?:(?P<fen>[" + "".join(_CN_DIGITS) + r"])分)?"
)
# A price per month/area is a rate (物业费560元/月), not an amount owed.
_RATE_AFTER_RE = re.compile(r"^(?:/|每|一)(?:个)?(?:月|年|季|季度|平|平方|平米|m2|㎡|期|户|天)")
_RATE_BEFORE_RE = re.compile(r"(?:单价|标准|每平方?米?|每平)$")


@dataclass(frozen=True)
class QuotedAmount:
    """An amount found in a text, with its span in the normalised text."""

    value: Decimal
    start: int
    end: int


def cn_to_int(s: str) -> int | None:
    """Parse a Chinese numeral like 一千六百八十 or 两万三千; None when malformed."""
    total, section, digit = 0, 0, None
    for ch in s:
        if ch in _CN_DIGITS:
            if digit is not None and digit != 0:
                return None
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            section += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit = None
        elif ch == "万":
            total += (section + (digit or 0)) * 10000
            section, digit = 0, None
        else:
            return None
    return total + section + (digit or 0)


def _is_rate(norm: str, start: int, end: int) -> bool:
    return bool(_RATE_AFTER_RE.match(norm[end:]) or _RATE_BEFORE_RE.search(norm[max(0, start - 6) : start]))


def _arabic(norm: str) -> list[QuotedAmount]:
    found = []
    for m in _ARABIC_RE.finditer(norm):
        if not (m.group("cur") or m.group("unit")):
            continue
        try:
            value = Decimal(m.group("num").replace(",", ""))
        except InvalidOperation:
            continue
        if m.group("wan"):
            value *= 10000
        if m.group("neg"):
            value = -value  # "-1680.00元" is not the ledger amount
        if not _is_rate(norm, m.start(), m.end()):
            found.append(QuotedAmount(value, m.start(), m.end()))
    return found


def _chinese(norm: str) -> list[QuotedAmount]:
    found = []
    for m in _CN_RE.finditer(norm):
        whole = cn_to_int(m.group("cn"))
        if whole is None or _is_rate(norm, m.start(), m.end()):
            continue
        value = Decimal(whole)
        if m.group("jiao"):
            value += Decimal(_CN_DIGITS[m.group("jiao")]) / 10
        if m.group("fen"):
            value += Decimal(_CN_DIGITS[m.group("fen")]) / 100
        found.append(QuotedAmount(value, m.start(), m.end()))
    return found


def extract_amounts(text: str) -> list[QuotedAmount]:
    """Return the money amounts quoted in `text` (rates like 560元/月 are skipped).

    Recognises 1,680元, 1680.00元, ￥1680, 1.68万元, 一千六百八十元, 壹仟陆佰捌拾元.
    """
    norm = normalize(text).norm
    return sorted(_arabic(norm) + _chinese(norm), key=lambda a: a.start)


def check(msg: OutgoingMessage, ctx: ComplianceContext) -> list[Failure]:
    """Flag amounts that are neither the ledger amount nor an allowed amount."""
    nt = normalize(msg.text)
    allowed = {ctx.ledger_amount, *ctx.allowed_amounts}
    failures = []
    for amount in _arabic(nt.norm) + _chinese(nt.norm):
        if amount.value in allowed:
            continue
        failures.append(
            text_failure(
                "amount_mismatch",
                msg,
                nt,
                amount.start,
                amount.end,
                f"金额 {amount.value.normalize():f} 元与账单金额 {ctx.ledger_amount:f} 元不一致",
                f"以账单为准，改为 {ctx.ledger_amount:f} 元，或删除该金额",
            )
        )
    return failures
