"""Addresses: building and room numbers (4号楼1203, 7栋2单元502室) and street addresses."""

from __future__ import annotations

from presidio_analyzer import Pattern

from core.redaction.entities import ADDRESS
from core.redaction.recognizers.base import CJK, ChinesePatternRecognizer

# Characters that end a place name rather than belong to it (particles, pronouns, verbs).
_STOP = "的了在是我你他她它们住到从往去来和与及或跟给把被让请说要想也都就还很又再已这那个些有为以对向着过并而但因所，。、；：！？"
_NAME_CHAR = rf"(?:(?![{_STOP}])[{CJK}])"
_ESTATE_STOP = _STOP.replace("都", "")
_ESTATE_CHAR = rf"(?:(?![{_ESTATE_STOP}])[{CJK}])"
"""An estate name may hold 都 (金地名都), unlike other place names."""
_ESTATE_SUFFIX = (
    r"(?:花园|华庭|华府|名都|名苑|家园|嘉园|雅苑|雅居|新村|公寓|大厦|公馆|广场|国际|山庄|苑|府|城|湾|庭|居)"
)
_BUILDING = r"(?:\d{1,3}|[A-Za-z])\s*(?:号楼|栋|幢|座)"
_UNIT = r"\d{1,2}\s*单元"
_ROOM = r"\d{3,4}(?:\s*(?:室|房|号))?"
_NOT_AMOUNT = r"(?![\d.元块万%％:：])"

_ADMIN = (
    rf"(?:{_NAME_CHAR}{{2,6}}?(?:省|自治区))?"
    rf"(?:{_NAME_CHAR}{{1,6}}?市)?"
    rf"(?:{_NAME_CHAR}{{1,6}}?(?:区|县|镇))?"
)
_ROAD = rf"{_NAME_CHAR}{{1,8}}?(?:大道|大街|路|街|巷|胡同|弄)"
_STREET_NUMBER = r"\s*\d{1,5}\s*号(?:院)?"
_STREET_TAIL = rf"(?:\s*{_BUILDING})?(?:\s*{_UNIT})?(?:\s*{_ROOM})?"


class ChineseAddressRecognizer(ChinesePatternRecognizer):
    """Recognize unit numbers and street addresses.

    A building number on its own (12号楼, 4 号楼楼梯口) names a shared place, not a
    household, and is deliberately not matched; a room number (with or without the
    building), a building after an estate name of three or more characters (锦绣华庭3号楼)
    or a street address with a door number is.
    """

    ENTITY = ADDRESS
    PATTERNS = [
        Pattern(
            "building_room",
            rf"(?<![\dA-Za-z]){_BUILDING}\s*(?:{_UNIT}\s*)?(?:\d{{1,2}}\s*[层楼]\s*)?{_ROOM}{_NOT_AMOUNT}",
            0.8,
        ),
        Pattern(
            # A named estate with a building (金地名都5栋302, 锦绣华庭3号楼): a home, unlike 3号楼 alone.
            # The estate follows a verb of place (在/住/到/是/去/回) or ends like an estate name.
            "estate_building",
            rf"(?:(?<=[在住到是去回搬])(?!小区|本小区|我们|你们){_ESTATE_CHAR}{{3,8}}|{_ESTATE_CHAR}{{1,6}}{_ESTATE_SUFFIX})"
            rf"(?:\s*[\d一二三四五六七八九十]{{1,2}}\s*期)?\s*{_BUILDING}(?:\s*{_UNIT})?(?:\s*(?:\d{{1,2}}\s*[层楼]\s*)?{_ROOM})?{_NOT_AMOUNT}",
            0.7,
        ),
        Pattern("unit_room", rf"(?<![\d号栋幢座]\s*)(?<!\d){_UNIT}\s*{_ROOM}{_NOT_AMOUNT}", 0.75),
        Pattern("room_only", r"(?<![\d-])\d{3,4}\s*(?:室|房间|房)(?!\d)", 0.6),
        Pattern(
            "neighbour_room",
            r"(?<=(?:楼上|楼下|隔壁|对门|住在|房号)[:：\s]*)\d{3,4}(?![\d.元块万%％:：年月日号个次人户])",
            0.6,
        ),
        Pattern("dashed_unit", r"(?<![\d-])\d{1,3}-\d{1,2}-\d{3,4}(?![\d-])", 0.35),
        Pattern("street", rf"{_ADMIN}{_ROAD}{_STREET_NUMBER}{_STREET_TAIL}{_NOT_AMOUNT}", 0.8),
        Pattern(
            "labelled",
            r"(?<=(?:地址|住址|家住|收货地址|通讯地址)\s*[:：]\s*)[^\s，。；！？,;!?\n]{4,40}",
            0.85,
        ),
    ]
    CONTEXT = ["房号", "门牌", "住", "户", "单元", "地址", "楼"]
