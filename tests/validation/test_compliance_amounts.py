"""Amount extraction and the amount_mismatch rule."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.domain.compliance import extract_amounts
from core.domain.compliance.amounts import cn_to_int
from tests.validation.compliance_helpers import rules


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("本期物业费1,680元", [Decimal("1680")]),
        ("合计1680.00元", [Decimal("1680.00")]),
        ("应缴￥1680", [Decimal("1680")]),
        ("应缴¥1,680.50", [Decimal("1680.50")]),
        ("共一千六百八十元", [Decimal("1680")]),
        ("共壹仟陆佰捌拾元整", [Decimal("1680")]),
        ("约1.68万元", [Decimal("16800")]),
        ("两块钱", [Decimal("2")]),
        ("物业费560元/月", []),
        ("收费标准2.5元每平方米", []),
        ("4号楼2单元1203室，3月15日", []),
        ("换了两块玻璃", []),
    ],
)
def test_when_text_quotes_money_then_amounts_are_extracted(text: str, values: list[Decimal]) -> None:
    assert [a.value for a in extract_amounts(text)] == values


@pytest.mark.parametrize(
    ("numeral", "value"), [("十八", 18), ("一千零八十", 1080), ("两万三千", 23000), ("一六八", None)]
)
def test_when_chinese_numeral_is_parsed_then_value_matches(numeral: str, value: int | None) -> None:
    assert cn_to_int(numeral) == value


@pytest.mark.parametrize(
    ("text", "mismatch"),
    [
        ("您本期物业费1,680.00元", False),
        ("您本期物业费1580元", True),
        ("可分6期，每期280元", False),
        ("每期300元", True),
        ("共计一千六百八十元", False),
        ("共计一千五百八十元", True),
        ("物业费560元/月", False),
        ("应缴￥1680，已缴￥0", True),
    ],
)
def test_when_amount_differs_from_ledger_then_amount_mismatch_fails(text: str, mismatch: bool) -> None:
    assert ("amount_mismatch" in rules(text)) is mismatch
