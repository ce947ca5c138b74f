"""One markup rule for catalogue text wherever it is shown (widgets, instructor views, report).

Catalogue text (prompts, hints, examples, quiz scenarios and explanations) is Markdown: lists,
**bold**, tables; a single line break stays a line break. Raw HTML in it is escaped, and links with
a harmful scheme (javascript: and the like) are disarmed by the renderer.
"""
from __future__ import annotations

import html
import re
from functools import lru_cache
from typing import Any

_ONE_PARAGRAPH = re.compile(r"\A<p>(.*)</p>\s*\Z", re.S)


@lru_cache(maxsize=1)
def _renderer() -> Any:
    import mistune
    return mistune.create_markdown(escape=True, hard_wrap=True, plugins=["table"])


def md(text: str) -> str:
    """Catalogue text as block HTML (paragraphs, lists), raw HTML escaped."""
    try:
        return str(_renderer()(text.strip()))
    except Exception:  # noqa: BLE001 - never lose the text: plain, escaped, line breaks kept
        return "<p>" + html.escape(text.strip()).replace("\n", "<br>") + "</p>"


def md_inline(text: str) -> str:
    """The same rule for a spot inside a line (a label, a bold option): one paragraph loses its <p>."""
    out = md(text)
    m = _ONE_PARAGRAPH.match(out)
    return m.group(1) if m and "<p>" not in m.group(1) else out
