"""In-memory lexical index over KB passages: jieba tokenisation and BM25Okapi scoring."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

import jieba
from rank_bm25 import BM25Okapi

# Domain words jieba would otherwise split, so BM25 can match them as units.
DOMAIN_WORDS: tuple[str, ...] = (
    "物业费",
    "物业服务费",
    "公共收益",
    "业委会",
    "业主大会",
    "业主委员会",
    "门禁",
    "门禁卡",
    "监控",
    "指导价",
    "限价令",
    "空置房",
    "维修基金",
    "维修资金",
    "报修",
    "工单",
    "投诉",
    "违建",
    "保洁",
    "绿化带",
    "垃圾桶",
    "电梯",
    "水泵",
    "停车费",
    "停车位",
    "广告费",
    "公摊",
    "开发商",
    "前任物业",
    "原物业",
    "老物业",
    "减免",
    "分期",
    "失业",
    "裁员",
    "住院",
    "降薪",
    "精装修",
    "渗水",
    "漏水",
    "二次供水",
    "滞纳金",
    "垃圾分类",
    "物业经理",
    "管家",
    "不交",
    "忘了",
    "收房",
    "交房",
    "选举",
    "选票",
    "计票",
    "公示",
    "账目",
    "收据",
    "隔壁小区",
    "降价",
    "疫情",
    "封控",
    "发改委",
)

STOPWORDS: frozenset[str] = frozenset(
    "的 了 是 我 你 他 她 它 们 我们 你们 他们 吗 呢 啊 吧 呀 哦 嗯 哈 都 就 也 还 在 有 这 那 个 这个 那个 "
    "一 一个 和 与 及 又 再 说 要 会 能 让 给 把 被 对 从 到 上 下 里 么 什么 怎么 着 过 很 太 更 最 得 地 "
    "不是 就是 还是 已经 现在 时候 一下 一点 没有 这种 那种 自己 人家 这么 那么 为什么 到底".split()
)

_PUNCT = re.compile(r"^[\W_]+$", re.UNICODE)


class Tokenizer:
    """jieba tokenizer with the domain dictionary, isolated from jieba's global state."""

    def __init__(self, bigrams: bool = True) -> None:
        """Create the tokenizer; the jieba dictionary loads on first use.

        Args:
            bigrams: also emit character bigrams of multi-character words, which makes
                matching robust to jieba segmenting the same phrase differently.
        """
        self.bigrams = bigrams
        self._jieba: jieba.Tokenizer | None = None

    def _tokenizer(self) -> jieba.Tokenizer:
        if self._jieba is None:
            jieba.setLogLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            for word in DOMAIN_WORDS:
                tokenizer.add_word(word, freq=20000)
            self._jieba = tokenizer
        return self._jieba

    def __call__(self, text: str) -> list[str]:
        """Tokens of text, lower-cased, without punctuation and stopwords."""
        tokens: list[str] = []
        for word in self._tokenizer().lcut(text.lower()):
            word = word.strip()
            if not word or _PUNCT.match(word) or word in STOPWORDS:
                continue
            tokens.append(word)
            if self.bigrams and len(word) > 2:
                tokens.extend(word[i : i + 2] for i in range(len(word) - 1))
        return tokens


class LexicalIndex:
    """BM25 over a fixed list of passages."""

    def __init__(self, passages: Sequence[str], tokenizer: Tokenizer) -> None:
        """Build the index.

        Args:
            passages: passage texts, addressed by position.
            tokenizer: tokenizer shared by passages and queries.
        """
        self.tokenizer = tokenizer
        corpus = [tokenizer(text) or ["∅"] for text in passages]
        self._bm25 = BM25Okapi(corpus)

    def scores(self, query: str) -> list[float]:
        """BM25 score of every passage for the query (0 when nothing matches)."""
        tokens = self.tokenizer(query)
        if not tokens:
            return [0.0] * self._bm25.corpus_size
        return [float(score) for score in self._bm25.get_scores(tokens)]

    def token_count(self, text: str) -> int:
        """Number of content tokens in text (used to weigh evidence messages)."""
        return len(self.tokenizer(text))
