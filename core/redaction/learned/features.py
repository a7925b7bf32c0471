"""Per-character features for the name/place tagger: characters, lexicons and jieba POS."""

from __future__ import annotations

from functools import cache

from core.redaction.recognizers.surnames import COMPOUND_SURNAMES, SINGLE_SURNAMES
from core.redaction.recognizers.surnames import TITLES as BASE_TITLES

# The tagger was trained with exactly these title features: the shared titles and a few more kin forms.
TITLES = (*BASE_TITLES, "同学", "同志", "老太", "奶奶", "爷爷", "总", "工", "婶")
TRIGGERS = (
    "我是",
    "我叫",
    "本人",
    "联系人",
    "业主",
    "户主",
    "户名",
    "租户",
    "租客",
    "住户",
    "房东",
    "找",
    "姓名",
    "名字",
    "叫",
    "收件人",
    "委托人",
    "代缴人",
    "家属",
    "转告",
    "儿子",
    "女儿",
    "老公",
    "老婆",
    "爱人",
    "丈夫",
    "妻子",
    "父亲",
    "母亲",
    "爸爸",
    "妈妈",
    "哥哥",
    "姐姐",
    "弟弟",
    "妹妹",
    "保姆",
    "保安",
    "保洁",
    "维修工",
    "电工",
    "客服",
    "管家",
    "邻居",
    "同事",
    "朋友",
    "@",
    "和",
    "跟",
    "给",
    "让",
    "问",
    "告诉",
    "通知",
    "署名",
    "签字",
    "经办人",
    "负责人",
    "对接人",
)
FOLLOWERS = (
    "说",
    "表示",
    "反映",
    "称",
    "回复",
    "同意",
    "拒绝",
    "承诺",
    "投诉",
    "来电",
    "打电话",
    "发微信",
    "在",
    "已",
    "会",
    "要",
    "的",
    "是",
    "也",
    "去",
    "来",
    "把",
    "：",
    ":",
    "今天",
    "明天",
    "昨天",
)
GIVEN_NAME_CHARS = frozenset(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏飞鑫波斌宇浩凯健俊帆帅旭宁龙林欣佳"
    "阳晨瑞睿博文轩雨婷雪琳晶颖倩慧梅兰凤云莉琴燕蓉彤萱怡梓涵子豪嘉琪思源欢悦铭辉建国志新庆春"
    "海亮东晓光永成德福祥坤荣娇婉淑贞翠珍宏毅峰岩昊然诗琦馨月晴航天佑泽恒墨松柏青清泉霖露菲"
    "薇蕾蓓璐瑶媛婕妍姗姝娅嫣婧娴琼瑾瑜璇珊珠琳琪瑛钰铭锋锐钧鸿鹤鹏凯捷立振兴盛昌隆发达贵"
    "仁义礼智信忠孝勤俭良善美好丹红霞艺雅静娟秀淑惠芬芝芸莲荷菊梅竹松柳桃杏枫桐楠森彬杉"
    "卫军兵武强勇刚毅威猛雄杰豪英俊秀逸飘然翔鹰鸣凤麟龙虎彪豹骏驰腾飞扬帆航远志向明亮光辉"
    "春夏秋冬晨曦朝霞旭晖阳晴雯霏雪霜露冰洁玲珑琦璋珏琨瑞祥福禄寿喜乐安康宁静平和顺利"
)
"""Characters frequent in Chinese given names (a prior, not a list of names)."""
ROAD_SUFFIX = set("路街巷弄道村")
PLACE_SUFFIX = set("省市区县镇乡村路街巷弄道园苑府城里湾庭居坊院号楼栋幢座室")
_SURNAMES = frozenset(SINGLE_SURNAMES)
_COMPOUND = frozenset(COMPOUND_SURNAMES)
_NAME_POS = {"nr", "nrt", "nrfg"}
_PLACE_POS = {"ns", "nt", "nz"}


def _char_class(ch: str) -> str:
    if "\u4e00" <= ch <= "\u9fff":
        return "H"
    if ch.isdigit():
        return "D"
    if ch.isascii() and ch.isalpha():
        return "L"
    if ch.isspace():
        return "S"
    return "P"


@cache
def _jieba():
    import jieba
    import jieba.posseg

    jieba.setLogLevel(60)
    return jieba.posseg


