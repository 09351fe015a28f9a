"""Every command of the README's "Using it" section, run as a new user would against the demo's world.

The demo serves (its default) and keeps its lab up meanwhile; each command runs in its own process
with the environment file the demo wrote, and each answer and exit code is checked.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import httpx
import pytest

from lab.http_util import free_port

pytestmark = pytest.mark.timeout(600)  # the demo (about a minute), then some twenty commands of a few seconds

ROOT = Path(__file__).resolve().parents[1]
#: what each README command must answer (a pattern on its standard output) when it exits 0
EXPECTED: dict[str, str] = {
    "db upgrade": r"",
    "associations add": r"association 'Japan Publishers Association' created",
    "keys create": r"^pw_\S+$",
    "keys list": r"Japan Publishers Association.*submitter",
    "sites add": r"created: submission \d+, site \d+, 1 evidence item\(s\) added",
    "sites import": r"2 rows: 2 imported, 0 refused",
    "sites list": r"manga-raw\.test(?s:.*)rawmangajp\.test|rawmangajp\.test(?s:.*)manga-raw\.test",
    "cases list": r"Sakura Lab Hosting K\.K\.",
    "resolve": r"addresses: 127\.0\.10\.1(?s:.*)Sakura Lab Hosting K\.K\.(?s:.*)\(snapshot recorded\)",
    "crawl": r"crawled https://rawkuma\.test:\d+/: crawl \d+ recorded",
    "estimate": r"visits \([\d,]+ - [\d,]+\); sources: traffic-api, rank:tranco\n\s+replaces the estimate of the same",
    "notices queue": r"notice(?s:.*)claimed by",
    "notices approve": r"approved: \[\d+",
    "notices upkeep": r"sent: [1-9]\d* of [1-9]\d* notice\(s\) tried",
    "run --once": r"done: ",
    "report monthly": r"report",
}


def readme_commands() -> list[str]:
    """The ``piratewatch`` lines of the first code block of the README's "Using it" section."""
    text = (ROOT / "README.md").read_text("utf-8")
    section = text.split("## Using it", 1)[1]
    block = section.split("```sh", 1)[1].split("```", 1)[0]
    return [line.strip() for line in block.splitlines() if line.strip().startswith("piratewatch ")]


def _key(command: str) -> str:
    return next(k for k in sorted(EXPECTED, key=len, reverse=True) if command.startswith(f"piratewatch {k}"))


def load_env_file(path: Path) -> dict[str, str]:
    env = {}
    for line in path.read_text("utf-8").splitlines():
        if line.startswith("export "):
            [assignment] = shlex.split(line.removeprefix("export "))
            name, _, value = assignment.partition("=")
            env[name] = value
    return env


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """The demo, serving: its data directory and everything it printed up to "serving on"."""
    data_dir = tmp_path_factory.mktemp("readme") / "demo"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIRATEWATCH_")}
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "piratewatch", "demo", "--data-dir", str(data_dir), "--port", str(free_port())],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    printed: list[str] = []
    ready = threading.Event()

    def read(stream: IO[str]) -> None:
        for line in stream:
            printed.append(line)
            if line.startswith("serving on"):
                ready.set()
        ready.set()

    assert process.stdout is not None
    threading.Thread(target=read, args=(process.stdout,), daemon=True).start()
    try:
        assert ready.wait(150), "the demo did not start serving in time"
        assert process.poll() is None, "".join(printed)
        yield data_dir, "".join(printed)
    finally:
        process.terminate()
        process.wait(20)


