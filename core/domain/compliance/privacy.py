"""Privacy rules: PII leaks, hardship details, third-party contact and public posting."""

from __future__ import annotations

import re

from core.domain.compliance.lexicon import (
    EMERGENCY_CONTACT,
    HARDSHIP_TERMS,
    KIN_TERMS,
    NEIGHBOUR_TERMS,
    WORK_TERMS,
    alternation,
)
from core.domain.compliance.text import NormText, negated, normalize, sentence_at, text_failure
from core.domain.compliance.types import ComplianceContext, Failure, OutgoingMessage

RULES: tuple[str, ...] = ("pii_leak", "hardship_detail", "third_party", "public_posting")

_ID_RE = re.compile(r"(?<![0-9a-z])\d{17}[0-9x](?![0-9a-z])")
_CARD_RE = re.compile(r"(?<![0-9a-z])\d{16,19}(?![0-9a-z])")
_ACCOUNT_RE = re.compile(r"(?:身份证|证件|银行卡|卡号|账号|账户)[^,，。!！?？;；\n]{0,8}?(\d[\d-]{9,})")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10x98765432"

_HARDSHIP_RE = re.compile(alternation(HARDSHIP_TERMS))

_FILL = r"[^,，。!！?？;；:：、\n]{0,4}?"
_VERB = r"(?:联系|通知|告诉|告知|转告|知会|致电|打电话给|打给|拜访|约谈|发短信给|通报给|反映给)"
_VISIT = r"(?:找|去找|上门找)(?:你|您)"
_POSS = r"(?:你|您)(?:们)?(?:的|家|家里|所在的?)?"
_KIN = alternation(KIN_TERMS + NEIGHBOUR_TERMS)
_WORK = alternation(WORK_TERMS)
THIRD_PARTY_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"(?:" + _VERB + r"|" + _VISIT + r")" + _FILL + r"(?:" + _KIN + r")"),
    re.compile(r"(?:" + _VERB + r"|" + _VISIT + r")" + _FILL + _POSS + r"(?:" + _WORK + r")"),
    re.compile(_POSS + r"(?:" + _KIN + r"|" + _WORK + r")(?:都|也)?(?:会|将)?(?:知道|得知|收到)"),
    re.compile(r"(?:去|到|上)" + _POSS + r"(?:" + _WORK + r"|" + _KIN + r")(?:家)?(?:找|闹|说|问)"),
    re.compile(r"(?:跟|和|向)" + _POSS + r"?(?:" + _KIN + r"|" + _WORK + r")(?:说|讲|反映|打招呼|通报|告状)"),
)
_EMERGENCY_RE = re.compile(_VERB + _FILL + EMERGENCY_CONTACT)

_POST_RE = re.compile(
    r"公示|公布|公开|张贴|贴出|贴到|贴在|通报|挂出|挂到|点名|晒出|晒到|上墙|发到(?:业主)?群|发(?:业主)?群里"
    r"|(?:业主群|群里|微信群|朋友圈|公告栏|宣传栏|电梯里|电梯内|大堂|楼道)[^,，。!！?？;；\n]{0,6}?(?:发|说|讲|贴|挂)"
)
_ALWAYS_RE = re.compile(
    r"曝光|黑榜|红黑榜|欠费榜|点名批评|通报批评|挂墙"
    r"|(?:业主群|群里|微信群|朋友圈|公告栏|宣传栏|电梯里|大堂|楼道)[^,，。!！?？;；\n]{0,6}?(?:点名|通报)"
)
_ARREARS_RE = re.compile(r"欠费|欠缴|未缴|拖欠|欠款|未交")
_ANON = r"隐去|隐藏|不含|去除|不显示|不公布|匿名|不公开|不写|不标注|隐匿"
_ANON_RE = re.compile(_ANON)
_IDENT = r"姓名|名字|全名|房号|门牌|户号|室号|照片|名单|身份"
_ANON_LIST_RE = re.compile(r"(?:" + _ANON + r")(?:" + _IDENT + r"|和|及|与|或|、|/|,|号)+")
_IDENT_RE = re.compile(_IDENT)


def _valid_id(number: str) -> bool:
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17]


def _luhn(number: str) -> bool:
    digits = [int(d) for d in reversed(number)]
    total = sum(digits[0::2]) + sum(sum(divmod(2 * d, 10)) for d in digits[1::2])
    return total % 10 == 0


def _value_pattern(value: str) -> re.Pattern[str] | None:
    """Pattern for one sensitive value; digit strings match across separators (138-0013-8000)."""
    norm = normalize(value).norm
    digits = re.sub(r"\D", "", norm)
    if len(digits) >= 7 and len(digits) >= len(norm) - 4:
        return re.compile(r"[-.]?".join(digits))
    return re.compile(re.escape(norm)) if len(norm) >= 2 else None


