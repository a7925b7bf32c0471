"""Entity type names detected by the Chinese recognizers and their placeholder labels."""

from __future__ import annotations

MOBILE = "CN_MOBILE"
LANDLINE = "CN_LANDLINE"
RESIDENT_ID = "CN_RESIDENT_ID"
BANK_CARD = "CN_BANK_CARD"
EMAIL = "EMAIL_ADDRESS"
WECHAT_ID = "CN_WECHAT_ID"
LICENSE_PLATE = "CN_LICENSE_PLATE"
ADDRESS = "CN_ADDRESS"
PERSON = "PERSON"
KNOWN_VALUE = "KNOWN_VALUE"
"""A caller-supplied literal (e.g. a name from the database) found by the boundary check."""

ALL_ENTITIES: tuple[str, ...] = (
    MOBILE,
    LANDLINE,
    RESIDENT_ID,
    BANK_CARD,
    EMAIL,
    WECHAT_ID,
    LICENSE_PLATE,
    ADDRESS,
    PERSON,
)

PLACEHOLDER_LABELS: dict[str, str] = {
    MOBILE: "手机号",
    LANDLINE: "座机",
    RESIDENT_ID: "身份证号",
    BANK_CARD: "银行卡号",
    EMAIL: "邮箱",
    WECHAT_ID: "微信号",
    LICENSE_PLATE: "车牌",
    ADDRESS: "地址",
    PERSON: "人员",
    KNOWN_VALUE: "敏感信息",
}
"""Chinese label used in numbered placeholders such as 【手机号1】."""

PRIORITY: dict[str, int] = {
    RESIDENT_ID: 9,
    BANK_CARD: 8,
    MOBILE: 7,
    LANDLINE: 6,
    EMAIL: 6,
    LICENSE_PLATE: 5,
    WECHAT_ID: 5,
    PERSON: 4,
    ADDRESS: 3,
    KNOWN_VALUE: 2,
}
"""Tie-breaker when spans of different types overlap with equal scores (higher wins)."""
