"""``piratewatch evidence`` end to end: capture, export, ``warcio check``, and verify on a machine with no network."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cases.audit.services import Actor
from cases.intake.schemas import SiteIn
from piratewatch.cli import app
from piratewatch.services import Services

from .conftest import EvidenceLab

runner = CliRunner()
BIN = Path(sys.executable).parent


def _env(values: dict[str, Any], prefix: str = "PIRATEWATCH_") -> dict[str, str]:
    env: dict[str, str] = {}
    for key, value in values.items():
        name = f"{prefix}{key.upper()}"
        if isinstance(value, dict):
            env.update(_env(value, name + "__"))
        else:
            env[name] = json.dumps(value) if isinstance(value, list) else str(value)
    return env


def invoke(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_capture_export_check_and_verify_offline(
    services: Services, evidence_lab: EvidenceLab, tenants: object, db_url: str, tmp_path: Path
) -> None:
    services.submit("Association A", [SiteIn(domains=["mangafree.test"])], Actor("test:setup"), via="cli")
    env = _env(evidence_lab.settings_values(tmp_path / "data", db_url, summary_pdf=True))
    page = evidence_lab.url("mangafree.test", "/title/one-piece/")
    code, out, err = invoke(env, "evidence", "capture", page, "--site", "mangafree.test", "--no-screenshot")
    assert code == 0, out + err
    assert "complete" in out
    assert "timestamped 20" in out
    bomb = evidence_lab.url("hostile.test", "/gzip-bomb")
    code, out, _ = invoke(env, "evidence", "capture", bomb, "--site", "mangafree.test", "--no-screenshot")
    assert code == 1  # recorded, but limited: not a complete capture
    assert "limited: the body inflates to more than" in out

    package = tmp_path / "site.zip"
    code, out, err = invoke(env, "evidence", "export", "--site", "mangafree.test", "-o", str(package))
    assert code == 0, out + err
    assert "2 captures" in out
    with zipfile.ZipFile(package) as archive:
        assert archive.read("summary.pdf").startswith(b"%PDF-")  # printed with the export

    # warcio's own checks and index, on the WARC files as packed
    with zipfile.ZipFile(package) as archive:
        for name in [n for n in archive.namelist() if n.endswith(".warc.gz")]:
            warc = tmp_path / name.replace("/", "_")
            warc.write_bytes(archive.read(name))
            checked = subprocess.run([BIN / "warcio", "check", "-v", warc], capture_output=True, text=True, check=False)
            assert checked.returncode == 0, checked.stdout
            assert "digest pass" in checked.stdout
            index = subprocess.run([BIN / "warcio", "index", warc], capture_output=True, text=True, check=False)
            assert index.returncode == 0
            types = [json.loads(line)["warc-type"] for line in index.stdout.splitlines()]
            assert types[:3] == ["warcinfo", "response", "request"]

    # another machine: a fresh data directory, no store, and no network at all (its own network namespace)
    other = {"PATH": str(BIN), "PIRATEWATCH_DATA_DIR": str(tmp_path / "elsewhere"), "HOME": str(tmp_path)}
    command = [BIN / "piratewatch", "evidence", "verify", package]
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-n", "true"], check=False).returncode == 0:
        command = [unshare, "-n", *map(str, command)]
    done = subprocess.run(command, capture_output=True, text=True, env=other, check=False, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "verifies (2 captures" in done.stdout
    assert "summary.pdf: a PDF file" in done.stdout

    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(package) as source, zipfile.ZipFile(tampered, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith("text.txt") and data:
                data = data.replace(b"One Piece", b"One Peace", 1)
            target.writestr(info.filename, data)
    done = subprocess.run([*command[:-1], str(tampered)], capture_output=True, text=True, env=other, check=False)
    assert done.returncode == 1
    assert "text.txt: its SHA-256 or size is not the one its timestamped manifest gives" in done.stdout
    assert "does NOT verify" in done.stdout


def test_verify_of_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = invoke({"PIRATEWATCH_DATA_DIR": str(tmp_path)}, "evidence", "verify", str(tmp_path / "none.zip"))
    assert code == 2
    assert "No such file" in err


@pytest.mark.parametrize(
    "args",
    [
        ["export", "-o", "x.zip"],
        ["export", "-o", "x.zip", "--notice", "1", "--site", "1"],
        ["export", "-o", "x.zip", "--case", "1", "--notice", "1"],
    ],
)
def test_export_needs_one_notice_one_site_or_one_case(
    args: list[str], db_url: str, tmp_path: Path, engine: object
) -> None:
    env = {"PIRATEWATCH_DATABASE_URL": db_url, "PIRATEWATCH_DATA_DIR": str(tmp_path)}
    code, _, err = invoke(env, "evidence", *args)
    assert code == 1
    assert "name one notice, one site or one case" in err
