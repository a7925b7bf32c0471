"""Threat rules: utility/access-card threats, pressure and threats, impersonating authorities."""

from __future__ import annotations

import re

from core.domain.compliance.lexicon import (
    COURT_TERMS,
    GOVERNMENT_TERMS,
    LAWYER_TERMS,
    POLICE_TERMS,
    alternation,
)
from core.domain.compliance.text import NormText, negated, normalize, sentence_text, text_failure
from core.domain.compliance.types import ComplianceContext, Failure, OutgoingMessage

RULES: tuple[str, ...] = ("no_utility_threat", "coercion", "impersonation")

_FILL = r"[^,，。!！?？;；:：、\n]{0,6}?"  # a few characters within one clause
_UTIL_ANY = (
    r"(?:供水|供电|供暖|供热|供气|用水|用电|水电|暖气|燃气|煤气|天然气|自来水|热水"
    r"|水(?![费管果表池位平阀闸])|电(?![动瓶车梯话脑视费子闸])|暖|气(?![象温候]))"
)
_UTIL_NOUN = r"(?:供水|供电|供暖|供热|供气|用水|用电|水电|暖气|燃气|煤气|天然气|自来水|热水)"
_CUT = r"(?:切断|中断|关停|关闭|关掉|停掉|停止|暂停|终止|限制|掐断|掐|拉闸|关阀|关总阀|停|断)"
_CARD = r"(?:门禁卡|门禁|电梯卡|梯控|门卡|出入卡|电梯权限|通行权限)"
_CARD_CUT = r"(?:注销|失效|停用|冻结|禁用|锁定|锁掉|作废|收回|消磁|关闭|停掉|限制|取消|无法使用|不能使用|不能用|用不了|刷不了|不能刷|被停)"
_YOU = r"(?:你|您)(?:们)?(?:家|家里)?(?:的)?"

UTILITY_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(_CUT + r"(?:给|对|为)?(?:你|您)?(?:们)?(?:家|家里)?(?:的)?(?:提供|供应)?(?:掉)?" + _UTIL_ANY),
    re.compile(
        r"(?:把|将)" + _YOU + r"?" + _UTIL_ANY + r"(?:的)?(?:总)?(?:阀门|阀|电闸|闸|表)?(?:给)?(?:关|断|停|拔|掐|锁)"
    ),
    re.compile(r"(?:关|关闭|拉|断|锁)" + _YOU + r"(?:水|电|燃气|气)?(?:总)?(?:闸|阀)"),
    re.compile(_UTIL_ANY + _FILL + r"(?:别想|休想)|(?:别想|休想)" + _FILL + r"(?:用|开|有)" + _UTIL_ANY),
    re.compile(r"(?:给|对|把)" + _YOU + _FILL + _CUT + r"(?:掉)?" + _UTIL_ANY),
    re.compile(_UTIL_NOUN + r"(?:服务)?" + _FILL + r"(?:会|将|要|就|可能)?(?:被)?" + _CUT),
    re.compile(_YOU + r"(?:水(?![费管果表])|电(?![动瓶车梯话脑视费子]))" + _FILL + r"(?:会|将|要|就)?(?:被)?" + _CUT),
    re.compile(r"不(?:再)?(?:给|为|帮)?" + _YOU + r"?(?:供|提供|开通|恢复|开|送)" + _UTIL_ANY),
    re.compile(_UTIL_NOUN + r"(?:就)?(?:不再|不给|不让|不予)(?:你|您)?(?:开|用|供|送|恢复|提供)"),
    re.compile(_CARD + _FILL + r"(?:会|将|要|就|可能)?(?:被)?" + _CARD_CUT),
    re.compile(r"(?:停|停掉|关闭|关停|锁|限制)" + _YOU + r"?电梯"),
    re.compile(r"(?:注销|停用|冻结|禁用|锁定|作废|收回|消磁|关闭|停掉|限制|取消)" + _YOU + r"?" + _CARD),
    re.compile(
        r"(?:不让|不准|禁止|限制)"
        + r"(?:你|您)?(?:们)?(?:家)?(?:的)?"
        + r"(?:进门|进小区|进出|出入|上楼|坐电梯|乘电梯|乘梯|用电梯|使用电梯|刷卡)"
    ),
)
_MAINTENANCE_RE = re.compile(r"检修|维修|抢修|施工|改造|维保|保养|升级|清洗|消杀|换表|故障|停电通知|计划停")
_FEE_RE = re.compile(r"欠|缴|交费|交钱|不交|费用|物业费|付款|未付|账单|催|还款")

