"""What a caller gives the resolver: normalised to a host name, or refused saying why."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from resolver.errors import InvalidDomainError
from resolver.names import host_name


@pytest.mark.parametrize(
    ("given", "host"),
    [
        ("Example.COM", "example.com"),
        ("example.com.", "example.com"),
        ("  example.com  ", "example.com"),
        ("example.com:8443", "example.com"),
        ("https://www.Example.com/films?page=2#top", "www.example.com"),
        ("http://example.com.:80/", "example.com"),
        ("//example.com/path", "example.com"),
        ("пример.рф", "xn--e1afmkfd.xn--p1ai"),
        ("ＥＸＡＭＰＬＥ.com", "example.com"),
    ],
)
def test_names_are_normalised(given: str, host: str) -> None:
    assert host_name(given) == host


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        ("", "empty"),
        ("ftp://example.com/", "only http and https"),
        ("https://user:pw@example.com/", "user name or password"),
        ("example.com:99999", "not a host name or URL"),
        ("example.com:http", "not a host name or URL"),
        ("exa mple.com", "U+0020"),
        ("example.com\x00", "U+0000"),
        ("192.0.2.1", "is an IP address"),
        ("[2001:db8::1]:443", "is an IP address"),
        ("http://", "names no host"),
        ("exa_mple.com", "is not a host label"),
        ("a" * 64 + ".com", "is not a host label"),
    ],
)
def test_what_names_no_host_is_refused_saying_why(given: str, reason: str) -> None:
    with pytest.raises(InvalidDomainError, match=re.escape(reason)):
        host_name(given)


def test_the_resolve_command_says_which_names_it_refused_and_fails(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from piratewatch.cli import app

    # only names that name no host: nothing is looked up, nothing leaves the machine
    result = CliRunner().invoke(
        app,
        ["resolve", "--no-store", "--json", "ftp://example.com/", "exa mple.com"],
        env={"PIRATEWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'pw.db'}", "PIRATEWATCH_DATA_DIR": str(tmp_path)},
    )
    assert result.exit_code == 2, result.output
    said = " ".join(result.stderr.split())  # the console wraps long lines
    assert "'ftp://example.com/': only http and https URLs name a site" in said
    assert "contains U+0020" in said
    profiles = [json.loads(line) for line in result.stdout.splitlines()]
    assert [p["failures"][0]["stage"] for p in profiles] == ["input", "input"]
