"""View counters shown on a page, read the way real pirate templates print them.

Sources, most explicit first (the first one found wins):

1. ``json-ld``: a schema.org ``InteractionCounter`` (``interactionStatistic`` → ``userInteractionCount``)
   for a watch, view or read action, or the older ``interactionCount: "UserPageVisits:N"``;
2. ``attribute``: ``data-views="N"`` and its variants, or microdata ``itemprop="userInteractionCount"``;
3. ``madara``: the WordPress Madara theme's "Rank 3rd, it has 12.3K monthly views";
4. ``label``: a text node that is a counter on its own — a label followed by a number in the next node
   (NetTruyen's ``<p>Lượt xem</p><p>1.234.567</p>``), "Views: N" or "N views" as a whole node, an eye
   icon followed by a number, an element whose class says "views" holding only a number;
5. ``text``: the same phrases anywhere in the visible text.

Numbers come with thousands separators of every locale ("1,234,567", "1.234.567", "1 234 567",
"1'234'567"), abbreviations ("12.3K", "1,2M", "1.5B", "1,2 triệu") and East Asian units ("1.2万",
"12万3456", "1億2000万", "3.4억"). Every pattern is bounded so that a hostile page of digits costs
linear time.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from parsel import Selector

from common.pages import text_nodes

#: JSON nodes looked at, at most (counters sit near the top of a page; text nodes: crawlers.visible_text)
MAX_JSON_NODES = 20_000
MAX_JSON_CHARS = 512 * 1024
#: visible text searched for counters in running text, and the longest text node read as a label
MAX_TEXT_CHARS = 256 * 1024
MAX_NODE_CHARS = 400

_CJK_UNITS = {"億": 10**8, "亿": 10**8, "억": 10**8, "万": 10**4, "萬": 10**4, "만": 10**4, "千": 10**3, "천": 10**3}
_WORD_SCALES = {
    "k": 10**3,
    "m": 10**6,
    "b": 10**9,
    "thousand": 10**3,
    "million": 10**6,
    "billion": 10**9,
    "nghìn": 10**3,
    "ngàn": 10**3,
    "triệu": 10**6,
    "tr": 10**6,
    "tỷ": 10**9,
    "tỉ": 10**9,
}
_SEP = "[,.\u00a0\u202f\u2009' ]"
#: thousands grouped with one separator throughout (no capturing groups: NUMBER is embedded in larger patterns)
_GROUPED = "|".join(r"\d{1,3}(?:" + sep + r"\d{3}){1,6}" for sep in (",", r"\.", "[ \u00a0\u202f\u2009]", "'"))
_PLAIN = r"\d{1,15}(?:[.,]\d{1,3})?"
_SUFFIX = r"(?:\s?(?:[KkMmBb](?![A-Za-z])|thousand|million|billion|nghìn|ngàn|triệu|tr(?![a-zà-ỹ])|tỷ|tỉ))"
_CJK = r"(?:\d{1,12}(?:[.,]\d{1,4})?\s?[億亿억万萬만千천]\s?){1,3}\d{0,4}"
#: one number as pages print it; the look-behind keeps a search from restarting inside a run of digits
NUMBER = r"(?<![\d.,])(?:" + _CJK + r"|(?:" + _GROUPED + r"|\d{1,2}(?:,\d{2})+,\d{3}|" + _PLAIN + r")" + _SUFFIX + r"?)"
_NUMBER_RE = re.compile(NUMBER)
_NUMBER_ONLY = re.compile(r"^[\W_]{0,3}(" + NUMBER + r")[+\W_]{0,3}$")

#: words printed after a number ("12,345 views", "1.2万回閲覧", "1.234 lượt xem")
_AFTER_WORDS = (
    r"views?(?![a-z])|reads(?![a-z])|plays(?![a-z])|lượt\s?(?:xem|đọc|view)|回閲覧|閲覧|回再生|"
    r"回視聴|pv(?![a-z])|ビュー|次浏览|次瀏覽|浏览|瀏覽|次阅读|次閱讀|阅读|閱讀|次观看|次觀看|次播放|人气|人氣|"
    r"vistas|visualizaciones|visualizações|vues|aufrufe|visualizzazioni|kali dilihat|dilihat|просмотр[а-я]*|"
    r"görüntülenme|izlenme|مشاهدة"
)
#: labels printed before a number ("Views: 12,345", "Lượt xem 1.234.567", "閲覧数：1.2万", "조회수 1,234")
_LABEL_WORDS = (
    r"(?:total\s|monthly\s)?views?|lượt\s?(?:xem|đọc|view)|閲覧数|閲覧回数|閲覧|再生回数|視聴回数|視聴数|pv数?|ビュー数|"
    r"조회수|조회|浏览量|浏览次数|浏览|瀏覽|阅读量|阅读|閱讀|人气|人氣|观看次数|觀看次數|播放量|播放次数|"
    r"visitas|vistas|visualizaciones|visualizações|vues|aufrufe|dilihat|просмотры|просмотров|görüntülenme|"
    r"مشاهدات"
)
_AFTER_WORD = re.compile("(?:" + _AFTER_WORDS + ")", re.IGNORECASE)
_NUMBER_AT_END = re.compile("(" + NUMBER + r")\s?$")
#: in running text an English "views" label needs a colon: "800 views 1 2 3" is a count then a chapter list
_WORD_THEN_NUMBER = re.compile(
    r"(?:(?<![a-z])(?:"
    + _LABEL_WORDS
    + r")\s?[:：]|(?:lượt\s?(?:xem|đọc)|閲覧数|閲覧回数|再生回数|조회수|浏览量|阅读量))"
    r"\s{0,3}(" + NUMBER + ")",
    re.IGNORECASE,
)
_LABEL_ONLY = re.compile(r"^[\W_]{0,3}(?:" + _LABEL_WORDS + r")[\s:：]{0,3}$", re.IGNORECASE)
_NODE_PHRASE = re.compile(
    r"^[\W_]{0,3}(?:(?:"
    + _LABEL_WORDS
    + r")[\s:：]{0,3}("
    + NUMBER
    + r")|("
    + NUMBER
    + r")\s?(?:"
    + _AFTER_WORDS
    + r"))"
    r"[+\W_]{0,3}$",
    re.IGNORECASE,
)
_MADARA = re.compile(r"it has\s{1,3}(" + NUMBER + r")\s{1,3}(?:monthly\s{1,3})?views?", re.IGNORECASE)
_VIEW_CLASS = re.compile(
    r"^(?:[a-z0-9]+[-_])*(?:views?|view-?count|views-?count|viewcount|post-views-count|luot-?xem|luotxem)(?:[-_][a-z0-9]+)*$",
    re.IGNORECASE,
)
_EYE_ICON = re.compile(r"(?:^|[-_\s])(?:eye|eye-open|visibility|icon-view|views?-icon)(?:$|[-_\s])", re.IGNORECASE)
_VIEW_ATTRIBUTES = re.compile(r"^data-(?:total-|post-)?views?(?:-?count)?$|^data-viewcount$", re.IGNORECASE)
#: schema.org actions whose InteractionCounter counts views of the page's work
_VIEW_ACTIONS = {"watchaction", "viewaction", "readaction", "consumeaction", "listenaction", "playaction"}


@dataclass(frozen=True)
class ViewCounter:
    """A page's view counter and where it was read (the source names above)."""

    views: int
    source: str


