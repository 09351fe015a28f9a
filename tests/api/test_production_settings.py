"""Production refuses weak settings, each with its reason; development keeps its conveniences."""

from __future__ import annotations

import secrets

import pytest
from pydantic import ValidationError

from piratewatch.config import get_settings

GOOD_SECRET = secrets.token_urlsafe(48)


@pytest.mark.parametrize(
    ("secret", "reason"),
    [
        ("", "placeholder"),
        ("development-only-secret", "placeholder"),
        ("short-but-random-Xk29", "characters"),
        ("a" * 32, "no random value"),
        ("abababababababababababababababab", "no random value"),
        ("0123456789" * 4, "no random value"),
    ],
)
def test_a_weak_secret_is_refused_in_production(secret: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        get_settings(environment="production", secret_key=secret)
    get_settings(environment="development", secret_key=secret)  # the lab and tests may use anything


@pytest.mark.parametrize(
    ("network", "reason"),
    [
        ("0.0.0.0/0", "wider than /16"),
        ("::/0", "wider than /48"),
        ("10.0.0.0/8", "wider than /16"),
        ("127.0.0.0/8", "wider than /16"),
        ("127.0.0.1/32", "loopback"),
        ("169.254.169.254/32", "link-local"),
        ("8.8.8.0/24", "public"),
        ("not-a-network", "not a network"),
    ],
)
def test_an_allow_list_wider_than_a_few_private_hosts_is_refused_in_production(network: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        get_settings(environment="production", secret_key=GOOD_SECRET, resolver={"allow_networks": [network]})


def test_sound_production_settings_start() -> None:
    settings = get_settings(
        environment="production", secret_key=GOOD_SECRET, resolver={"allow_networks": ["10.20.30.0/24", "fd12::/64"]}
    )
    assert settings.environment == "production"


def test_every_problem_is_named_at_once() -> None:
    with pytest.raises(ValidationError) as err:
        get_settings(environment="production", secret_key="a" * 40, resolver={"allow_networks": ["0.0.0.0/0"]})
    assert "PIRATEWATCH_SECRET_KEY" in str(err.value) and "ALLOW_NETWORKS" in str(err.value)
