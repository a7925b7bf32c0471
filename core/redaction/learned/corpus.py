"""Training material: the Weibo NER files and generated property-chat sentences.

Labels are per character, BIO over two types: ``PER`` (a person's name) and ``LOC``
(a place: Weibo LOC.NAM and GPE.NAM, and generated addresses). Everything else is ``O``.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from core.redaction.recognizers.surnames import COMPOUND_SURNAMES

WEIBO_TYPES = {"PER.NAM": "PER", "LOC.NAM": "LOC", "GPE.NAM": "LOC"}


@dataclass(frozen=True)
class TaggedSentence:
    """One sentence: its characters as text and one BIO tag per character."""

    text: str
    tags: tuple[str, ...]

    def spans(self, label: str | None = None) -> list[tuple[str, int, int]]:
        """Return (label, start, end) of every tagged span (optionally of one label)."""
        out: list[tuple[str, int, int]] = []
        start, current = None, None
        for i, tag in enumerate((*self.tags, "O")):
            if start is not None and (tag == "O" or tag.startswith("B-") or tag[2:] != current):
                out.append((current, start, i))
                start, current = None, None
            if tag.startswith("B-") or (tag.startswith("I-") and start is None):
                start, current = i, tag[2:]
        return [s for s in out if label is None or s[0] == label]


def read_weibo(path: Path, keep: dict[str, str] | None = None) -> list[TaggedSentence]:
    """Read a Weibo NER CoNLL file (``<char><digit>`` TAB ``<tag>``) into tagged sentences.

    Args:
        path: One of ``weiboNER_2nd_conll.{train,dev,test}``.
        keep: Weibo type → our label; other types become ``O`` (default: names and places).
    """
    keep = WEIBO_TYPES if keep is None else keep
    sentences: list[TaggedSentence] = []
    chars: list[str] = []
    tags: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if chars:
                sentences.append(TaggedSentence("".join(chars), tuple(tags)))
            chars, tags = [], []
            continue
        token, _, tag = line.rpartition("\t")
        if not token:
            token, tag = line.split()[0], line.split()[-1]
        char = token[0]
        if tag != "O":
            prefix, kind = tag.split("-", 1)
            tag = f"{prefix}-{keep[kind]}" if kind in keep else "O"
        chars.append(char)
        tags.append(tag)
    return [_repair(s) for s in sentences]


def _repair(sentence: TaggedSentence) -> TaggedSentence:
    """Turn an I- tag that follows O or another type into B- (a few Weibo lines do this)."""
    tags = list(sentence.tags)
    for i, tag in enumerate(tags):
        if tag.startswith("I-") and (i == 0 or tags[i - 1] == "O" or tags[i - 1][2:] != tag[2:]):
            tags[i] = "B-" + tag[2:]
    return TaggedSentence(sentence.text, tuple(tags))


# --- generated property-chat sentences --------------------------------------------------

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余杜叶程魏苏吕丁沈任姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝于"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏飞鑫波斌宇浩凯健俊帆帅旭宁龙林欣佳阳晨瑞睿博文轩雨婷雪琳晶颖倩慧梅兰凤云莉琴燕蓉彤萱怡梓涵子豪嘉琪思源欢悦铭辉建国志新庆春海亮东晓光永成德福祥坤荣娇婉淑贞翠珍宏毅峰岩昊然诗琦馨月晴航天佑泽恒子墨"
_FOREIGN = (
    "约翰",
    "玛丽",
    "安娜",
    "彼得",
    "大卫",
    "杰克",
    "露西",
    "汤姆",
    "迈克尔",
    "詹姆斯",
    "凯瑟琳",
    "史密斯",
    "威廉",
    "伊丽莎白",
    "亚历山大",
    "娜塔莎",
    "伊万",
    "索菲亚",
    "奥利维亚",
    "丹尼尔",
    "佐藤",
    "山田太郎",
    "金敏智",
    "朴智妍",
    "阿里",
    "穆罕默德",
    "艾米丽",
    "乔治",
    "本杰明",
    "克里斯",
)
_ROAD = "建设 人民 解放 中山 和平 胜利 幸福 光明 新华 学院 长江 黄河 朝阳 南京 北京 复兴 青年 文化 工业 滨江 望京 花园 科技 金融 翠微 丰台 东风 红星 团结 育才".split()
_COMMUNITY = "阳光 碧水 金地 万科 翠湖 锦绣 枫林 绿地 海棠 紫荆 丽景 书香 融创 龙湖 保利 恒大 华府 名都 御景 春江 滨河 东方 时代 欣园 康城 雅居 天鹅 香榭 星河 怡景".split()
_COMMUNITY_SUFFIX = "花园 家园 小区 苑 新村 公寓 华庭 雅苑 名苑 嘉园 府 城".split()
_CITY = "北京市 上海市 广州市 深圳市 杭州市 成都市 武汉市 南京市 天津市 重庆市 西安市 苏州市".split()
_DISTRICT = "朝阳区 海淀区 浦东新区 天河区 南山区 西湖区 武侯区 江汉区 鼓楼区 和平区 渝中区 雁塔区 姑苏区 丰台区 徐汇区 福田区".split()
_RELATION = "儿子 女儿 老公 老婆 爱人 妈妈 爸爸 岳母 婆婆 女婿 儿媳 哥哥 妹妹 租客 房东 邻居 保姆 表弟 小舅子".split()
_STAFF_ROLE = "管家 保安 保洁 维修师傅 电工 客服 前台 工程部 秩序维护员 物业经理".split()
_ORG_WORDS = "物业服务中心 顺丰快递 美团 招商银行 华为 小米 星巴克 国家电网 自来水公司 业委会 居委会 街道办 派出所 万达广场 沃尔玛 京东 淘宝 支付宝 微信支付 中国移动".split()
_VERBS = "说 表示 反映 来电 同意 拒绝 答应 投诉 打电话 发微信 交了 没交 已经缴费 在家 出差了 住院了 过来 回复".split()

_TEMPLATES = (
    "{per}{verb}下个月一起交。",
    "我是{per}，{addr}的业主。",
    "业主{per}{verb}，物业费先不交了。",
    "我{rel}{per}{verb}，电话你们找他。",
    "请转告{per}，{addr}的漏水已经修好。",
    "{staff}{per}昨天来过，还没修好。",
    "{per}：你们{staff}什么时候来？",
    "{per}和{per}都住{addr}。",
    "{rel}叫{per}，平时在{org}上班。",
    "这房子租给了{per}，她{verb}。",
    "我住{addr}，找{staff}{per}。",
    "{per} {verb}，账单发到{addr}。",
    "【{per}】{verb}，群里@{per}一下。",
    "{time} {per}：物业费下周交",
    "{per}({rel})：我妈{per}在医院",
    "快递寄到{addr}，收件人{per}。",
    "{per}{verb}了，{per}没说话。",
    "我另一套房在{addr}，也是{org}管的。",
    "{org}的{per}经理帮我们协调了。",
    "楼下{per}家装修太吵，{staff}{per}也管不了。",
    "感谢{per}！{org}的服务不错。",
    "跟{per}说一声，{org}明天停水。",
    "{per}老人家住在{addr}，子女是{per}。",
    "{per}刚从{org}回来，{verb}。",
    "合同上签字的是{per}，{addr}。",
    "原来的业主{per}把房子卖给了{per}。",
    "在{org}买的，{per}{verb}。",
    "{addr}那边的{per}是我{rel}。",
)


def _name(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.08:
        return rng.choice(_FOREIGN)
    surname = rng.choice(COMPOUND_SURNAMES) if roll < 0.14 else rng.choice(_SURNAMES)
    given = "".join(rng.choice(_GIVEN) for _ in range(1 if rng.random() < 0.35 else 2))
    return surname + given


def _address(rng: random.Random) -> str:
    head = ""
    if rng.random() < 0.3:
        head += rng.choice(_CITY)
    if rng.random() < 0.6:
        head += rng.choice(_DISTRICT)
    kind = rng.random()
    if kind < 0.45:
        road = rng.choice(_ROAD) + rng.choice(("路", "街", "大道", "路", "巷"))
        tail = f"{rng.randint(1, 999)}号" if rng.random() < 0.8 else ""
        if rng.random() < 0.3:
            tail += f"{rng.randint(1, 30)}号楼{rng.randint(1, 30)}{rng.randint(1, 9):02d}"
        return head + road + tail
    community = rng.choice(_COMMUNITY) + rng.choice(_COMMUNITY_SUFFIX)
    if kind < 0.7:
        community = (rng.choice(_ROAD) + "路" if rng.random() < 0.4 else "") + community
    unit = rng.choice(
        (
            f"{rng.randint(1, 30)}栋{rng.randint(1, 30)}{rng.randint(1, 9):02d}",
            f"{rng.randint(1, 30)}号楼{rng.randint(1, 6)}单元{rng.randint(1, 30)}{rng.randint(1, 9):02d}",
            f"{rng.randint(1, 12)}期{rng.randint(1, 30)}幢",
            f"{rng.randint(1, 30)}号楼",
        )
    )
    return head + community + unit


def generate(count: int, seed: int = 7) -> list[TaggedSentence]:
    """Generate ``count`` labelled property-chat sentences (names and addresses in slots)."""
    rng = random.Random(seed)
    out: list[TaggedSentence] = []
    for _ in range(count):
        template = rng.choice(_TEMPLATES)
        out.append(_fill(template, rng))
    return out


def _fill(template: str, rng: random.Random) -> TaggedSentence:
    text: list[str] = []
    tags: list[str] = []
    for literal, slot in _parts(template):
        text.append(literal)
        tags.extend("O" * len(literal))
        if slot is None:
            continue
        label = None
        if slot == "per":
            value, label = _name(rng), "PER"
        elif slot == "addr":
            value, label = _address(rng), "LOC"
        elif slot == "rel":
            value = rng.choice(_RELATION)
        elif slot == "staff":
            value = rng.choice(_STAFF_ROLE)
        elif slot == "org":
            value = rng.choice(_ORG_WORDS)
        elif slot == "verb":
            value = rng.choice(_VERBS)
        else:
            value = f"{rng.randint(7, 22)}:{rng.randint(0, 59):02d}"
        text.append(value)
        if label:
            tags.extend(["B-" + label] + ["I-" + label] * (len(value) - 1))
        else:
            tags.extend("O" * len(value))
    joined = "".join(text)
    return TaggedSentence(joined, tuple(tags))


def _parts(template: str) -> Iterator[tuple[str, str | None]]:
    rest = template
    while rest:
        before, brace, after = rest.partition("{")
        if not brace:
            yield before, None
            return
        slot, _, rest = after.partition("}")
        yield before, slot
