"""Finding 2 (markdown): owner text given to st.markdown creates no HTML, link, image, colour or formula."""

from __future__ import annotations

import html

import pytest
from markdown_it import MarkdownIt

from app.workbench.components import inert, safe_html

CASES = [
    "[点我](javascript:alert(1))",
    "![x](http://127.0.0.1:9/b.png)",
    "<img src=x onerror=alert(1)>",
    "www.evil.example 和 https://evil.example/x",
    "**粗体** _斜体_ `代码`",
    ":red[红字] :material/home:",
    "$x^2$",
    "# 标题\n- 列表\n> 引用",
    "a@b.example",
    "&lt;script&gt; &amp;",
]


@pytest.mark.parametrize("text", CASES)
def test_finding2_inert_text_renders_as_the_same_literal_text(text):
    md = MarkdownIt("commonmark")  # raw HTML on, like unsafe_allow_html
    rendered = md.render(inert(text))
    assert "<a " not in rendered and "<img" not in rendered and "<script" not in rendered
    for tag in ("<strong>", "<em>", "<code>", "<h1>", "<li>", "<blockquote>"):
        assert tag not in rendered
    plain = rendered.replace("<p>", "").replace("</p>", "").strip()
    assert html.unescape(plain) == " ".join(text.split("\n"))
    assert ":" not in inert(text).replace("\\:", "") and "$" not in inert(text).replace("\\$", "")


def test_finding2_safe_html_keeps_our_anchor_and_drops_everything_else():
    out = safe_html(
        '<a id="ev-msg-1" href="javascript:x" onclick="x"></a><small>r</small><script>x</script>'
        '<img src=x onerror=y><iframe srcdoc="z"></iframe>'
    )
    assert out == '<a id="ev-msg-1"></a><small>r</small>'
