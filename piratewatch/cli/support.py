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
err_console = _LazyConsole(stderr=True, soft_wrap=True)

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
    # Every table's mapping, whatever the command touches: a use case that writes a notice flushes
    # rows whose foreign keys name tables its own imports never loaded (an association, a provider).
    import cases.models  # noqa: F401
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


#: the ``--json`` option every listing takes: one JSON object a line, with the fields docs/ui.md lists
JSON_HELP = "One JSON object a line (stable fields, docs/ui.md) instead of a table."


def print_listing(
    rows: list[dict[str, Any]], columns: dict[str, str], *, as_json: bool, empty: str, title: str | None = None
) -> None:
    """A listing: `rows` as JSON lines, or a table of `columns` (field → heading); `empty` when there are none.

    The table is as wide as its content when standard output is not a terminal, so a pipe or a file
    gets every value whole; on a terminal long values wrap instead of being cut.
    """
    if as_json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False, default=str))
        return
    if not rows:
        err_console.print(empty, highlight=False)
        return
    from rich.table import Table

    table = Table(*columns.values(), title=title, title_justify="left")
    for column in table.columns:
        column.overflow = "fold"
    for row in rows:
        table.add_row(*(_cell(row.get(field)) for field in columns))
    real = console.real
    if real.is_terminal:
        real.print(table, highlight=False)
        return
    from rich.console import Console
    from rich.measure import Measurement

    wide = real.options.update(width=_PIPE_WIDTH, max_width=_PIPE_WIDTH)
    width = max(Measurement.get(real, wide, table).maximum, 20)
    Console(width=width, no_color=True, highlight=False).print(table)


#: the widest a table gets when piped (wider values still fold, never cut)
_PIPE_WIDTH = 10_000


def _cell(value: Any) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value) or "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def site_of(svc: Services, site: str) -> int:
    """A site given as its id or as one of its domains (a URL too); fails naming what matched nothing."""
    site_id = svc.site_id_of(site.strip())
    if site_id is None:
        fail(f"no site has the domain {site!r}")
    return site_id
