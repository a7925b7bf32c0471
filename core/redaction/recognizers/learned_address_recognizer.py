"""Free-form addresses found by the learned tagger (海淀区学院路, 金地名都5栋), not bare city names."""

from __future__ import annotations

from typing import TYPE_CHECKING

import regex

from core.redaction.entities import ADDRESS
from core.redaction.recognizers.learned_base import LearnedSpanRecognizer

_ROAD = regex.compile(r"(?:大道|大街|路|街|巷|弄|胡同|里|村|屯|组)(?:\d|$|[东南西北中口]|[^\p{Han}])?")
_ADMIN = regex.compile(r"(?:省|自治区|市|区|县|镇|乡|街道)")
_COMMUNITY = regex.compile(r"(?:小区|花园|家园|公寓|大厦|新村|新城|社区|苑|园|府|庭|城|居|坊|湾|院)")
_TAIL = regex.compile(
    r"\s*(?:\d{1,5}\s*号(?:院)?)?\s*(?:\d{1,2}\s*期)?\s*(?:(?:\d{1,3}|[A-Za-z])\s*(?:号楼|栋|幢|座|号))?"
    r"\s*(?:\d{1,2}\s*单元)?\s*(?:\d{3,4}\s*(?:室|房|号)?)?"
)

_GENERIC = frozenset({"小区", "社区", "园区", "本小区", "小区里", "楼栋", "单元", "楼道", "物业"})
"""Words for the estate the steward already manages, not an address."""

if TYPE_CHECKING:
    from core.redaction.learned.model import Span


class LearnedAddressRecognizer(LearnedSpanRecognizer):
    """Recognize learned LOC spans that are addresses.

    A place is reported when it names a road, street or village (学院路, 建国路88号), when a
    door/building/room number follows it (金地名都5栋302), or when an administrative area
    precedes a community (海淀区清河小区). A city, province or country alone (北京, 美国) and a
    bare community name are not personal data and are left alone.
    """

    ENTITY = ADDRESS
    LABEL = "LOC"
    CONTEXT = ["住在", "地址", "寄到", "搬到", "家在"]
    BASE_SCORE = 0.55

    def accept(self, text: str, span: Span) -> tuple[int, int] | None:
        """Widen over a following number tail; keep only address-like places."""
        value = text[span.start : span.end]
        if sum(1 for ch in value if regex.match(r"\p{Han}", ch)) < 2 or value.strip() in _GENERIC:
            return None  # 号5901, 月 3 号, a bare 小区: not a place of anyone's
        tail = _TAIL.match(text, span.end)
        end = tail.end() if tail and tail.group().strip() else span.end
        widened = end > span.end and any(ch.isdigit() for ch in text[span.end : end])
        road = _ROAD.search(value) is not None
        community = _COMMUNITY.search(value) is not None
        admin_count = len(_ADMIN.findall(value))
        if widened or road or (community and admin_count >= 1):
            while end > span.start and text[end - 1].isspace():
                end -= 1
            return span.start, end
        return None
