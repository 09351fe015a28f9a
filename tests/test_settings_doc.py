"""docs/settings.md is generated from the settings classes and current; every setting has a meaning."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from piratewatch import settings_doc
from piratewatch.config import Settings


def _variables(cls: type, prefix: str) -> set[str]:
    from pydantic import BaseModel

    names: set[str] = set()
    for name, info in cls.model_fields.items():  # type: ignore[attr-defined]
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            names |= _variables(annotation, f"{prefix}{name.upper()}__")
        else:
            names.add(f"{prefix}{name.upper()}")
    return names


def test_the_committed_file_is_what_the_generator_writes() -> None:
    assert settings_doc.DOC.read_text(encoding="utf-8") == settings_doc.render(), (
        "docs/settings.md is behind the settings classes: run python -m piratewatch.settings_doc"
    )
    assert settings_doc.main(["--check"]) == 0


def test_every_setting_is_listed_with_a_meaning() -> None:
    text = settings_doc.render()
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\| `(PIRATEWATCH_\w+)` \|.*\| ([^|]*) \|$", text, re.M)}
    expected = _variables(Settings, "PIRATEWATCH_")
    assert set(rows) == expected
    assert not [name for name, meaning in rows.items() if not meaning.strip()]
    # the settings a deployment kept stumbling over, each with its meaning
    for name in (
        "PIRATEWATCH_RESOLVER__PROBE_HTTPS_PORT",
        "PIRATEWATCH_RESOLVER__HTTP_TIMEOUT",
        "PIRATEWATCH_RESOLVER__DNS_TIMEOUT",
        "PIRATEWATCH_RESOLVER__DNS_LIFETIME",
        "PIRATEWATCH_CRAWLER__DELAY_SECONDS",
        "PIRATEWATCH_CRAWLER__CONCURRENCY_PER_SITE",
        "PIRATEWATCH_CRAWLER__TIMEOUT_SECONDS",
        "PIRATEWATCH_NOTICES__RECHECK_TIMEOUT",
        "PIRATEWATCH_QUEUE__TAKEDOWN_CONCURRENCY",
    ):
        assert len(rows[name]) > 10, name
    assert "development-only-secret" not in text  # a secret's default is never printed


def test_a_stale_file_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stale = tmp_path / "settings.md"
    stale.write_text("# Settings\n\nold\n", encoding="utf-8")
    monkeypatch.setattr(settings_doc, "DOC", stale)
    assert settings_doc.main(["--check"]) == 1
    assert stale.read_text(encoding="utf-8") == "# Settings\n\nold\n"  # --check writes nothing