def parse_count(text: str) -> int | None:
    """A printed count as an integer: ``"1.234.567"`` → 1234567, ``"12.3K"`` → 12300, ``"1.2万"`` → 12000.

    None when `text` is not a count.
    """
    value = unicodedata.normalize("NFKC", text).strip().rstrip("+").strip()
    if not value or not value[0].isdigit():
        return None
    if any(unit in value for unit in _CJK_UNITS):
        return _parse_cjk(value)
    scale = 1
    word = re.search(r"\s?([A-Za-zà-ỹÀ-Ỹ]+)$", value)
    if word:
        scale_of = _WORD_SCALES.get(word.group(1).lower())
        if scale_of is None:
            return None
        scale, value = scale_of, value[: word.start()].strip()
    number = _to_float(value, abbreviated=scale > 1)
    if number is None:
        return None
    return round(number * scale)


def _to_float(value: str, abbreviated: bool) -> float | None:
    """Digits with separators: groups of three are thousands; a lone separator in "1,2K" is a decimal point."""
    value = value.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2009", " ")
    if re.fullmatch(_GROUPED, value) and not (abbreviated and len(re.findall(_SEP, value)) == 1):
        return float(re.sub(_SEP, "", value))
    if re.fullmatch(r"\d{1,2}(?:,\d{2})+,\d{3}", value):  # Indian grouping: 12,34,567
        return float(value.replace(",", ""))
    mixed = re.fullmatch(r"(\d{1,3}(?:([,.' ])\d{3})*)([.,])(\d{1,3})", value)
    if mixed and mixed.group(2) and mixed.group(2) != mixed.group(3):  # "1,234.5"
        return float(re.sub(_SEP, "", mixed.group(1)) + "." + mixed.group(4))
    try:
        return float(value.replace(",", "."))
    except ValueError:
        return None


