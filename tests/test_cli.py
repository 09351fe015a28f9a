"""The command line, end to end on a real store (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from piratewatch.cli import app

runner = CliRunner()


def invoke(db_url: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={"PIRATEWATCH_DATABASE_URL": db_url})
    return result.exit_code, result.stdout, result.stderr


def test_the_whole_cli_flow(db_url: str, tmp_path: Path) -> None:
    assert invoke(db_url, "db", "upgrade")[0] == 0
    code, out, _ = invoke(db_url, "associations", "add", "ABJ")
    assert code == 0 and "created" in out
    code, _, err = invoke(db_url, "associations", "add", "ABJ")
    assert code == 1 and "already exists" in err

    code, out, err = invoke(db_url, "keys", "create", "--association", "ABJ", "--role", "operator")
    assert code == 0 and out.strip().startswith("pw_") and "will not be shown again" in err
    code, _, err = invoke(db_url, "keys", "create", "--association", "Nobody", "--role", "operator")
    assert code == 1 and "no association named" in err

    code, out, _ = invoke(
        db_url, "sites", "add", "https://www.manga-raw.io/x", "--association", "ABJ", "--language", "ja"
    )
    assert code == 0 and out.startswith("created")
    code, _, err = invoke(db_url, "sites", "add", "bad..com", "--association", "ABJ")
    assert code == 2 and "domains" in err

    csv = tmp_path / "sites.csv"
    csv.write_text("domain,languages\nmanga-raw.io,ja\ntruyen.vn,vi\nbad..com,\n")
    code, out, err = invoke(db_url, "sites", "import", str(csv), "--association", "ABJ")
    assert code == 1  # some rows were refused
    assert "line 4:" in err and "3 rows: 2 imported, 1 refused" in out

    code, out, _ = invoke(db_url, "sites", "list", "--json")
    names = sorted(json.loads(line)["name"] for line in out.splitlines())
    assert names == ["manga-raw.io", "truyen.vn"]
    code, out, _ = invoke(db_url, "sites", "list", "--language", "vi", "--json")
    assert [json.loads(line)["name"] for line in out.splitlines()] == ["truyen.vn"]
    code, out, err = invoke(db_url, "sites", "list", "--language", "ko")
    assert code == 0 and out == "" and "no sites match" in err

    # a URL with a path is kept as evidence; a domain names a site wherever an id does
    long_url = "https://manga-raw.io/" + "chapter-" * 12 + "1"
    code, out, _ = invoke(db_url, "sites", "add", long_url, "--association", "ABJ")
    assert code == 0 and "1 evidence item(s) added" in out
    code, out, err = invoke(db_url, "cases", "list", "www.manga-raw.io")
    assert code == 0 and "has no takedown cases yet" in err
    code, out, err = invoke(db_url, "cases", "list", "nowhere.example")
    assert code == 1 and "no site has the domain 'nowhere.example'" in err

    # piped tables are as wide as their content: nothing is cut
    code, out, _ = invoke(db_url, "associations", "add", "An association with a name far longer than any column " * 2)
    code, out, _ = invoke(db_url, "associations", "list")
    assert code == 0 and ("An association with a name far longer than any column " * 2).strip() in out
    code, out, _ = invoke(db_url, "keys", "list", "--json")
    [key] = [json.loads(line) for line in out.splitlines()]
    assert key["association"] == "ABJ" and key["role"] == "operator" and key["revoked_at"] is None
    code, out, _ = invoke(db_url, "keys", "revoke", str(key["id"]))
    assert code == 0 and "revoked" in out
    code, out, _ = invoke(db_url, "keys", "revoke", str(key["id"]))
    assert code == 0 and "was already revoked" in out
    code, out, err = invoke(db_url, "keys", "list", "--active")
    assert code == 0 and "no API keys" in err
    code, out, err = invoke(db_url, "notices", "queue")
    assert code == 0 and "the review queue is empty" in err


def test_commands_refuse_an_unmigrated_store(tmp_path: Path) -> None:
    code, _, err = invoke(f"sqlite:///{tmp_path}/empty.db", "sites", "list")
    assert code == 1 and "piratewatch db upgrade" in err


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["db"],
        ["db", "upgrade"],
        ["associations", "add"],
        ["keys", "create"],
        ["sites"],
        ["sites", "add"],
        ["sites", "import"],
        ["sites", "list"],
        ["keys", "list"],
        ["keys", "revoke"],
        ["cases", "list"],
        ["notices", "queue"],
        ["serve"],
        ["demo"],
    ],
)
def test_help_on_every_command(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.stdout
