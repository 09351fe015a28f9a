"""Reading an untrusted JSON answer member by member, with every wrong shape written down.

An RDAP answer comes from a registry, or from whichever registrar server a registry's ``related``
link names: it is hostile input. RFC 9083 gives every member a type; real servers send ``null``
where a list belongs, a number where a string belongs, a bare string where an array of strings
belongs (``"status": "active"``), names with lone surrogates, and objects nested deep enough to
exhaust a recursive reader. :class:`Shape` reads members by the type RFC 9083 gives them and, for
anything else, records a *problem* naming the field (``entities[2].roles: null, expected an array
of strings``) and goes on with what it can read. Strings come out scrubbed
(:func:`common.text.scrub`): safe to store, print and write as JSON.
"""

from __future__ import annotations

from typing import Any

from common.text import scrub

#: deeper than this, an answer is refused whole (RFC 9083 objects nest a handful of levels)
MAX_DEPTH = 64
#: problems recorded per answer; the rest are counted
MAX_PROBLEMS = 10


def type_name(value: Any) -> str:
    """The JSON type of `value`, as a message names it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def depth_of(value: Any, limit: int = MAX_DEPTH) -> int:
    """How many levels of arrays and objects `value` nests, counted level by level without
    recursion, stopping past `limit`."""
    depth = 0
    level: list[Any] = [value] if type(value) is dict or type(value) is list else []
    while level:
        depth += 1
        if depth > limit:
            return depth
        below: list[Any] = []
        for node in level:  # only dicts and lists are in `level`
            below.extend(node.values() if type(node) is dict else node)
        level = [n for n in below if type(n) is dict or type(n) is list]
    return depth


class Shape:
    """The problems found in one answer, and readers that record them."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.more = 0  # problems past MAX_PROBLEMS, counted only

    def problem(self, path: str, what: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(f"{path}: {what}")
        else:
            self.more += 1

    def all_problems(self) -> list[str]:
        """The problems recorded, and how many more there were."""
        extra = [f"and {self.more} more problems"] if self.more else []
        return [*self.problems, *extra]

    def text(self, obj: dict[str, Any], key: str, path: str, *, max_length: int = 300) -> str | None:
        """The string member `key`, scrubbed; None (and a problem unless absent) otherwise."""
        if key not in obj:
            return None
        return self.as_text(obj[key], f"{path}.{key}" if path else key, max_length=max_length)

    def as_text(self, value: Any, path: str, *, max_length: int = 300) -> str | None:
        if not isinstance(value, str):
            self.problem(path, f"{type_name(value)}, expected a string")
            return None
        return scrub(value, max_length=max_length)

    def objects(
        self, obj: dict[str, Any], key: str, path: str, *, limit: int | None = None
    ) -> list[tuple[str, dict[str, Any]]]:
        """The objects of the array member `key` (the first `limit`), each with its path; wrong items are problems."""
        items = self._array(obj, key, path, "objects")
        if limit is not None and len(items) > limit:
            self.problem(f"{path}.{key}" if path else key, f"{len(items):,} items; only the first {limit:,} were read")
            items = items[:limit]
        out = []
        for i, item in enumerate(items):
            where = f"{path}.{key}[{i}]" if path else f"{key}[{i}]"
            if isinstance(item, dict):
                out.append((where, item))
            else:
                self.problem(where, f"{type_name(item)}, expected an object")
        return out

    def strings(self, obj: dict[str, Any], key: str, path: str, *, max_length: int = 300) -> list[str]:
        """The strings of the array member `key`, scrubbed. A bare string is one value, not its letters."""
        where = f"{path}.{key}" if path else key
        if isinstance(obj.get(key), str):
            self.problem(where, "a string, expected an array of strings")
            text = scrub(obj[key], max_length=max_length)
            return [text] if text else []
        out = []
        for i, item in enumerate(self._array(obj, key, path, "strings")):
            text = self.as_text(item, f"{where}[{i}]", max_length=max_length)
            if text:
                out.append(text)
        return out

    def _array(self, obj: dict[str, Any], key: str, path: str, of: str) -> list[Any]:
        if key not in obj:
            return []
        value = obj[key]
        if isinstance(value, list):
            return value
        self.problem(f"{path}.{key}" if path else key, f"{type_name(value)}, expected an array of {of}")
        return []
