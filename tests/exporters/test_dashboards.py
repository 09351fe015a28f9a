"""The Grafana dashboards: the committed JSON is the generator's, the linter's rules hold, and every
query is valid PromQL that returns data on a real Prometheus loaded with the world."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
DASHBOARDS = REPO / "dashboards"
METRIC = re.compile(r"\b(piratewatch_[a-z0-9_]+)")
COUNTER_SUFFIXES = ("_total", "_bucket", "_count", "_sum")
COUNTER_FUNCTIONS = {"rate", "irate", "increase"}


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("piratewatch_dashboards", DASHBOARDS / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def boards() -> dict[str, dict[str, Any]]:
    built: dict[str, dict[str, Any]] = generator().build_all()
    return built


def panels(board: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in board["panels"] if p["type"] != "row"]


def exprs(board: dict[str, Any]) -> list[str]:
    return [t["expr"] for p in panels(board) for t in p["targets"]]


def test_the_committed_json_is_what_the_generator_writes(boards: dict[str, dict[str, Any]]) -> None:
    render = generator().render
    committed = {p.stem: p.read_text("utf-8") for p in (DASHBOARDS / "generated").glob("*.json")}
    assert (
        set(committed)
        == set(boards)
        == {"overview", "site-detail", "takedown-pipeline", "provider-scorecards", "crawler-resolver-health"}
    )
    for name, data in boards.items():
        assert committed[name] == render(data), f"dashboards/generated/{name}.json is stale: run dashboards/generate.py"


def test_provisioning_names_the_datasource_uid_the_dashboards_default_to(boards: dict[str, dict[str, Any]]) -> None:
    import yaml

    sources = yaml.safe_load((DASHBOARDS / "provisioning" / "datasources" / "piratewatch.yaml").read_text())
    uid = sources["datasources"][0]["uid"]
    assert sources["datasources"][0]["type"] == "prometheus"
    providers = yaml.safe_load((DASHBOARDS / "provisioning" / "dashboards" / "piratewatch.yaml").read_text())
    assert providers["providers"][0]["type"] == "file"
    for board in boards.values():
        variable = next(v for v in board["templating"]["list"] if v["name"] == "datasource")
        assert variable["current"]["value"] == uid


def enclosing_functions(expr: str) -> list[tuple[str, list[str | None]]]:
    """Each metric name in `expr` with the stack of calls around it (None: a grouping parenthesis)."""
    found: list[tuple[str, list[str | None]]] = []
    stack: list[str | None] = []
    i = 0
    while i < len(expr):
        char = expr[i]
        if char == '"':
            i = expr.index('"', i + 1) + 1
            continue
        if char == "(":
            before = re.search(r"([A-Za-z_][A-Za-z0-9_]*)\s*$", expr[:i])
            stack.append(before.group(1) if before else None)
        elif char == ")":
            stack.pop()
        elif (match := METRIC.match(expr, i)) and (i == 0 or not (expr[i - 1].isalnum() or expr[i - 1] == "_")):
            found.append((match.group(1), list(stack)))
            i = match.end()
            continue
        i += 1
    return found


def lint(name: str, board: dict[str, Any]) -> list[str]:
    """The problems Grafana's dashboard linter would report (its rules, written out here)."""
    problems = []
    if board.get("editable") is not False:
        problems.append(f"{name}: editable (provisioned dashboards are code)")
    variables = {v["name"]: v for v in board["templating"]["list"]}
    source = variables.get("datasource", {})
    if source.get("type") != "datasource" or source.get("query") != "prometheus":
        problems.append(f"{name}: no `datasource` variable for Prometheus")
    for var in ("job", "instance"):
        if variables.get(var, {}).get("datasource", {}).get("uid") != "${datasource}":
            problems.append(f"{name}: no `{var}` variable on the datasource variable")
    for variable in variables.values():
        if variable["type"] == "query" and variable.get("refresh") != 2:
            problems.append(f"{name}: variable {variable['name']} does not refresh on time range change")
    for panel in panels(board):
        where = f"{name}: {panel.get('title')}"
        if panel.get("datasource") != {"type": "prometheus", "uid": "${datasource}"}:
            problems.append(f"{where}: not on the datasource variable")
        if not panel.get("title") or not panel.get("description"):
            problems.append(f"{where}: no title or description")
        if not panel.get("fieldConfig", {}).get("defaults", {}).get("unit"):
            problems.append(f"{where}: no unit")
        if not panel.get("targets"):
            problems.append(f"{where}: no query")
        for target in panel.get("targets", []):
            expr = target["expr"]
            if target.get("datasource", {}).get("uid") != "${datasource}":
                problems.append(f"{where}: query not on the datasource variable")
            for metric, stack in enclosing_functions(expr):
                at = expr.index(metric)
                if not expr[at + len(metric) :].startswith('{job=~"$job", instance=~"$instance"'):
                    problems.append(f"{where}: {metric} without the job and instance matchers")
                calls = [s for s in stack if s not in (None, "by", "without")]
                if metric.endswith(COUNTER_SUFFIXES) and not (calls and calls[-1] in COUNTER_FUNCTIONS):
                    problems.append(f"{where}: counter {metric} outside rate or increase")
            for fn, window in re.findall(r"\b(i?rate)\((?:[^()\[]|\{[^}]*\})*\[([^\]]+)\]", expr):
                if window != "$__rate_interval":
                    problems.append(f"{where}: {fn} over [{window}], not [$__rate_interval]")
    return problems