COERCION_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(
        r"(?:不交|不缴|不付)(?:的话)?(?:就)?试试(?:看)?|小心(?:你|您)(?:的)?(?:车|家|孩子|门|点|着)|别怪(?:我们|物业)|后果自负|后果(?:很|将|会|非常)?(?:很)?严重|自行承担(?:一切)?后果|走着瞧|别怪(?:我们)?不客气|不客气了"
    ),
    re.compile(r"让(?:你|您)好看|给(?:你|您)(?:点)?颜色|有(?:你|您)好受|吃不了兜着走|收拾(?:你|您)|等着瞧"),
    re.compile(
        r"(?:天天|每天|一直|反复|不停地?)(?:都)?(?:会)?(?:上门|打电话|打给|找(?:你|您)|来电|堵)|打到(?:你|您)(?:交|缴)|堵(?:你|您)|蹲守|电话轰炸|骚扰(?:你|您)"
    ),
    re.compile(r"(?:住|待|呆)不下去|别想(?:住|进|过)|没(?:你|您)好果子"),
    re.compile(
        r"上征信|(?:影响|纳入|记入|上报)(?:你|您)?(?:的)?(?:个人)?(?:征信|信用记录)|(?:影响|连累)(?:你|您)?(?:的)?(?:子女|孩子)(?:上学|入学|升学|考公)?"
    ),
    re.compile(r"拘留|坐牢|判刑|刑事责任|抓(?:你|您|人)"),
    re.compile(
        r"最后(?:一次)?警告|限(?:你|您)(?:今天|今日|马上|立即|立刻|\d+小时)|(?:今天|马上|立即|立刻)必须(?:交|缴|付)|必须(?:马上|立即|立刻|今天)(?:交|缴|付)"
    ),
)
# Credit consequences are lawful only after a court ruling, i.e. in the 高级 stage with 依法 wording.
_CREDIT_RE = re.compile(r"失信被执行人|失信名单")
_LAWFUL_RE = re.compile(r"依法|依照|提起诉讼|起诉|申请(?:财产保全|强制执行|仲裁|支付令)|判决|裁定|诉讼")
_LAWYER_LETTER_RE = re.compile(r"律师函|委托")

_POLICE_RE = re.compile(alternation(POLICE_TERMS))
_COURT_RE = re.compile(alternation(COURT_TERMS))
_LAWYER_RE = re.compile(alternation(LAWYER_TERMS))
_IDENTITY_RE = re.compile(
    r"(?:我|我们|本人)(?:是|系|来自|代表)(?:"
    + alternation(GOVERNMENT_TERMS + POLICE_TERMS + COURT_TERMS + LAWYER_TERMS)
    + r")"
)


def _maintenance_notice(nt: NormText, pos: int) -> bool:
    """A sentence about maintenance with no fee talk is a service notice, not a threat."""
    sentence = sentence_text(nt, pos)
    return _MAINTENANCE_RE.search(sentence) is not None and _FEE_RE.search(sentence) is None


def check_utility_threat(msg: OutgoingMessage, ctx: ComplianceContext) -> list[Failure]:
    """Flag threats to cut water, power, heating, gas or to disable access/lift cards."""
    nt = normalize(msg.text)
    failures: list[Failure] = []
    taken: list[tuple[int, int]] = []
    for pattern in UTILITY_PATTERNS:
        for m in pattern.finditer(nt.norm):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            if negated(nt, m.start()) or _maintenance_notice(nt, m.start()):
                continue
            taken.append((m.start(), m.end()))
            failures.append(
                text_failure(
                    "no_utility_threat",
                    msg,
                    nt,
                    m.start(),
                    m.end(),
                    "不得以停水、停电、停暖、停气或停用门禁卡、电梯卡相威胁（民法典第944条）",
                    "删除该表述；可改为说明费用用途、提供缴费方式与分期渠道",
                )
            )
    return failures


