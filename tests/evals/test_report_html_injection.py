"""Finding 2 (eval reports): owner text and model output in an HTML eval report are shown, never rendered."""

from __future__ import annotations

from html import escape
from html.parser import HTMLParser

from evals.report_html import render_html

HOSTILE = (
    "<img src=x onerror=alert(1)>",
    '<iframe srcdoc="<script>alert(2)</script>">',
    "<script>alert(3)</script>",
    '"><svg onload=alert(4)>',
    "javascript:alert(5)",
)
ALLOWED_TAGS = {
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "h1",
    "h2",
    "p",
    "span",
    "b",
    "table",
    "tr",
    "th",
    "td",
    "details",
    "summary",
    "pre",
    "a",
}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def _report(x: str) -> dict:
    step = {
        "seq": 1,
        "date": x,
        "window": [x, x],
        "channel": x,
        "role_name": x,
        "action": x,
        "message": x,
        "message_source": x,
    }
    case = {
        "id": x,
        "household": x,
        "description": x,
        "passed": False,
        "error": x,
        "checks": {x: False},
        "expected": {"primary": x},
        "diagnosis": {
            "primary_cause": {"id": x, "name": x},
            "confidence": x,
            "source": x,
            "explanation": x,
            "citations": [x],
            "flags": [x],
        },
        "candidates": [x],
        "owner_lines": [x, x],
        "plan": {"stage": x, "strategy_label": x, "steps": [step]},
        "validation": x,
        "scores": {"cause": {"predicted": x}},
    }
    return {
        "meta": {"run_id": x, "suite": x, "model": x},
        "summary": {x: x},
        "gate": {"passed": False, "failures": [x]},
        "per_cause": {x: {"n": 1, "top1_rate": 0.0, "top3_rate": 0.0, "passed": 0, "misread_as": {x: 1}}},
        "cases": [case],
        "review_agreement": {x: x},
    }


def test_finding2_hostile_text_in_every_report_field_is_escaped():
    for payload in HOSTILE:
        page = render_html(_report(payload))
        parser = _Tags()
        parser.feed(page)
        assert {t for t, _ in parser.tags} <= ALLOWED_TAGS, payload
        for _, attrs in parser.tags:
            assert not any(name.startswith("on") for name, _ in attrs), payload
            assert not any(
                (value or "").strip().lower().startswith("javascript:") and name == "href" for name, value in attrs
            ), payload
        assert escape(payload) in page  # shown as text