def test_the_dashboard_linter_rules_hold(boards: dict[str, dict[str, Any]]) -> None:
    for name, board in boards.items():
        assert lint(name, board) == []


def test_the_linter_checks_catch_broken_panels(boards: dict[str, dict[str, Any]]) -> None:
    board = json.loads(json.dumps(boards["takedown-pipeline"]))
    first = panels(board)[0]
    first["targets"][0]["expr"] = "sum(piratewatch_notices_sent_total)"
    panels(board)[1]["targets"][0]["expr"] = (
        'rate(piratewatch_notices_sent_total{job=~"$job", instance=~"$instance"}[5m])'
    )
    del panels(board)[2]["fieldConfig"]["defaults"]["unit"]
    panels(board)[3]["datasource"] = {"type": "prometheus", "uid": "prometheus"}
    board["editable"] = True
    problems = lint("broken", board)
    assert any("without the job and instance matchers" in p for p in problems)
    assert any("counter piratewatch_notices_sent_total outside rate" in p for p in problems)
    assert any("not [$__rate_interval]" in p for p in problems)
    assert any("no unit" in p for p in problems)
    assert any("not on the datasource variable" in p for p in problems)
    assert any("editable" in p for p in problems)


def scraped_names(app_url: str) -> set[str]:
    text = httpx.get(f"{app_url}/metrics", timeout=30).text
    return {re.split(r"[{ ]", line, maxsplit=1)[0] for line in text.splitlines() if line and not line.startswith("#")}


@pytest.mark.prometheus
def test_every_metric_a_dashboard_uses_is_exported(boards: dict[str, dict[str, Any]], loaded_prometheus: Any) -> None:
    exported = scraped_names(loaded_prometheus.app.url)
    for name, board in boards.items():
        used = {m for e in exprs(board) for m in METRIC.findall(e)}
        used |= {m for v in board["templating"]["list"] for m in METRIC.findall(str(v.get("query", "")))}
        assert used, name
        assert used <= exported, (name, sorted(used - exported))


def substitute(expr: str, site: str) -> str:
    values = {
        "$__rate_interval": "1m",
        "$__interval": "1h",
        "$__range": "1h",
        "$job": "piratewatch",
        "$instance": ".*",
        "$provider": ".*",
        "$market": "JP",
        "$site": site,
    }
    for key, value in values.items():
        expr = expr.replace(key, value)
    return expr


@pytest.mark.prometheus
def test_every_query_is_valid_and_returns_data(boards: dict[str, dict[str, Any]], loaded_prometheus: Any) -> None:
    prometheus = loaded_prometheus.prometheus
    finite = 0
    for name, board in boards.items():
        for panel in panels(board):
            for target in panel["targets"]:
                expr = substitute(target["expr"], "raw0.test")
                body = httpx.get(f"{prometheus.url}/api/v1/query", params={"query": expr}, timeout=30).json()
                assert body["status"] == "success", (name, panel["title"], expr, body.get("error"))
                result = body["data"]["result"]
                assert result, (name, panel["title"], expr)
                finite += any(r["value"][1] not in ("NaN", "+Inf", "-Inf") for r in result)
        for variable in board["templating"]["list"]:
            found = re.match(r"label_values\((.*), (\w+)\)$", str(variable.get("query", "")))
            if found:
                series = substitute(found.group(1), "raw0.test")
                values = httpx.get(f"{prometheus.url}/api/v1/series", params={"match[]": series}, timeout=30).json()
                assert {s.get(found.group(2)) for s in values["data"]} - {None}, (name, variable["name"])
    assert finite >= 40


@pytest.mark.prometheus
def test_history_panels_show_backfilled_months(boards: dict[str, dict[str, Any]], loaded_prometheus: Any) -> None:
    """Over a year, the monthly panels show one point per month from the backfill, then the live scrapes."""
    prometheus = loaded_prometheus.prometheus
    expr = next(e for e in exprs(boards["overview"]) if "last_over_time(piratewatch_monthly_visits" in e)
    import time

    end = time.time()
    body = httpx.get(
        f"{prometheus.url}/api/v1/query_range",
        params={
            "query": substitute(expr, "").replace("[1h]", "[1d]"),
            "start": end - 400 * 86400,
            "end": end,
            "step": 86400,
        },
        timeout=30,
    ).json()
    assert body["status"] == "success"
    central = next(r for r in body["data"]["result"] if r["metric"]["band"] == "central")
    assert len(central["values"]) >= 13  # a point for each backfilled month, at its end
