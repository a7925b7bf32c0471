"""Who is who in one household: owner and staff name variants, unit matching, person roles."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import regex

OWNER_TITLES = (
    "女士",
    "先生",
    "小姐",
    "阿姨",
    "大爷",
    "大妈",
    "大姐",
    "大哥",
    "老师",
    "姐",
    "哥",
    "叔",
    "总",
)
STAFF_TITLES = ("管家", "师傅", "经理", "主管", "总监", "主任", "客服")
STAFF_PREFIXES = (
    "客服",
    "管家",
    "保安",
    "保洁",
    "维修",
    "工程",
    "物业",
    "前台",
    "电工",
    "绿化",
    "秩序",
)
_COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "令狐",
    "司徒",
    "夏侯",
)
_BUILDING = regex.compile(r"(\d{1,3}|[A-Za-z])\s*(?:号楼|栋|幢|座)")
_DASHED = regex.compile(r"(\d{1,3})-(?:\d{1,2}-)?(\d{3,4})")
_ROOM = regex.compile(r"(\d{3,4})\s*(?:室|房间|房|号)?\s*$")


class PersonRole(StrEnum):
    """Role of a person mentioned in household evidence."""

    OWNER = "owner"
    STAFF = "staff"
    OTHER = "other"


def split_name(name: str) -> tuple[str, str]:
    """Split a Chinese full name into (surname, given name)."""
    name = name.strip()
    if name[:2] in _COMPOUND_SURNAMES and len(name) > 2:
        return name[:2], name[2:]
    return name[:1], name[1:]


def unit_key(text: str) -> tuple[str | None, str] | None:
    """Return (building, room) of a unit reference such as 4号楼1203 or 4-2-1203, else None."""
    compact = "".join(text.split())
    dashed = _DASHED.search(compact)
    if dashed and "号" not in compact and "栋" not in compact:
        return dashed.group(1), dashed.group(2)
    room = _ROOM.search(compact)
    if not room:
        return None
    building = _BUILDING.search(compact)
    return (building.group(1).upper() if building else None), room.group(1)


def same_unit(a: tuple[str | None, str] | None, b: tuple[str | None, str] | None) -> bool:
    """True when two unit keys name the same room (a missing building matches any)."""
    if a is None or b is None or a[1] != b[1]:
        return False
    return a[0] is None or b[0] is None or a[0] == b[0]


@dataclass(frozen=True)
class HouseholdPeople:
    """Known names of one household and the rules that assign a role to a person mention."""

    owner_names: tuple[str, ...] = ()
    staff_names: tuple[str, ...] = ()

    @classmethod
    def of(cls, owner_names: Sequence[str], staff_names: Sequence[str]) -> HouseholdPeople:
        """Build from caller sequences, dropping blanks."""
        return cls(owner_names=_clean(owner_names), staff_names=_clean(staff_names))

    @property
    def owner_surnames(self) -> set[str]:
        """Surnames of the owner names."""
        return {split_name(n)[0] for n in self.owner_names if len(n) >= 2}

    def owner_variants(self) -> list[str]:
        """Literal forms that always mean the owner: full names and given name + 姐/哥."""
        variants = list(self.owner_names)
        for name in self.owner_names:
            given = split_name(name)[1]
            if given:
                variants += [given + "姐", given + "哥", given[-1] + "姐", given[-1] + "哥"]
        return variants

    def classify(self, span: str, before: str) -> tuple[PersonRole, str]:
        """Return the role of a person mention and the key that numbers its placeholder.

        Args:
            span: The detected person reference (王女士, 李管家, 小李, 王丽).
            before: A few characters of text before the span (for 客服小李).
        """
        if any(span.startswith(n) for n in self.owner_names) or span in self.owner_variants():
            return PersonRole.OWNER, "owner"
        staff_key = self._staff_key(span, before)
        if staff_key:
            return PersonRole.STAFF, staff_key
        surname = _surname_of_titled(span, OWNER_TITLES)
        if surname and surname in self.owner_surnames:
            return PersonRole.OWNER, "owner"
        return PersonRole.OTHER, span

    def _staff_key(self, span: str, before: str) -> str | None:
        for name in self.staff_names:
            if span.startswith(name):
                return name
        surname = _surname_of_titled(span, STAFF_TITLES) or _surname_of_nickname(span)
        matching = [n for n in self.staff_names if surname and split_name(n)[0] == surname]
        if len(matching) == 1:
            return matching[0]
        if span.endswith(STAFF_TITLES) or before.rstrip().endswith(STAFF_PREFIXES):
            return span
        return None


def _surname_of_titled(span: str, titles: Sequence[str]) -> str | None:
    """Surname of a bare 'surname + title' mention (王女士 → 王; 王丽女士 → None)."""
    for title in titles:
        head = span[: len(span) - len(title)]
        if span.endswith(title) and (len(head) == 1 or head in _COMPOUND_SURNAMES):
            return head
    return None


def _surname_of_nickname(span: str) -> str | None:
    """Surname of 小李 / 老王, else None."""
    return span[1] if len(span) == 2 and span[0] in "小老" else None


def _clean(names: Sequence[str]) -> tuple[str, ...]:
    """Strip names and drop blanks."""
    return tuple(n.strip() for n in names if n and n.strip())
