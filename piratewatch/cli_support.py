"""What every ``piratewatch`` command module shares: consoles, settings, the store, errors.

Commands live in several modules (``cli.py`` for the foundation, one module per later area); they
all reach the store and report errors the same way through these helpers.
"""

from __future__ import annotations

import getpass
from typing import NoReturn

import typer
from rich.console import Console
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from cases.audit.services import Actor
from cases.db import make_engine, session_factory
from cases.migrations import current_revision, head_revision
from cases.tenants.models import Role
from cases.tenants.services import Principal
from piratewatch.settings import Settings, get_settings

console = Console(soft_wrap=True)
err_console = Console(stderr=True)

# The command line acts with every right: whoever runs it already holds the database.
CLI_PRINCIPAL = Principal(key_id=0, association_id=0, role=Role.ADMIN)


def cli_actor(association_id: int | None = None) -> Actor:
    """The audit actor of a command: the shell user."""
    try:
        user = getpass.getuser()
    except OSError:  # no user name in a bare container
        user = "unknown"
    return Actor(f"cli:{user}", association_id)


def cli_settings() -> Settings:
    return get_settings()


def cli_factory(settings: Settings) -> sessionmaker[Session]:
    return session_factory(make_engine(settings.effective_database_url))


def fail(message: str, code: int = 1) -> NoReturn:
    """Print `message` as an error and leave with `code`."""
    err_console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(code)


def redact_url(url: str) -> str:
    """`url` without its credentials, to print."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def ensure_schema(settings: Settings) -> None:
    """Refuse to run against a store whose schema is behind this version (say how to fix it)."""
    engine = make_engine(settings.effective_database_url)
    current = current_revision(engine)
    engine.dispose()
    if current != head_revision():
        fail(f"the store is at revision {current or 'none'}; run `piratewatch db upgrade` first")
