"""Synthetic but well-formed personal data owners sometimes paste into chats."""

from __future__ import annotations

import random

_MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "153",
    "155",
    "156",
    "158",
    "159",
    "177",
    "180",
    "185",
    "186",
    "187",
    "188",
    "189",
    "199",
)
_REGION_CODES = ("110105", "110108", "110101", "310115", "440305", "330106", "510107", "320106")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_CARD_BINS = (
    ("622202", "工商银行"),
    ("621700", "建设银行"),
    ("622848", "农业银行"),
    ("621661", "中国银行"),
    ("622588", "招商银行"),
    ("622262", "交通银行"),
)
SURNAMES = (
    "王",
    "李",
    "张",
    "刘",
    "陈",
    "杨",
    "赵",
    "黄",
    "周",
    "吴",
    "徐",
    "孙",
    "马",
    "朱",
    "胡",
    "郭",
)
GIVEN_NAMES = (
    "建国",
    "秀英",
    "丽华",
    "志强",
    "海燕",
    "伟",
    "静",
    "明",
    "晓东",
    "玉兰",
    "桂芳",
    "建华",
    "雪梅",
    "俊杰",
    "文博",
    "婷婷",
    "子涵",
    "国庆",
    "淑珍",
    "振华",
)
RELATIONS = ("爱人", "儿子", "女儿", "老伴", "妹妹", "哥哥", "儿媳", "女婿")


def mobile(rng: random.Random) -> str:
    """Return an 11-digit mainland mobile number."""
    return f"{rng.choice(_MOBILE_PREFIXES)}{rng.randrange(100_000_000):08d}"


def id_number(rng: random.Random) -> str:
    """Return an 18-digit resident ID with a valid ISO 7064 check digit."""
    body = (
        f"{rng.choice(_REGION_CODES)}{rng.randrange(1950, 2000)}"
        f"{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}{rng.randrange(1000):03d}"
    )
    total = sum(int(c) * w for c, w in zip(body, _ID_WEIGHTS, strict=True))
    return body + _ID_CHECK[total % 11]


def _luhn_digit(partial: str) -> str:
    total = 0
    for i, c in enumerate(reversed(partial)):
        d = int(c)
        if i % 2 == 0:  # doubled positions, counted from the check digit's left neighbour
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return str((10 - total % 10) % 10)


def bank_card(rng: random.Random) -> tuple[str, str]:
    """Return a Luhn-valid 16- or 19-digit card number and its bank name."""
    bin_, bank = rng.choice(_CARD_BINS)
    length = rng.choice((16, 19))
    partial = bin_ + "".join(str(rng.randrange(10)) for _ in range(length - 7))
    return partial + _luhn_digit(partial), bank


def full_name(rng: random.Random, surname: str | None = None) -> str:
    """Return a plausible Chinese full name, optionally with a fixed surname."""
    return (surname or rng.choice(SURNAMES)) + rng.choice(GIVEN_NAMES)


def pii_slots(rng: random.Random, owner_title: str) -> dict[str, str]:
    """Fill every PII slot a PII template may use.

    Args:
        rng: The injected random generator.
        owner_title: Like 王女士; its first character is taken as the owner's surname.

    Returns:
        Slot values for {phone}, {phone2}, {idno}, {card}, {bank}, {fullname}, {rel}, {relative}.
    """
    card, bank = bank_card(rng)
    return {
        "phone": mobile(rng),
        "phone2": mobile(rng),
        "idno": id_number(rng),
        "card": card,
        "bank": bank,
        "fullname": full_name(rng, owner_title[:1]),
        "rel": rng.choice(RELATIONS),
        "relative": full_name(rng),
    }
