"""Identity and classification parsers: mobile, email, ID number, units, tags, channels."""

from __future__ import annotations

import re
from datetime import date

from data.importers.errors import CellError
from data.importers.parsers import as_str, parse_text

OWNER_TAGS = ("老年", "残障", "敏感", "高价值", "问题业主")
PREF_CHANNELS = {
    "短信": "sms",
    "微信": "wechat",
    "电话": "phone",
    "上门": "visit",
    "邮件": "email",
    "邮箱": "email",
    "电话回访": "phone",
    "上门拜访": "visit",
}
PAY_CHANNELS = {
    "微信": "微信",
    "微信支付": "微信",
    "支付宝": "支付宝",
    "银行转账": "银行转账",
    "转账": "银行转账",
    "对公转账": "银行转账",
    "现金": "现金",
    "银联": "银联",
    "刷卡": "银联",
    "银行卡": "银联",
    "pos": "银联",
    "代扣": "银行转账",
    "银行代扣": "银行转账",
    "其他": "其他",
}
COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "诸葛",
    "上官",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "长孙",
    "宇文",
    "司徒",
    "夏侯",
)

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_WECHAT = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{4,39}$")
_NAME = re.compile(r"^[\u4e00-\u9fff·A-Za-z .]{2,32}$")
_UNIT = re.compile(
    r"^([0-9A-Za-z]{1,4})\s*(?:号楼|栋|幢|座|#|-|－|—)\s*(?:([0-9]{1,2})\s*单元\s*)?([0-9A-Za-z]{2,6})\s*(?:室|号)?$"
)
_UNIT3 = re.compile(r"^([0-9A-Za-z]{1,4})-([0-9]{1,2})-([0-9A-Za-z]{2,6})$")
_ROOM = re.compile(r"^(?:([0-9]{1,2})\s*单元\s*)?([0-9A-Za-z]{2,6})\s*(?:室|号)?$")
_BUILDING = re.compile(r"^([0-9A-Za-z]{1,4})\s*(?:号楼|号|栋|幢|座|#)?$")
_SEPARATORS = re.compile(r"[；;,，、/\s]+")


def parse_mobile(value: object) -> str:
    """Mainland mobile number, normalised to 11 digits (tolerates +86, 0086, spaces, dashes, brackets)."""
    digits = re.sub(r"[\s\-()（）.]", "", as_str(value))
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == 11 + len(prefix):
            digits = digits[len(prefix) :]
            break
    if not _MOBILE.match(digits):
        raise CellError("手机号格式不正确，应为 11 位大陆手机号")
    return digits


def parse_email(value: object) -> str:
    """E-mail address, lower-cased domain."""
    text = as_str(value)
    if len(text) > 128 or not _EMAIL.match(text):
        raise CellError("邮箱格式不正确")
    name, _, domain = text.rpartition("@")
    return f"{name}@{domain.lower()}"


def id_check_digit(first17: str) -> str:
    """GB 11643 check character for the first 17 digits of a resident ID."""
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def parse_id_number(value: object) -> str:
    """18-digit resident ID number with a valid birth date and check character."""
    text = re.sub(r"\s", "", as_str(value)).upper()
    if not re.fullmatch(r"\d{17}[\dX]", text):
        raise CellError("证件号码应为 18 位身份证号")
    try:
        date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError as exc:
        raise CellError("证件号码中的出生日期不存在") from exc
    if id_check_digit(text[:17]) != text[17]:
        raise CellError("证件号码校验位错误")
    return text


def parse_owner_name(value: object) -> str:
    """Owner name: Chinese or Latin letters, 2–32 characters."""
    text = parse_text(value, max_len=32)
    if not _NAME.match(text):
        raise CellError("业主姓名应为 2—32 个汉字或字母")
    return text


def parse_wechat(value: object) -> str:
    """WeChat ID: starts with a letter, 5–40 letters, digits, _ or -."""
    text = parse_text(value, max_len=40)
    if not _WECHAT.match(text):
        raise CellError("微信号格式不正确")
    return text


def parse_tags(value: object) -> list[str]:
    """Owner tags separated by ；, ; , 、 or spaces; each must be a known tag."""
    tags = [t for t in _SEPARATORS.split(parse_text(value, max_len=64)) if t]
    unknown = [t for t in tags if t not in OWNER_TAGS]
    if unknown:
        raise CellError(f"未知业主标签：{'、'.join(unknown)}（可选：{'、'.join(OWNER_TAGS)}）")
    return list(dict.fromkeys(tags))


def parse_pref_channel(value: object) -> str:
    """Preferred channel (短信/微信/电话/上门/邮件) as sms|wechat|phone|visit|email."""
    text = parse_text(value, max_len=16)
    if text not in PREF_CHANNELS:
        raise CellError("偏好渠道应为 短信、微信、电话、上门 或 邮件")
    return PREF_CHANNELS[text]


def parse_pay_channel(value: object) -> str:
    """Payment method normalised to 微信/支付宝/银行转账/现金/银联/其他."""
    text = parse_text(value, max_len=16)
    channel = PAY_CHANNELS.get(text.lower())
    if channel is None:
        raise CellError("未知支付方式（可选：微信、支付宝、银行转账、现金、银联、其他）")
    return channel


def parse_building(value: object) -> str:
    """Building number from 4, 4号楼, 4栋, 4幢, 4#; returns the bare number, e.g. '4'."""
    match = _BUILDING.match(parse_text(value, max_len=16))
    if not match:
        raise CellError("楼栋格式不正确，应为 4号楼 或 4栋")
    return match[1].upper()


def parse_unit(value: object, building: str | None = None) -> str:
    """Unit code '4-1203' (or '7-2-502' with a 单元) from 4-1203, 4号楼1203, 4栋1203室, or 1203 plus the building."""
    text = parse_text(value, max_len=32)
    match = _UNIT3.match(text) or _UNIT.match(text)
    if match:
        if building is not None and match[1].upper() != building:
            raise CellError(f"房号中的楼栋 {match[1]} 与楼栋列 {building} 不一致")
        parts = [match[1].upper(), match[2], match[3].upper()]
    else:
        room = _ROOM.match(text)
        if not room or building is None:
            raise CellError("房号格式不正确，应为 4-1203 或 4号楼1203")
        parts = [building, room[1], room[2].upper()]
    return "-".join(p for p in parts if p)


def unit_label(code: str) -> str:
    """Display label of a unit code: 4-1203 → 4号楼1203, 7-2-502 → 7号楼2单元502."""
    parts = code.split("-")
    if len(parts) == 3:
        return f"{parts[0]}号楼{parts[1]}单元{parts[2]}"
    return f"{parts[0]}号楼{parts[-1]}"


def polite_title(name: str, id_number: str | None) -> str:
    """王女士 / 李先生 from the ID number's sex digit; 王业主 when the sex is unknown."""
    surname = next((s for s in COMPOUND_SURNAMES if name.startswith(s)), name[:1])
    if not id_number:
        return f"{surname}业主"
    return surname + ("先生" if int(id_number[16]) % 2 else "女士")
