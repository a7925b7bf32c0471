"""Household-scoped redaction with consistent numbered placeholders (【业主】, 【手机号1】 …)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from core.redaction import engine
from core.redaction import entities as ent
from core.redaction.findings import Finding
from core.redaction.household import HouseholdPeople, PersonRole, same_unit, unit_key

if TYPE_CHECKING:
    from presidio_analyzer import AnalyzerEngine, EntityRecognizer

OWNER_PLACEHOLDER = "【业主】"
OWN_UNIT_PLACEHOLDER = "【本户】"
_STAFF_LABEL = "工作人员"
_CONTEXT_BEFORE = 6


def _value_key(entity_type: str, value: str) -> str:
    """Normalize a detected value so different spellings share one placeholder."""
    compact = "".join(unicodedata.normalize("NFKC", value).split())
    if entity_type in (ent.MOBILE, ent.BANK_CARD, ent.LANDLINE):
        digits = "".join(ch for ch in compact if ch.isdigit())
        return digits[-11:] if entity_type == ent.MOBILE else digits
    if entity_type in (ent.EMAIL, ent.WECHAT_ID):
        return compact.lower()
    if entity_type == ent.LICENSE_PLATE:
        return "".join(ch for ch in compact if ch.isalnum()).upper()
    return compact.upper()


class HouseholdRedactor:
    """Redact one household's evidence with placeholders that stay stable across calls.

    The owner is always 【业主】 and the household's own unit 【本户】; staff become
    【工作人员1】, other people 【人员1】, and each distinct phone, ID, card, e-mail,
    WeChat id, plate or address gets its own numbered placeholder. ``mapping``
    (placeholder → first original value) stays on this object: it is never logged
    and never part of ``redact``'s output.
    """

    def __init__(
        self,
        owner_names: Sequence[str] = (),
        owner_unit: str | None = None,
        staff_names: Sequence[str] = (),
        analyzer: AnalyzerEngine | None = None,
    ) -> None:
        """Create a redactor for one household.

        Args:
            owner_names: The owner's names (王丽); 王女士 and 丽姐 then also map to 【业主】.
            owner_unit: The household's unit (4号楼1203), mapped to 【本户】.
            staff_names: Names of property staff (李明), mapped to 【工作人员N】.
            analyzer: Analyzer to use; defaults to the per-process one.
        """
        self._people = HouseholdPeople.of(owner_names, staff_names)
        self._owner_unit = owner_unit.strip() if owner_unit and owner_unit.strip() else None
        self._owner_unit_key = unit_key(self._owner_unit) if self._owner_unit else None
        self._analyzer = analyzer
        self._extra: list[EntityRecognizer] | None = None
        self._by_key: dict[tuple[str, str], str] = {}
        self._counters: dict[str, int] = {}
        self.mapping: dict[str, str] = {}
        """Placeholder → original value, for authorised re-identification only."""

    def redact(self, text: str) -> str:
        """Return ``text`` with every detected PII span replaced by its placeholder."""
        return self.redact_with_findings(text)[0]

    def redact_with_findings(self, text: str) -> tuple[str, list[Finding]]:
        """Redact ``text`` and also return what was found (types and spans in ``text``, no values)."""
        results = engine.analyze(text, self._extra_recognizers(), analyzer=self._analyzer)
        findings = [Finding(r.entity_type, r.start, r.end, r.score) for r in results]
        if not results:
            return text, findings
        table: dict[tuple[str, str], str] = {}
        for result in results:
            value = text[result.start : result.end]
            before = text[max(0, result.start - _CONTEXT_BEFORE) : result.start]
            table.setdefault((result.entity_type, value), self._placeholder(result.entity_type, value, before))
        return _anonymize(text, results, table), findings

    def redact_many(self, texts: Iterable[str]) -> list[str]:
        """Redact several texts of the same household, sharing placeholders.

        The learned tagger reads all of them first, once each (repeated lines are tagged once).
        """
        from core.redaction.learned.model import prefetch

        texts = list(texts)
        prefetch(engine.normalize(text)[0] for text in texts if text)
        return [self.redact(text) for text in texts]

    def _extra_recognizers(self) -> list[EntityRecognizer]:
        if self._extra is None:
            from core.redaction.household import OWNER_TITLES, STAFF_TITLES
            from core.redaction.recognizers.known_values_recognizer import KnownValuesRecognizer

            names = self._people.owner_variants() + list(self._people.staff_names)
            self._extra = []
            if names:
                self._extra.append(KnownValuesRecognizer(ent.PERSON, names, OWNER_TITLES + STAFF_TITLES))
            if self._owner_unit:
                self._extra.append(KnownValuesRecognizer(ent.ADDRESS, [self._owner_unit]))
        return self._extra

    def _placeholder(self, entity_type: str, value: str, before: str) -> str:
        if entity_type == ent.PERSON:
            role, key = self._people.classify(value, before)
            if role is PersonRole.OWNER:
                return self._remember(OWNER_PLACEHOLDER, value)
            label = _STAFF_LABEL if role is PersonRole.STAFF else ent.PLACEHOLDER_LABELS[ent.PERSON]
            return self._numbered(label, key, value)
        if entity_type == ent.ADDRESS and self._owner_unit_key and same_unit(unit_key(value), self._owner_unit_key):
            return self._remember(OWN_UNIT_PLACEHOLDER, value)
        label = ent.PLACEHOLDER_LABELS.get(entity_type, ent.PLACEHOLDER_LABELS[ent.KNOWN_VALUE])
        return self._numbered(label, _value_key(entity_type, value), value)

    def _numbered(self, label: str, key: str, value: str) -> str:
        existing = self._by_key.get((label, key))
        if existing:
            return existing
        self._counters[label] = self._counters.get(label, 0) + 1
        placeholder = f"【{label}{self._counters[label]}】"
        self._by_key[(label, key)] = placeholder
        return self._remember(placeholder, value)

    def _remember(self, placeholder: str, value: str) -> str:
        self.mapping.setdefault(placeholder, value)
        return placeholder

    def __repr__(self) -> str:
        return f"HouseholdRedactor(placeholders={len(self.mapping)})"


def _anonymize(text: str, results: list, table: dict[tuple[str, str], str]) -> str:
    """Apply the placeholders through presidio-anonymizer's custom operator."""
    from presidio_anonymizer.entities import OperatorConfig

    def operator(entity_type: str) -> OperatorConfig:
        return OperatorConfig("custom", {"lambda": lambda value: table[(entity_type, value)]})

    operators = {etype: operator(etype) for etype in {r.entity_type for r in results}}
    anonymized = engine.get_anonymizer().anonymize(
        text=text, analyzer_results=results, operators=operators, merge_entities_with_spaces=False
    )
    return anonymized.text


def redact_text(text: str) -> str:
    """Redact a single text with no household context (owner names unknown)."""
    return HouseholdRedactor().redact(text)
