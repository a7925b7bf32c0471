"""Asymmetric safety on malice: a household is called malicious only on positive evidence, never against a grievance.

Calling a family in hardship malicious puts it on the legal track, the costliest error the product can make. So
``beh.malicious`` needs (a) a refusal without a reason in the owner's own words (or a claim of refusal, or promises
broken again and again) and (b) no statement of hardship, illness or job loss and no service or fee grievance
anywhere in the redacted evidence. Anger alone is neither. The rule reads only redacted text; no model is involved.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from core.domain.compliance.lexicon import HARDSHIP_TERMS

MALICIOUS = "beh.malicious"
HARDSHIP = "ext.hardship"

HARDSHIP_WORDS: tuple[str, ...] = (
    *HARDSHIP_TERMS,
    "没工作",
    "找不到工作",
    "丢了工作",
    "工作没了",
    "没了工作",
    "没收入",
    "没有收入",
    "收入低",
    "工资发不出",
    "发不出工资",
    "拖欠工资",
    "没发工资",
    "停工",
    "公司倒闭",
    "生意亏",
    "生意赔",
    "亏了",
    "赔光",
    "没钱",
    "手头紧",
    "周转不开",
    "周转不过来",
    "揭不开锅",
    "困难",
    "看病",
    "医药费",
    "医院",
    "病了",
    "身体不好",
    "瘫痪",
    "孩子上学",
    "学费",
    "老人",
    "照顾",
    "房贷",
    "还贷",
    "贷款压力",
    "欠了一屁股",
    "借钱",
    "网贷",
)
"""Statements of hardship, illness or job loss (any of them blocks malice)."""
HARDSHIP_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p)
    for p in (
        r"(工资|薪水|工钱).{0,8}(没发|拖欠|发不出|没到账|停发|减半)",
        r"(没|没有)(活|活儿|工作|收入)",
        r"(生意|店).{0,6}(黄了|关了|倒闭|亏)",
        r"(看|治)(病|不起)",
        r"(家里|家人|孩子|老人|父母|老公|老婆|爱人).{0,6}(病|住院|出事|去世)",
    )
)
"""Hardship said in other words (wages not paid, no work, business closed, illness in the family)."""

GRIEVANCE_WORDS: tuple[str, ...] = (
    "漏水",
    "渗水",
    "水管",
    "堵了",
    "维修",
    "报修",
    "修好",
    "没人修",
    "不修",
    "修不好",
    "坏了",
    "电梯",
    "保洁",
    "垃圾",
    "卫生",
    "绿化",
    "草坪",
    "保安",
    "门岗",
    "门禁",
    "监控",
    "被盗",
    "丢了",
    "车位",
    "停车",
    "噪音",
    "扰民",
    "投诉",
    "没人管",
    "不作为",
    "服务差",
    "服务太差",
    "态度差",
    "态度恶劣",
    "敷衍",
    "推诿",
    "开发商",
    "质量问题",
    "裂缝",
    "墙皮",
    "空置",
    "没住",
    "没入住",
    "不住",
    "收费不合理",
    "乱收费",
    "多收",
    "收错",
    "算错",
    "账单不对",
    "公示",
    "账目",
    "公共收益",
    "业委会",
    "业主大会",
    "涨价",
    "物价",
    "减免",
    "优惠",
    "通知",
    "没通知",
    "不知道要交",
    "前物业",
    "上一家物业",
    "隔壁小区",
    "别的小区",
    "凭什么",
    "合同",
    "标准",
    "交了也白交",
    "整改",
    "答应",
    "承诺的",
)
"""Service, fee or management grievances (any of them blocks malice: fix the grievance first)."""

REFUSAL_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p)
    for p in (
        r"就(是)?不(想)?[交给缴]",
        r"不[交给缴]就是不[交给缴]",
        r"(一分|一毛|一个子儿?)钱?(都|也)不(会)?[交给缴]",
        r"不想[交给缴]",
        r"(有本事|有能耐|有种).{0,6}(告|起诉|法院|赶)",
        r"(去|来)(法院)?告我",
        r"把我怎么?(样|着)",
        r"爱咋咋",
        r"随便你们",
        r"钱我有的是",
        r"有的是钱",
        r"不差(这点|这几个)钱",
        r"白住",
        r"拖着(呗|吧)",
        r"随口说说",
        r"从来没交过",
        r"就没交过",
        r"没什么原因",
        r"没有原因",
        r"不为什么",
        r"^\s*不[交给缴]\s*[。！!.]?\s*$",
        r"不会(缴纳|交|缴|给)",
    )
)
"""Refusal without a reason, in the owner's own words."""
ABILITY_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p)
    for p in (
        r"国外",
        r"出国",
        r"三亚",
        r"旅游",
        r"度假",
        r"游轮",
        r"豪车",
        r"换(了)?(新)?车",
        r"别墅",
        r"(几|两|三)套房",
        r"刚买",
        r"打高尔夫",
        r"头等舱",
        r"奢侈",
    )
)
"""Signs of ability to pay."""
EVASION_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p)
    for p in (
        r"再说",
        r"别烦",
        r"烦不烦",
        r"没空",
        r"忙着呢",
        r"别(再)?打",
        r"别(一天到晚)?发消息",
    )
)
"""Putting the steward off without giving any reason."""

