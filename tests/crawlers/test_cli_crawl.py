"""``piratewatch crawl``, ``estimate`` and ``run --once`` end to end on a real store and the lab sites."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from lab.sites import HOSTS, RANK_ANCHORS, RANK_LIST
from piratewatch.cli import app

runner = CliRunner()


def test_crawl_estimate_and_run(db_url: str, sites_lab: Any, tmp_path: Path) -> None:
    ranks = tmp_path / "ranks.csv"
    ranks.write_text(RANK_LIST)
    env = {
        "PIRATEWATCH_DATABASE_URL": db_url,
        "PIRATEWATCH_CRAWLER__ALLOW_NETWORKS": '["127.0.0.0/8"]',
        # every name the test crawls maps to the lab: nothing is looked up outside
        "PIRATEWATCH_CRAWLER__HOST_OVERRIDES": json.dumps(dict.fromkeys([*HOSTS, "unlisted-site.test"], "127.0.0.1")),
        "PIRATEWATCH_CRAWLER__START_URL_TEMPLATE": f"http://{{host}}:{sites_lab.server.port}/",
        "PIRATEWATCH_CRAWLER__DELAY_SECONDS": "0",
        "PIRATEWATCH_CRAWLER__TIMEOUT_SECONDS": "2",
        "PIRATEWATCH_TRAFFIC__RANK_LIST_PATH": str(ranks),
        "PIRATEWATCH_TRAFFIC__ANCHORS": json.dumps(RANK_ANCHORS),
    }

    def invoke(*args: str) -> tuple[int, str, str]:
        result = runner.invoke(app, list(args), env=env)
        return result.exit_code, result.stdout, result.stderr

    assert invoke("associations", "add", "ABJ")[0] == 0
    assert invoke("sites", "add", "https://mangafree.test/", "--association", "ABJ")[0] == 0
    assert invoke("sites", "add", "https://unlisted-site.test/", "--association", "ABJ")[0] == 0

    code, out, _ = invoke("crawl", "mangafree.test")
    assert code == 0 and "crawled http://mangafree.test:" in out and "recorded" in out
    code, _, err = invoke("crawl", "nobody.test")
    assert code == 1 and "no site has the domain" in err

    code, out, _ = invoke("estimate", "mangafree.test", "--month", "2026-10")
    assert code == 0 and "site 1, 2026-10:" in out and "rank:tranco" in out
    code, _, err = invoke("estimate", "unlisted-site.test")
    assert code == 1 and "no traffic source knows" in err

    code, out, _ = invoke("run", "--once", "--job", "crawl", "--job", "estimate")
    assert code == 0 and "2 crawl" in out and "2 estimate" in out
    code, out, _ = invoke("run", "--once", "--job", "crawl")
    assert code == 0 and "nothing was due" in out
    code, _, err = invoke("run", "--once", "--job", "dance")
    assert code == 2 and "unknown job kinds: dance" in err