def run(command: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "piratewatch", *command],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def test_every_readme_command_answers_truly_against_the_demo(demo: tuple[Path, str], tmp_path: Path) -> None:
    data_dir, printed = demo
    env_file = data_dir / "demo.env"
    assert f"source {env_file}" in printed  # the one line to load it
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIRATEWATCH_")} | load_env_file(env_file)
    assert env["PIRATEWATCH_DATA_DIR"] == str(data_dir)
    assert json.loads(env["PIRATEWATCH_RESOLVER__ALLOW_NETWORKS"]) == ["127.0.0.0/8", "::1/128"]
    assert int(env["PIRATEWATCH_RESOLVER__DNS_PORT"]) > 0 and Path(env["PIRATEWATCH_TRAFFIC__RANK_LIST_PATH"]).exists()
    (tmp_path / "docs").symlink_to(ROOT / "docs")  # the README's paths are relative to the checkout
    commands = readme_commands()
    assert len(commands) >= 16 and {_key(c) for c in commands} == set(EXPECTED)
    from cases.db import utcnow

    month = utcnow().strftime("%Y-%m")
    for line in commands:
        words = shlex.split(line.replace('"$(date +%Y-%m)"', month), comments=True)[1:]
        if words[:2] == ["notices", "approve"]:  # the ids the queue shows
            queue = run(["notices", "queue", "--json"], env, tmp_path)
            rows = [json.loads(row) for row in queue.stdout.splitlines()]
            ids = [str(r["id"]) for r in rows if r["live_urls"]]  # one whose every URL is gone cannot be
            assert ids, queue.stdout + queue.stderr
            words = ["notices", "approve", *ids[:2]]
        done = run(words, env, tmp_path)
        assert done.returncode == 0, f"{line}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
        assert re.search(EXPECTED[_key(line)], done.stdout, re.MULTILINE), f"{line}:\n{done.stdout}\n{done.stderr}"
    assert (tmp_path / "report" / "report.html").exists()

    # a name the lab does not know: every lookup fails, the command says so and exits 1
    done = run(["resolve", "nowhere.test"], env, tmp_path)
    assert done.returncode == 1
    assert "not resolved: nowhere.test" in done.stderr and "(snapshot recorded)" not in done.stdout
    # the README's sender-profile curl: JSON with its Content-Type, the fields of docs/examples/sender.json
    base = re.search(r"serving on (http://127\.0\.0\.1:\d+)", printed)
    key = re.search(r"publishers submitter\s+(pw_\S+)", printed)
    assert base and key
    sender = (ROOT / "docs" / "examples" / "sender.json").read_bytes()
    headers = {"X-API-Key": key.group(1), "Content-Type": "application/json"}
    put = httpx.put(f"{base.group(1)}/api/v1/associations/1/sender-profile", content=sender, headers=headers)
    assert put.status_code == 200, put.text
    assert put.json()["sender"] == json.loads(sender)
    docs = httpx.get(f"{base.group(1)}/docs")
    assert docs.status_code == 200 and "/docs-assets/swagger-ui-bundle.js" in docs.text

    # a crawl refused by the SSRF guard fails the command, naming why
    done = run(["crawl", "rawkuma.test"], env | {"PIRATEWATCH_CRAWLER__ALLOW_NETWORKS": "[]"}, tmp_path)
    assert done.returncode == 1 and "crawl failed" in done.stderr and "blocked-address" in done.stderr
    # a known site whose every name lookup fails (DNS on a dead port): exit 1, and the snapshot said to be of failures
    dead = env | {"PIRATEWATCH_RESOLVER__DNS_PORT": str(free_port()), "PIRATEWATCH_RESOLVER__DNS_LIFETIME": "1"}
    done = run(["resolve", "manga-raw.test"], dead, tmp_path)
    assert done.returncode == 1 and "not resolved: manga-raw.test" in done.stderr
    assert "(snapshot recorded)" not in done.stdout and "failed lookup(s) only" in done.stdout
    # an empty listing says it is empty
    done = run(["keys", "list", "--association", "Japan Publishers Association", "--active", "--json"], env, tmp_path)
    [key] = [json.loads(row) for row in done.stdout.splitlines()]
    assert set(key) == {
        "id", "association_id", "association", "role", "label", "prefix", "created_at", "last_used_at", "revoked_at",
    }  # fmt: skip
    assert run(["keys", "revoke", str(key["id"])], env, tmp_path).returncode == 0
    done = run(["keys", "list", "--association", "Japan Publishers Association", "--active"], env, tmp_path)
    assert (
        done.returncode == 0 and done.stdout == "" and "no API keys for 'Japan Publishers Association'" in done.stderr
    )