def _parse_cjk(value: str) -> int | None:
    total = 0.0
    for number, unit in re.findall(r"(\d[\d,.]*)\s?([億亿억万萬만千천]?)", value):
        amount = _to_float(number, abbreviated=bool(unit))
        if amount is None:
            return None
        total += amount * _CJK_UNITS.get(unit, 1)
    return round(total) if total else None


def _first_count(pattern: re.Pattern[str], text: str) -> int | None:
    for match in pattern.finditer(text):
        count = parse_count(next(g for g in match.groups() if g))
        if count is not None:
            return count
    return None


def _number_then_word(text: str) -> tuple[int, int] | None:
    # The word first, then the number just before it: searching for numbers everywhere would cost
    # a regex attempt at every digit of a page of digits.
    for match in _AFTER_WORD.finditer(text):
        before = _NUMBER_AT_END.search(text[max(0, match.start() - 48) : match.start()])
        if before:
            count = parse_count(before.group(1))
            if count is not None:
                return match.start() - 48 + before.start(), count
    return None


def counter_in_text(text: str) -> int | None:
    """A counter in running text: "N views" and its translations, or "Views: N" (the first one)."""
    text = text[:MAX_TEXT_CHARS]
    found = [hit for hit in (_number_then_word(text), _word_then_number(text)) if hit is not None]
    return min(found)[1] if found else None


def _word_then_number(text: str) -> tuple[int, int] | None:
    for match in _WORD_THEN_NUMBER.finditer(text):
        count = parse_count(match.group(1))
        if count is not None:
            return match.start(), count
    return None


# -- structured sources ---------------------------------------------------------------------------
def _json_nodes(data: Any) -> Iterator[dict[str, Any]]:
    """Dicts of a JSON-LD document, breadth first (a page's main entity before what it nests)."""
    queue: deque[Any] = deque([data])
    seen = 0
    while queue and seen < MAX_JSON_NODES:
        node = queue.popleft()
        seen += 1
        if isinstance(node, dict):
            yield node
            queue.extend(v for v in node.values() if isinstance(v, dict | list))
        elif isinstance(node, list):
            queue.extend(v for v in node if isinstance(v, dict | list))


def _type_names(value: Any) -> set[str]:
    values = value if isinstance(value, list) else [value]
    names = set()
    for v in values:
        if isinstance(v, dict):
            v = v.get("@type", "")
        if isinstance(v, str):
            names.add(v.rsplit("/", 1)[-1].rsplit("#", 1)[-1].lower())
    return names


