"""``docs/settings.md``, generated from the settings classes: every setting, its variable, default and meaning.

Each setting's meaning is the ``#:`` comment above its field (the convention of every ``config.py``);
a field without one is listed all the same, with its type. Run ``python -m piratewatch.settings_doc``
after changing a settings class; ``tests/test_settings_doc.py`` fails while the file is behind.
"""

from __future__ import annotations

import enum
import inspect
import re
import sys
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from piratewatch.config import Settings

DOC = Path(__file__).resolve().parent.parent / "docs" / "settings.md"
_FIELD = re.compile(r"^\s+(\w+)\s*:")

HEADER = """# Settings

Generated from the settings classes by `python -m piratewatch.settings_doc`: do not edit by hand
(`tests/test_settings_doc.py` fails while this file is behind the code). Every setting is an
environment variable (or a line of `.env`): `PIRATEWATCH_` then the group and the field in capitals,
joined by `__`. Lists and mappings are JSON: `PIRATEWATCH_RESOLVER__NAMESERVERS='["9.9.9.9"]'`.
"""


def comments(cls: type) -> dict[str, str]:
    """The ``#:`` comment above each field of `cls` (its own source, then its bases')."""
    found: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if klass in (object, BaseModel) or not issubclass(klass, BaseModel):
            continue
        try:
            lines = inspect.getsource(klass).splitlines()
        except (OSError, TypeError):
            continue
        pending: list[str] = []
        for line in lines:
            stripped = line.strip()
            if stripped.startswith("#:"):
                pending.append(stripped[2:].strip())
                continue
            match = _FIELD.match(line)
            if match:
                # the ``#:`` block above the field, else a comment at the end of its line
                trailing = line.split("  # ", 1)[1].strip() if "  # " in line else ""
                if pending or trailing:
                    found[match.group(1)] = " ".join(pending) or trailing
            if stripped and not stripped.startswith("#"):
                pending = []
    return found


def _group(annotation: Any) -> type[BaseModel] | None:
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _type_name(annotation: Any) -> str:
    if annotation is None:
        return "none"
    if inspect.isclass(annotation) and issubclass(annotation, enum.Enum):
        return " \\| ".join(str(m.value) for m in annotation)
    if typing.get_origin(annotation) is typing.Literal:
        return " \\| ".join(str(a) for a in typing.get_args(annotation))
    if inspect.isclass(annotation) and not typing.get_args(annotation):
        return annotation.__name__
    text = str(annotation).replace("typing.", "").replace("pathlib.", "")
    return re.sub(r"<class '([\w.]+)'>", lambda m: m.group(1).rsplit(".", 1)[-1], text).replace("|", "\\|")


def _default(info: FieldInfo) -> str:
    if info.default_factory is not None:
        try:
            value = info.default_factory()  # type: ignore[call-arg]
        except Exception:
            return "(computed)"
        if isinstance(value, Path):
            return "(computed)"  # a machine's own directory, not a value to document
    elif info.default is PydanticUndefined:
        return "(required)"
    else:
        value = info.default
    if isinstance(value, SecretStr):
        return "(secret)"
    if isinstance(value, enum.Enum):
        value = value.value
    if value == "" or value is None:
        return "(empty)"
    text = value if isinstance(value, str) else repr(value)
    if len(text) > 80:
        text = text[:77] + "…"
    return f"`{text}`".replace("|", "\\|")


def _rows(cls: type[BaseModel], prefix: str) -> tuple[list[str], list[tuple[str, str, type[BaseModel]]]]:
    notes = comments(cls)
    rows, groups = [], []
    for name, info in cls.model_fields.items():
        group = _group(info.annotation)
        if group is not None:
            groups.append((f"{prefix}{name.upper()}__", notes.get(name, info.description or ""), group))
            continue
        meaning = (notes.get(name) or info.description or "").replace("|", "\\|")
        rows.append(f"| `{prefix}{name.upper()}` | {_type_name(info.annotation)} | {_default(info)} | {meaning} |")
    return rows, groups


def render() -> str:
    """The whole of docs/settings.md."""
    out = [HEADER]
    top, groups = _rows(Settings, "PIRATEWATCH_")
    out += [
        "## General (`piratewatch/config.py`, `Settings`)",
        "",
        "| variable | type | default | meaning |",
        "|---|---|---|---|",
    ]
    out += top
    while groups:
        prefix, note, cls = groups.pop(0)
        rows, nested = _rows(cls, prefix)
        groups = nested + groups
        source = inspect.getsourcefile(cls) or ""
        where = (
            Path(source).resolve().relative_to(DOC.parent.parent)
            if source.startswith(str(DOC.parent.parent))
            else source
        )
        out += ["", f"## `{prefix}*` (`{where}`, `{cls.__name__}`)", ""]
        if note:
            out += [note[0].upper() + note[1:] + ("" if note.endswith(".") else "."), ""]
        doc = (cls.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
        if doc:
            out += [doc, ""]
        out += ["| variable | type | default | meaning |", "|---|---|---|---|", *rows]
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> int:
    """Write docs/settings.md (``--check``: exit 1 if it differs, writing nothing)."""
    text = render()
    if "--check" in argv:
        current = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
        if current != text:
            print(f"{DOC} is behind the settings classes: run python -m piratewatch.settings_doc", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
