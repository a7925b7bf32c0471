"""Text normalisation with offset mapping, clause/sentence bounds and negation detection."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from core.domain.compliance.types import Failure, OutgoingMessage

CLAUSE_BREAKS = frozenset(",，。!！?？;；:：、…\n")
SENTENCE_BREAKS = frozenset("。!！?？;；\n")
NEGATION_RE = re.compile(
    r"(不会|不得|不能|不可|不应|绝不|决不|并不|从不|从未|不再|不因|不以|禁止|严禁|无权|不允许|避免|杜绝|不涉及|没有|未曾)"
)
_NEGATION_WINDOW = 10


@dataclass(frozen=True)
class NormText:
    """A message text normalised for matching, with a map back to original offsets."""

    original: str
    norm: str
    index: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of `norm` back to the original text."""
        if not self.index:
            return (0, 0)
        end = max(end, start + 1)
        return (self.index[start], self.index[min(end, len(self.index)) - 1] + 1)

    def excerpt(self, start: int, end: int) -> str:
        """Return the original text under a normalised span."""
        a, b = self.span(start, end)
        return self.original[a:b]


def normalize(text: str) -> NormText:
    """NFKC-fold, lowercase and drop whitespace/format characters, keeping an offset map.

    Dropping spaces and zero-width characters defeats evasions like "断 水" or "停\u200b电".
    """
    chars: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        if ch.isspace() or unicodedata.category(ch) == "Cf":
            continue
        for folded in unicodedata.normalize("NFKC", ch).lower():
            chars.append(folded)
            index.append(i)
    return NormText(original=text, norm="".join(chars), index=tuple(index))


def _bounds(s: str, pos: int, breaks: frozenset[str]) -> tuple[int, int]:
    start = pos
    while start > 0 and s[start - 1] not in breaks:
        start -= 1
    end = pos
    while end < len(s) and s[end] not in breaks:
        end += 1
    return start, end


def clause_at(nt: NormText, pos: int) -> tuple[int, int]:
    """Return the bounds of the comma-delimited clause around `pos` in `nt.norm`."""
    return _bounds(nt.norm, pos, CLAUSE_BREAKS)


def sentence_at(nt: NormText, pos: int) -> tuple[int, int]:
    """Return the bounds of the sentence around `pos` in `nt.norm`."""
    return _bounds(nt.norm, pos, SENTENCE_BREAKS)


def sentence_text(nt: NormText, pos: int) -> str:
    """Return the normalised sentence around `pos`."""
    a, b = sentence_at(nt, pos)
    return nt.norm[a:b]


def negated(nt: NormText, pos: int) -> bool:
    """Tell whether a negation word precedes `pos` within its clause (e.g. 不会停水)."""
    clause_start, _ = clause_at(nt, pos)
    prefix = nt.norm[max(clause_start, pos - _NEGATION_WINDOW) : pos]
    return NEGATION_RE.search(prefix) is not None


def finditer(pattern: re.Pattern[str], nt: NormText) -> Iterator[re.Match[str]]:
    """Iterate over matches of `pattern` in the normalised text."""
    return pattern.finditer(nt.norm)


def text_failure(
    rule: str, msg: OutgoingMessage, nt: NormText, start: int, end: int, message: str, hint: str
) -> Failure:
    """Build a Failure located at a normalised span of the message text."""
    return Failure(
        rule=rule,
        step_id=msg.step_id,
        span=nt.span(start, end),
        excerpt=nt.excerpt(start, end),
        message=message,
        hint=hint,
    )


def plain_failure(rule: str, msg: OutgoingMessage, excerpt: str, message: str, hint: str) -> Failure:
    """Build a Failure about the message as a whole (schedule, consent)."""
    return Failure(rule=rule, step_id=msg.step_id, span=None, excerpt=excerpt, message=message, hint=hint)
