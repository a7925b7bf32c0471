"""Fast, deterministic Chinese names, phones and ID numbers for sample owners."""

from __future__ import annotations

import random
from datetime import date

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华玉兰萍建红文辉鹏飞雪梅琳晨宇浩然欣怡子涵思远佳慧志国海燕凤春"
MOBILE_PREFIXES = (
    "138",
    "139",
    "136",
    "137",
    "135",
    "150",
    "151",
    "152",
    "158",
    "159",
    "186",
    "187",
    "188",
    "177",
    "180",
    "189",
    "133",
    "153",
)
AREA_CODES = ("110105", "110108", "310115", "440106", "440305", "510107", "420111", "330108")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def person_name(rng: random.Random) -> tuple[str, str, str]:
    """Return (full name, surname, gender) — gender is 女 or 男."""
    surname = rng.choice(SURNAMES)
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return surname + given, surname, ("女" if rng.random() < 0.5 else "男")


def title_for(surname: str, gender: str) -> str:
    """Polite title used in chats: 王女士 / 李先生."""
    return surname + ("女士" if gender == "女" else "先生")


def mobile(rng: random.Random) -> str:
    """A syntactically valid mainland mobile number."""
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def id_check_digit(first17: str) -> str:
    """GB 11643 check character for the first 17 digits."""
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def id_number(rng: random.Random, born: date) -> str:
    """A checksum-valid 18-digit resident ID number."""
    first17 = rng.choice(AREA_CODES) + born.strftime("%Y%m%d") + f"{rng.randrange(1000):03d}"
    return first17 + id_check_digit(first17)
