"""What every command module shares: consoles, the services, the actor, errors as messages and exit codes.

Commands build the services with :func:`services` (``with services() as svc:``): the settings are read,
the store's schema is checked, and the errors a use case raises on purpose end the command with a message
and a non-zero exit code. Nothing here imports the store or a backend until a command runs.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NoReturn

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from cases.audit.services import Actor
    from cases.tenants.services import Principal
    from piratewatch.config import Settings
    from piratewatch.services import Services


class _LazyConsole:
    """A rich console made on first use: ``--help`` and commands that print nothing never load rich's renderer."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Console | None = None

    @property
    def real(self) -> Console:
        """The console itself (what rich's progress bars take)."""
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


console = _LazyConsole(soft_wrap=True)
err_console = _LazyConsole(stderr=True)

#: exit code of a command whose arguments are wrong (the work was not tried)
USAGE = 2


def fail(message: str, code: int = 1) -> NoReturn:
    """Print `message` as an error and leave with `code`."""
    err_console.print(f"[red]error:[/red] {message}", markup=True, highlight=False)
    raise typer.Exit(code)


def warn(message: str) -> None:
    """Print a warning (the command goes on)."""
    err_console.print(f"[yellow]warning:[/yellow] {message}", highlight=False)


def cli_actor(association_id: int | None = None) -> Actor:
    """The audit actor of a command: the shell user."""
    from cases.audit.services import Actor

    try:
        user = getpass.getuser()
    except (OSError, KeyError):  # no user name in a bare container
        user = "unknown"
    return Actor(f"cli:{user}", association_id)


def cli_principal() -> Principal:
    """The command line acts with every right: whoever runs it already holds the database."""
    from cases.tenants.roles import Role
    from cases.tenants.services import Principal

    return Principal(key_id=0, association_id=0, role=Role.ADMIN)


def cli_settings() -> Settings:
    """The settings from the environment; a bad setting ends the command with what is wrong."""
    from pydantic import ValidationError

    from piratewatch.config import get_settings

    try:
        return get_settings()
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        fail(f"bad settings: {problems}", USAGE)
    except ValueError as exc:
        fail(f"bad settings: {exc}", USAGE)


@contextmanager
def services(*, schema: bool = True) -> Iterator[Services]:
    """The use cases on the configured store, closed when the block ends.

    With `schema`, a store behind this version's schema is refused first. The errors raised on purpose
    by the use cases and the store (``PiratewatchError``, ``CasesError``, ``ResolverError``, ``ExportersError``)
    end the command with their message; anything else is a bug and shows its traceback.
    """
    from cases.errors import CasesError
    from exporters.errors import ExportersError
    from piratewatch.errors import PiratewatchError
    from piratewatch.services import Services
    from resolver.errors import ResolverError

    built = Services.from_settings(cli_settings())
    try:
        if schema:
            built.check_schema()
        yield built
    except (PiratewatchError, CasesError, ResolverError, ExportersError) as exc:
        fail(str(exc))
    finally:
        built.close()


def print_json(data: Any) -> None:
    """`data` as indented JSON on standard output."""
    console.print_json(json.dumps(data, ensure_ascii=False, default=str))


def redact_url(url: str) -> str:
    """`url` without its credentials, to print."""
    from piratewatch.services.reporting import redact_url as redact

    return redact(url)