def check_coercion(msg: OutgoingMessage, ctx: ComplianceContext) -> list[Failure]:
    """Flag threats, intimidation, harassment and undue time pressure."""
    nt = normalize(msg.text)
    failures: list[Failure] = []
    for pattern in COERCION_PATTERNS:
        for m in pattern.finditer(nt.norm):
            if negated(nt, m.start()):
                continue
            failures.append(
                text_failure(
                    "coercion",
                    msg,
                    nt,
                    m.start(),
                    m.end(),
                    f"话术含威胁、恐吓或施压表述“{m.group()}”",
                    "删除威胁性内容，改为说明事实、缴费渠道和可协商的方案",
                )
            )
    for m in _CREDIT_RE.finditer(nt.norm):
        lawful = msg.stage == "高级" and _LAWFUL_RE.search(sentence_text(nt, m.start()))
        if not lawful and not negated(nt, m.start()):
            failures.append(
                text_failure(
                    "coercion",
                    msg,
                    nt,
                    m.start(),
                    m.end(),
                    "未经法院裁判不得以失信名单相威胁",
                    "删除该表述；仅在高级阶段、依法说明诉讼后果时提及",
                )
            )
    return failures


def _impersonation(msg: OutgoingMessage, nt: NormText, m: re.Match[str], why: str, hint: str) -> Failure:
    return text_failure("impersonation", msg, nt, m.start(), m.end(), why, hint)


def check_impersonation(msg: OutgoingMessage, ctx: ComplianceContext) -> list[Failure]:
    """Flag invoking or impersonating police, courts, lawyers or government bodies."""
    nt = normalize(msg.text)
    failures: list[Failure] = []
    for m in _IDENTITY_RE.finditer(nt.norm):
        failures.append(
            _impersonation(
                msg,
                nt,
                m,
                "不得冒充或自称公安、法院、律师、政府等机构人员",
                "以物业服务企业的真实身份署名",
            )
        )
    claimed = [(m.start(), m.end()) for m in _IDENTITY_RE.finditer(nt.norm)]

    def free(m: re.Match[str]) -> bool:
        return not any(a <= m.start() < b for a, b in claimed) and not negated(nt, m.start())

    for m in filter(free, _POLICE_RE.finditer(nt.norm)):
        failures.append(
            _impersonation(
                msg,
                nt,
                m,
                "催费话术不得借用公安、警方名义施压",
                "删除公安相关表述；物业费纠纷属民事纠纷",
            )
        )
    for m in filter(free, _COURT_RE.finditer(nt.norm)):
        if msg.stage == "高级" and _LAWFUL_RE.search(sentence_text(nt, m.start())):
            continue
        failures.append(
            _impersonation(
                msg,
                nt,
                m,
                "不得借用法院名义施压；仅高级阶段可说明“依法向人民法院提起诉讼”等合法步骤",
                "删除该表述，或在高级阶段改为“我司将依法向人民法院提起诉讼”",
            )
        )
    for m in filter(free, _LAWYER_RE.finditer(nt.norm)):
        if msg.stage in ("中级", "高级") and _LAWYER_LETTER_RE.search(sentence_text(nt, m.start())):
            continue
        failures.append(
            _impersonation(
                msg,
                nt,
                m,
                "仅中级、高级阶段的律师函步骤可提及律师",
                "删除律师相关表述，或在中级以后以“委托律师事务所发送律师函”的方式如实说明",
            )
        )
    return failures


def check(msg: OutgoingMessage, ctx: ComplianceContext) -> list[Failure]:
    """Run every rule of this family."""
    return check_utility_threat(msg, ctx) + check_coercion(msg, ctx) + check_impersonation(msg, ctx)