def pii_spans(nt: NormText, ctx: ComplianceContext) -> list[tuple[int, int, str]]:
    """Return (start, end, kind) of PII in the normalised text, without overlaps."""
    found: list[tuple[int, int, str]] = []

    def add(start: int, end: int, kind: str) -> None:
        if not any(a < end and start < b for a, b, _ in found):
            found.append((start, end, kind))

    for value in ctx.sensitive_values:
        pattern = _value_pattern(value)
        for m in pattern.finditer(nt.norm) if pattern else ():
            add(m.start(), m.end(), "业主个人信息")
    for m in _ID_RE.finditer(nt.norm):
        if _valid_id(m.group()):
            add(m.start(), m.end(), "身份证号")
    for m in _CARD_RE.finditer(nt.norm):
        if _luhn(m.group()):
            add(m.start(), m.end(), "银行卡号")
    for m in _ACCOUNT_RE.finditer(nt.norm):
        add(m.start(1), m.end(1), "证件号或账号")
    return sorted(found)


def check_pii(msg: OutgoingMessage, ctx: ComplianceContext) -> list[Failure]:
    """Flag the owner's raw identifiers, ID numbers and bank accounts in the text."""
    nt = normalize(msg.text)
    return [
        text_failure(
            "pii_leak",
            msg,
            nt,
            a,
            b,
            f"话术中出现{kind}，不得在外发内容中包含",
            "删除或脱敏该信息（如 138****0000），通过官方缴费链接完成支付",
        )
        for a, b, kind in pii_spans(nt, ctx)
    ]


def mask_pii(text: str, ctx: ComplianceContext) -> str:
    """Return `text` with every PII span replaced by asterisks."""
    nt = normalize(text)
    chars = list(text)
    for a, b, _ in pii_spans(nt, ctx):
        start, end = nt.span(a, b)
        chars[start:end] = ["*"] * (end - start)
    return "".join(chars)


def check_hardship(msg: OutgoingMessage, ctx: ComplianceContext) -> list[Failure]:
    """Flag hardship details (job loss, divorce, illness...) in outgoing text."""
    nt = normalize(msg.text)
    return [
        text_failure(
            "hardship_detail",
            msg,
            nt,
            m.start(),
            m.end(),
            f"外发内容不得提及业主的困难细节“{m.group()}”",
            "删除该细节；可改为“如有特殊情况，可申请分期或减免”",
        )
        for m in _HARDSHIP_RE.finditer(nt.norm)
    ]


def check_third_party(msg: OutgoingMessage, ctx: ComplianceContext) -> list[Failure]:
    """Flag contacting or informing relatives, employers or neighbours."""
    nt = normalize(msg.text)
    failures: list[Failure] = []
    hits = [m for p in THIRD_PARTY_PATTERNS for m in p.finditer(nt.norm)]
    if msg.stage == "预警":
        hits += list(_EMERGENCY_RE.finditer(nt.norm))
    taken: list[tuple[int, int]] = []
    for m in sorted(hits, key=lambda m: m.start()):
        if any(a < m.end() and m.start() < b for a, b in taken) or negated(nt, m.start()):
            continue
        taken.append((m.start(), m.end()))
        failures.append(
            text_failure(
                "third_party",
                msg,
                nt,
                m.start(),
                m.end(),
                "不得联系或告知业主的亲属、单位、邻居等第三方",
                "删除该表述，只与业主本人沟通；紧急联系人仅在初级阶段且经业主同意后联系",
            )
        )
    return failures


def _public_posting_spans(nt: NormText, msg: OutgoingMessage, ctx: ComplianceContext) -> list[re.Match[str]]:
    unit = normalize(ctx.owner_unit).norm if ctx.owner_unit else ""
    hits: list[re.Match[str]] = [m for m in _ALWAYS_RE.finditer(nt.norm) if not negated(nt, m.start())]
    for m in _POST_RE.finditer(nt.norm):
        if negated(nt, m.start()):
            continue
        a, b = sentence_at(nt, m.start())
        sentence = nt.norm[a:b]
        hidden = [(h.start(), h.end()) for h in _ANON_LIST_RE.finditer(sentence)]
        named = any(not any(a <= i.start() < b for a, b in hidden) for i in _IDENT_RE.finditer(sentence))
        if named or (unit and unit in sentence):
            hits.append(m)
        elif _ARREARS_RE.search(sentence) and not (msg.stage in ("中级", "高级") and _ANON_RE.search(sentence)):
            hits.append(m)
    return hits


def check_public_posting(msg: OutgoingMessage, ctx: ComplianceContext) -> list[Failure]:
    """Flag public posting of names or unit numbers, and non-anonymised arrears notices."""
    nt = normalize(msg.text)
    failures = [
        text_failure(
            "public_posting",
            msg,
            nt,
            m.start(),
            m.end(),
            "不得公开曝光或公示业主姓名、房号等信息",
            "删除该表述；中级阶段如需张贴欠费通知，须隐去姓名和房号",
        )
        for m in _public_posting_spans(nt, msg, ctx)
    ]
    unit = normalize(ctx.owner_unit).norm if ctx.owner_unit else ""
    if msg.channel == "notice" and unit and unit in nt.norm:
        start = nt.norm.index(unit)
        failures.append(
            text_failure(
                "public_posting",
                msg,
                nt,
                start,
                start + len(unit),
                "公告内容不得出现业主房号",
                "公告须隐去姓名和房号",
            )
        )
    return failures


def check(msg: OutgoingMessage, ctx: ComplianceContext) -> list[Failure]:
    """Run every rule of this family."""
    return check_pii(msg, ctx) + check_hardship(msg, ctx) + check_third_party(msg, ctx) + check_public_posting(msg, ctx)
