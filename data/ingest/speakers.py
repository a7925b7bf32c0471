"""Who said a chat line (owner / steward / service / other) and how an owner is addressed."""

from __future__ import annotations

import re
from dataclasses import dataclass

from data.importers.identity import COMPOUND_SURNAMES, polite_title

TITLES = ("先生", "女士", "小姐")
FAMILIAR = ("业主", "阿姨", "叔叔", "大爷", "大妈", "奶奶", "爷爷", "老师", "总", "哥", "姐")
MALE, FEMALE = (
    frozenset({"先生", "叔叔", "大爷", "爷爷", "哥"}),
    frozenset({"女士", "小姐", "阿姨", "大妈", "奶奶", "姐"}),
)
STEWARD_WORDS = ("管家", "物业")
SERVICE_WORDS = ("客服", "呼叫中心", "400")
_TITLE_NAME = re.compile(r"^[\u4e00-\u9fff]{1,2}(?:先生|女士|小姐)$")


def surname(name: str) -> str:
    """The surname of a Chinese name (compound surnames such as 欧阳 included)."""
    return next((s for s in COMPOUND_SURNAMES if name.startswith(s)), name[:1])


def owner_title(name: str, id_number: str | None = None) -> str:
    """张先生 stays 张先生; a full name gets surname + 先生/女士 from the ID number, else 张业主."""
    if _TITLE_NAME.match(name):
        return name
    return polite_title(name, id_number)


def legal_name(name: str) -> str:
    """The name to store as the owner's (personal) name: empty when only a polite title such as 张先生 is known."""
    return "" if _TITLE_NAME.match(name) else name


def _gender(title: str) -> str | None:
    suffix = next((t for t in (*TITLES, *FAMILIAR) if title.endswith(t)), "")
    return "m" if suffix in MALE else "f" if suffix in FEMALE else None


@dataclass(frozen=True)
class OwnerNames:
    """How the owner of one household may appear as a chat speaker."""

    name: str = ""
    title: str = ""

    def is_owner(self, speaker: str) -> bool:
        """业主, the owner's name or title, or the owner's surname with a title that fits the owner's sex."""
        if speaker.startswith("业主") or speaker in {n for n in (self.name, self.title) if n}:
            return True
        family = surname(self.name or self.title)
        if not family or not speaker.startswith(family):
            return False
        suffix = speaker[len(family) :]
        if suffix not in TITLES and suffix not in FAMILIAR:
            return False
        known, said = _gender(self.title), _gender(speaker)
        return known is None or said is None or known == said

    def role(self, speaker: str) -> str:
        """owner, steward, service or other (a person's name that is not the owner, e.g. a plumber)."""
        speaker = speaker.strip()
        if self.is_owner(speaker):
            return "owner"
        if any(w in speaker for w in SERVICE_WORDS):
            return "service"
        if any(w in speaker for w in STEWARD_WORDS):
            return "steward"
        return "other"
