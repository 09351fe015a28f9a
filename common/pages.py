"""The text a reader sees on a page: node by node and in document order (the crawlers read view
counters and "we moved" notices from it), or as one string (the re-check before a notice is sent
looks for the work's titles in it)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import lxml.etree
import lxml.html

#: text nodes read at most (what a crawl looks for sits near the top of a page)
MAX_TEXT_NODES = 20_000
_SKIP_TAGS = {"script", "style", "noscript", "template", "head", "title", "select", "option", "textarea", "svg"}


def text_nodes(root: Any) -> Iterator[tuple[str, Any, bool]]:
    """Visible text nodes in document order: (text, element, is_tail).

    For an element's own text the element is its container; for a tail it is the element just
    before the text (``<i class="fa-eye"></i> 12,345``: the icon). Scripts, styles and comments are
    not visible; their tails are. An explicit stack, not recursion: a hostile page may nest deep.
    """
    stack: list[tuple[Any, bool]] = [(root, False)]
    count = 0
    while stack and count < MAX_TEXT_NODES:
        element, closing = stack.pop()
        if closing:
            if element.tail and element is not root:
                count += 1
                yield element.tail, element, True
            continue
        stack.append((element, True))
        tag = element.tag if isinstance(element.tag, str) else None
        if tag is None or tag.lower() in _SKIP_TAGS:
            continue
        if element.text:
            count += 1
            yield element.text, element, False
        stack.extend((child, False) for child in reversed(element))


def link_of(element: Any, is_tail: bool) -> str | None:
    """The ``href`` of the link a text node belongs to, if any (a few levels up at most)."""
    node = element.getparent() if is_tail else element
    for _ in range(4):
        if node is None:
            return None
        if isinstance(node.tag, str) and node.tag.lower() == "a" and node.get("href"):
            return str(node.get("href"))
        node = node.getparent()
    return None


def visible_text(markup: str) -> str:
    """The visible text of an HTML page as one string (empty for a page lxml cannot parse)."""
    try:
        root = lxml.html.document_fromstring(markup)
    except (lxml.etree.ParserError, ValueError):
        return ""
    return " ".join(text for text, _, _ in text_nodes(root))