def _json_ld_counter(root: Any) -> int | None:
    for script in root.xpath("//script[contains(translate(@type, 'LDJSON', 'ldjson'), 'ld+json')]"):
        text = (script.text or "").strip()
        if not text or len(text) > MAX_JSON_CHARS:
            continue
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):  # malformed or absurdly nested: not a counter
            continue
        for node in _json_nodes(data):
            if "interactioncounter" in _type_names(node) or "userInteractionCount" in node:
                action = _type_names(node.get("interactionType"))
                if action and not action & _VIEW_ACTIONS:
                    continue  # likes, comments, shares: not views
                count = parse_count(str(node.get("userInteractionCount", "")))
                if count is not None:
                    return count
            old = node.get("interactionCount")
            if isinstance(old, str | int):  # "UserPageVisits:1234" (the pre-2015 form)
                kind, _, number = str(old).rpartition(":")
                if not kind or re.search(r"visit|view|play|download", kind, re.IGNORECASE):
                    count = parse_count(number)
                    if count is not None:
                        return count
    return None


def _attribute_counter(root: Any) -> int | None:
    for element in root.xpath(
        "//*[@*[starts-with(name(), 'data-view') or starts-with(name(), 'data-total-view')"
        " or starts-with(name(), 'data-post-view')]]"
    ):
        for name, value in element.attrib.items():
            if _VIEW_ATTRIBUTES.match(name):
                count = parse_count(value)
                if count is not None:
                    return count
    for element in root.xpath("//*[@itemprop='userInteractionCount' or @itemprop='interactionCount']"):
        kind, _, number = (element.get("content") or element.text_content()).rpartition(":")
        if kind and not re.search(r"visit|view|play|download", kind, re.IGNORECASE):
            continue  # "UserComments:12"
        count = parse_count(number)
        if count is not None:
            return count
    return None


def _classes(element: Any) -> list[str]:
    return str(element.get("class") or "").split()


def _label_counter(texts: list[tuple[str, Any, bool]]) -> int | None:
    for index, (text, element, is_tail) in enumerate(texts):
        if len(text) > MAX_NODE_CHARS:  # a counter is a short node; a long one is prose
            continue
        match = _NODE_PHRASE.match(text)
        if match:
            count = parse_count(match.group(1) or match.group(2))
            if count is not None:
                return count
        number = _NUMBER_ONLY.match(text)
        if number:
            after_eye = is_tail and any(_EYE_ICON.search(c) for c in _classes(element))
            in_views = not is_tail and any(_VIEW_CLASS.match(c) for c in _classes(element))
            if after_eye or in_views:
                count = parse_count(number.group(1))
                if count is not None:
                    return count
        if _LABEL_ONLY.match(text) and index + 1 < len(texts):
            following = _NUMBER_ONLY.match(texts[index + 1][0])
            if following:
                count = parse_count(following.group(1))
                if count is not None:
                    return count
    return None


def view_counter(root: Any) -> ViewCounter | None:
    """The page's view counter (see the module docstring for the order), or None.

    `root` is the page's lxml element (``response.selector.root`` in a spider).
    """
    count = _json_ld_counter(root)
    if count is not None:
        return ViewCounter(count, "json-ld")
    count = _attribute_counter(root)
    if count is not None:
        return ViewCounter(count, "attribute")
    # NFKC: full-width digits and separators ("１２，３４５") read as ASCII ones
    nodes = [(unicodedata.normalize("NFKC", t[:MAX_TEXT_CHARS]).strip(), el, tail) for t, el, tail in text_nodes(root)]
    nodes = [node for node in nodes if node[0]]
    # One node a line: a newline is never a thousands separator, so "1 2 800 views" (a chapter list
    # then a counter, in three nodes) does not read as 2,800.
    visible = "\n".join(text for text, _, _ in nodes)[:MAX_TEXT_CHARS]
    count = _first_count(_MADARA, visible)
    if count is not None:
        return ViewCounter(count, "madara")
    count = _label_counter(nodes)
    if count is not None:
        return ViewCounter(count, "label")
    count = counter_in_text(visible)
    if count is not None:
        return ViewCounter(count, "text")
    return None


def view_counter_in_html(html: str) -> ViewCounter | None:
    """:func:`view_counter` of an HTML string (for tests and one-off use)."""
    if not html.strip():
        return None
    return view_counter(Selector(text=html).root)