def pos_tags(text: str) -> list[tuple[str, str, int]]:
    """Return, per character, (POS of its word, position in word B/M/E/S, word length)."""
    out: list[tuple[str, str, int]] = []
    for pair in _jieba().cut(text, HMM=True):
        word, flag = pair.word, pair.flag
        n = len(word)
        for k in range(n):
            pos = "S" if n == 1 else "B" if k == 0 else "E" if k == n - 1 else "M"
            out.append((flag, pos, n))
    if len(out) != len(text):  # defensive: jieba keeps every character, but never misalign
        out = (out + [("x", "S", 1)] * len(text))[: len(text)]
    return out


def _ends_with_any(text: str, end: int, words: tuple[str, ...]) -> bool:
    return text.endswith(words, 0, end)


def _starts_with_any(text: str, start: int, words: tuple[str, ...]) -> bool:
    return text.startswith(words, start)


def sentence_features(text: str, use_pos: bool = True) -> list[list[str]]:  # noqa: C901
    """Feature strings for every character of ``text`` (one list per character)."""
    n = len(text)
    pad = "\x02\x02" + text + "\x03\x03"
    tags = pos_tags(text) if use_pos else None
    feats: list[list[str]] = []
    for i, ch in enumerate(text):
        j = i + 2
        c = pad[j - 2 : j + 3]
        f = [
            "b",
            "c0=" + c[2],
            "c-1=" + c[1],
            "c1=" + c[3],
            "c-2=" + c[0],
            "c2=" + c[4],
            "c-1c0=" + c[1:3],
            "c0c1=" + c[2:4],
            "c-2c-1=" + c[0:2],
            "c1c2=" + c[3:5],
            "c-1c1=" + c[1] + c[3],
            "t0=" + _char_class(ch),
            "t-1t0t1=" + "".join(_char_class(x) if x not in "\x02\x03" else "_" for x in c[1:4]),
        ]
        if ch in _SURNAMES:
            f.append("sur0")
        if text[i : i + 2] in _COMPOUND:
            f.append("csur0")
        if i > 0 and text[i - 1] in _SURNAMES:
            f.append("sur-1")
        if i > 1 and text[i - 2] in _SURNAMES:
            f.append("sur-2")
        if i > 1 and text[i - 2 : i] in _COMPOUND:
            f.append("csur-2")
        for k in (1, 2, 3):
            if i + k <= n and _starts_with_any(text, i + k, TITLES):
                f.append(f"title+{k}")
            if i - k + 1 >= 0 and _ends_with_any(text, i - k + 1, TRIGGERS):
                f.append(f"trig-{k}")
            if i + k <= n and _starts_with_any(text, i + k, FOLLOWERS):
                f.append(f"fol+{k}")
        if ch in GIVEN_NAME_CHARS:
            f.append("giv0")
        nxt = text[i + 1] if i + 1 < n else ""
        nxt2 = text[i + 2] if i + 2 < n else ""
        prv = text[i - 1] if i > 0 else ""
        prv2 = text[i - 2] if i > 1 else ""
        if ch in _SURNAMES and nxt in GIVEN_NAME_CHARS:
            f.append("sur0giv1" + ("giv2" if nxt2 in GIVEN_NAME_CHARS else ""))
        if prv in _SURNAMES and ch in GIVEN_NAME_CHARS:
            f.append("sur-1giv0")
        if prv2 in _SURNAMES and prv in GIVEN_NAME_CHARS and ch in GIVEN_NAME_CHARS:
            f.append("sur-2giv-1giv0")
        if ch in PLACE_SUFFIX:
            f.append("psuf0")
        if i + 1 < n and text[i + 1] in PLACE_SUFFIX:
            f.append("psuf+1")
        if i + 2 < n and text[i + 2] in PLACE_SUFFIX:
            f.append("psuf+2")
        if tags is not None:
            flag, bmes, length = tags[i]
            f.append("pos=" + flag)
            f.append("posb=" + flag + bmes)
            f.append("wl=" + str(min(length, 5)) + bmes)
            if flag in _NAME_POS:
                f.append("nr")
            if flag in _PLACE_POS:
                f.append("ns")
            if i > 0:
                f.append("pos-1=" + tags[i - 1][0])
            if i + 1 < n:
                f.append("pos+1=" + tags[i + 1][0])
        feats.append(f)
    return feats