REFUSAL_CLAIM_TYPES = frozenset({"无理由拒缴"})
NO_CLAIM_TYPES = frozenset({"无诉求", "无理由拒缴"})
"""Claim types that carry no grievance."""


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "")


def states_hardship(text: str) -> bool:
    """Whether ``text`` states hardship, illness or job loss."""
    text = _norm(text)
    return any(w in text for w in HARDSHIP_WORDS) or any(p.search(text) for p in HARDSHIP_PATTERNS)


@dataclass(frozen=True)
class MaliceCheck:
    """Whether the evidence allows calling the household malicious, and why (redacted snippets)."""

    allowed: bool
    blockers: list[str] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    hardship: bool = False

    @property
    def reason(self) -> str:
        """A short Chinese explanation for the steward."""
        if self.allowed:
            return "有拒缴且无困难、无服务诉求的证据"
        if self.blockers:
            return "证据中有困难或服务诉求（" + "、".join(self.blockers[:3]) + "），不得认定为恶意欠费"
        return "没有“有能力而无理由拒缴”的证据，不得认定为恶意欠费"


def check_malice(
    owner_lines: Iterable[str],
    *,
    other_texts: Iterable[str] = (),
    claim_types: Iterable[str] = (),
    open_grievances: int = 0,
    broken_promises: int = 0,
) -> MaliceCheck:
    """Decide whether ``beh.malicious`` may stand.

    Args:
        owner_lines: The owner's own (redacted) words.
        other_texts: Texts of the household's open or poorly rated tickets and of its claims (redacted).
        claim_types: Types of the household's claims.
        open_grievances: Tickets still open or rated poorly, and claims other than a refusal.
        broken_promises: Payment promises the owner broke.
    """
    owner = [_norm(t) for t in owner_lines]
    texts = [*owner, *(_norm(t) for t in other_texts)]
    blockers = [w for w in HARDSHIP_WORDS if any(w in t for t in texts)]
    blockers += [m.group() for t in texts for p in HARDSHIP_PATTERNS if (m := p.search(t))]
    hardship = bool(blockers)
    blockers += [w for w in GRIEVANCE_WORDS if any(w in t for t in texts)]
    if open_grievances:
        blockers.append(f"未结服务诉求{open_grievances}项")
    refusals = [m.group() for t in owner for p in REFUSAL_PATTERNS if (m := p.search(t))]
    ability = [m.group() for t in owner for p in ABILITY_PATTERNS if (m := p.search(t))]
    evasion = [m.group() for t in owner for p in EVASION_PATTERNS if (m := p.search(t))]
    if ability and evasion:
        refusals.append(f"有缴费能力（{ability[0]}）却推脱（{evasion[0]}）")
    if REFUSAL_CLAIM_TYPES & set(claim_types):
        refusals.append("诉求记录：无理由拒缴")
    if broken_promises >= 2:
        refusals.append(f"承诺还款{broken_promises}次未兑现")
    return MaliceCheck(
        allowed=not blockers and bool(refusals),
        blockers=list(dict.fromkeys(blockers)),
        refusals=refusals,
        hardship=hardship,
    )
