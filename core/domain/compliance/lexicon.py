"""Sensitive-word lexicon (data) and the wording rules built directly on it: stage_wording, insult."""

from __future__ import annotations

import re
from collections.abc import Iterable

from core.domain.compliance.text import normalize, text_failure
from core.domain.compliance.types import ComplianceContext, Failure, OutgoingMessage

RULES: tuple[str, ...] = ("stage_wording", "insult")

# Words forbidden per stage; the value is the safe replacement, or None when there is none.
# The one list of words no outgoing template may contain (civil code art. 944, PIPL, collection conduct rules).
FORBIDDEN_TEMPLATE_WORDS: tuple[str, ...] = (
    "停水",
    "停电",
    "断水",
    "断电",
    "停暖",
    "停气",
    "断气",
    "停供",
    "门禁卡",
    "电梯卡",
    "锁门",
    "家属",
    "亲属",
    "亲戚",
    "工作单位",
    "单位领导",
    "邻居",
    "身份证",
    "银行卡",
    "银行账号",
    "后果自负",
    "曝光",
    "老赖",
    "失信",
)
# Words forbidden in 预警-stage templates only.
WARNING_STAGE_WORDS: tuple[str, ...] = ("催收", "逾期")


STAGE_FORBIDDEN: dict[str, dict[str, str | None]] = {
    "预警": {
        "逾期未缴": "未缴",
        "逾期未交": "未缴",
        "逾期": "未缴",
        "催收": "提醒",
        "催缴": "提醒",
        "追缴": "提醒缴纳",
        "欠款人": "业主",
        "欠费人": "业主",
        "拖欠": "未缴",
        "违约": None,
        "最后通牒": None,
    },
}

# Insults are forbidden in every stage (老赖 included).
INSULTS: tuple[str, ...] = (
    "老赖",
    "无赖",
    "赖账",
    "赖皮",
    "耍赖",
    "不要脸",
    "厚脸皮",
    "没素质",
    "素质低",
    "素质差",
    "没教养",
    "刁民",
    "钉子户",
    "穷鬼",
    "穷光蛋",
    "白眼狼",
    "滚蛋",
    "给我滚",
    "滚出",
    "混蛋",
    "王八",
    "废物",
    "垃圾人",
    "傻",
    "蠢",
    "活该",
    "丢人",
    "丢脸",
    "占便宜",
    "白住",
    "脸皮",
    "人渣",
    "败类",
    "奇葩",
)

# Hardship details that must never be written into an outgoing message.
HARDSHIP_TERMS: tuple[str, ...] = (
    "失业",
    "下岗",
    "待业",
    "被裁",
    "裁员",
    "降薪",
    "欠薪",
    "离婚",
    "离异",
    "分居",
    "家暴",
    "疾病",
    "生病",
    "患病",
    "重病",
    "大病",
    "病重",
    "病危",
    "癌症",
    "肿瘤",
    "住院",
    "手术",
    "化疗",
    "破产",
    "负债",
    "欠债",
    "债务",
    "资不抵债",
    "低保",
    "去世",
    "过世",
    "病故",
    "丧偶",
    "服刑",
    "抑郁",
    "精神病",
    "残疾",
)

# Third parties an owner's arrears must never be disclosed to.
KIN_TERMS: tuple[str, ...] = (
    "家人",
    "家属",
    "亲属",
    "亲戚",
    "父母",
    "爸妈",
    "父亲",
    "母亲",
    "子女",
    "儿子",
    "女儿",
    "孩子",
    "配偶",
    "爱人",
    "老公",
    "老婆",
    "丈夫",
    "妻子",
    "岳父",
    "岳母",
    "公婆",
    "兄弟",
    "姐妹",
    "朋友",
)
WORK_TERMS: tuple[str, ...] = (
    "工作单位",
    "单位",
    "领导",
    "同事",
    "老板",
    "雇主",
    "上司",
    "人事",
    "hr",
    "公司",
    "学校",
    "老师",
)
NEIGHBOUR_TERMS: tuple[str, ...] = ("邻居", "邻里", "楼上", "楼下", "对门", "隔壁")
EMERGENCY_CONTACT = "紧急联系人"

# Authorities that must not be invoked or impersonated.
POLICE_TERMS: tuple[str, ...] = (
    "公安",
    "派出所",
    "警察",
    "民警",
    "警方",
    "刑警",
    "特警",
    "片警",
    "警官",
    "报警",
    "公检法",
)
COURT_TERMS: tuple[str, ...] = ("法院", "法官", "法警", "检察院", "检察官", "传票", "执行局")
LAWYER_TERMS: tuple[str, ...] = ("律师", "律所")
GOVERNMENT_TERMS: tuple[str, ...] = ("政府", "街道办", "居委会", "城管", "住建委", "住建局", "房管局")


def alternation(words: Iterable[str]) -> str:
    """Return a regex alternation of `words`, longest first so longer terms win."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


_INSULT_RE = re.compile(alternation(INSULTS))
_STAGE_RES: dict[str, re.Pattern[str]] = {
    stage: re.compile(alternation(words)) for stage, words in STAGE_FORBIDDEN.items()
}


def check_stage_wording(msg: OutgoingMessage, ctx: ComplianceContext) -> list[Failure]:
    """Flag words that are forbidden in the message's stage (e.g. 逾期 in 预警)."""
    pattern = _STAGE_RES.get(msg.stage)
    if pattern is None:
        return []
    nt = normalize(msg.text)
    failures = []
    for m in pattern.finditer(nt.norm):
        replacement = STAGE_FORBIDDEN[msg.stage][m.group()]
        hint = f"改用“{replacement}”等中性表述" if replacement else "删除该词，改用温和的提醒表述"
        failures.append(
            text_failure(
                "stage_wording",
                msg,
                nt,
                m.start(),
                m.end(),
                f"{msg.stage}阶段不得使用“{m.group()}”等负面词汇",
                hint,
            )
        )
    return failures


def check_insult(msg: OutgoingMessage, ctx: ComplianceContext) -> list[Failure]:
    """Flag insulting or demeaning words in any stage."""
    nt = normalize(msg.text)
    return [
        text_failure(
            "insult",
            msg,
            nt,
            m.start(),
            m.end(),
            f"话术含侮辱、贬损性词语“{m.group()}”",
            "删除该词，以尊重、平和的语气沟通",
        )
        for m in _INSULT_RE.finditer(nt.norm)
    ]


def fix_stage_wording(text: str, stage: str) -> str | None:
    """Return `text` with forbidden stage words replaced, or None if some word has no safe fix."""
    words = STAGE_FORBIDDEN.get(stage)
    if not words:
        return text
    pattern = _STAGE_RES[stage]
    if any(words[m.group()] is None for m in pattern.finditer(text)):
        return None
    return pattern.sub(lambda m: words[m.group()] or "", text)


def check(msg: OutgoingMessage, ctx: ComplianceContext) -> list[Failure]:
    """Run every rule of this family."""
    return check_stage_wording(msg, ctx) + check_insult(msg, ctx)
