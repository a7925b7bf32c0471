import random
import re

from data.generator.scenarios import CAUSE_IDS, pick_cause
from data.generator.scenarios.pii import bank_card, id_number, mobile

ID_RE = re.compile(r"(?<!\d)\d{17}[\dX](?!\d)")
MOBILE_RE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
CARD_RE = re.compile(r"(?<!\d)62\d{14}(?:\d{3})?(?!\d)")


def _luhn_ok(number: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(number)):
        d = int(c)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _id_ok(number: str) -> bool:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(c) * w for c, w in zip(number[:17], weights, strict=True)) % 11] == number[17]


def test_when_pii_generated_then_checksums_hold():
    rng = random.Random(5)
    for _ in range(500):
        assert _id_ok(id_number(rng))
        card, bank = bank_card(rng)
        assert _luhn_ok(card) and len(card) in (16, 19) and bank.endswith("银行")
        assert MOBILE_RE.fullmatch(mobile(rng))


def test_when_many_households_built_then_some_chats_leak_valid_pii(build):
    rng = random.Random(9)
    leaking = 0
    kinds = set()
    for seed in range(600):
        cause = pick_cause(rng)
        text = "\n".join(c.text for c in build(cause, seed).chats if c.speaker == "owner")
        found = False
        for m in ID_RE.findall(text):
            assert _id_ok(m)
            kinds.add("id")
            found = True
        for m in CARD_RE.findall(text):
            assert _luhn_ok(m)
            kinds.add("card")
            found = True
        if MOBILE_RE.search(text):
            kinds.add("mobile")
            found = True
        if "电话" in text and any(
            rel in text for rel in ("爱人", "儿子", "女儿", "老伴", "妹妹", "哥哥", "儿媳", "女婿")
        ):
            kinds.add("relative")
        leaking += found
    assert 0.06 * 600 <= leaking <= 0.2 * 600
    assert kinds == {"id", "card", "mobile", "relative"}


def test_when_pii_absent_from_rng_path_then_steward_lines_never_carry_it(build):
    for seed in range(300):
        s = build(CAUSE_IDS[seed % len(CAUSE_IDS)], seed)
        for c in s.chats:
            if c.speaker != "owner":
                assert not ID_RE.search(c.text) and not MOBILE_RE.search(c.text)
