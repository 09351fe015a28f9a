"""``piratewatch db``: the store's schema (Alembic migrations)."""

from __future__ import annotations

import typer

from piratewatch.cli.support import cli_settings, console, redact_url

app = typer.Typer(help="The store: migrations.", no_args_is_help=True, rich_markup_mode=None)


@app.command("upgrade")
def upgrade() -> None:
    """Create or migrate the store to the newest schema (safe to run every start)."""
    from cases.migrations import head_revision
    from cases.migrations import upgrade as migrate

    settings = cli_settings()
    migrate(settings.effective_database_url)
    console.print(f"store at revision {head_revision()} ({redact_url(settings.effective_database_url)})")


@app.command("current")
def current() -> None:
    """Print the store's schema revision."""
    from cases.db import make_engine
    from cases.migrations import current_revision, head_revision

    engine = make_engine(cli_settings().effective_database_url)
    try:
        console.print(f"current: {current_revision(engine) or 'none'}  head: {head_revision()}")
    finally:
        engine.dispose()
