"""Use cases of intake: associations submit sites (one by one, in batches, from a CSV file)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from piratewatch.services.resources import Resources

if TYPE_CHECKING:
    from cases.audit.services import Actor
    from cases.intake.csv_import import ImportSummary
    from cases.intake.schemas import SiteIn, SiteResultOut


def submit(
    self: Resources, association: str, sites: Sequence[SiteIn], actor: Actor, *, via: str
) -> list[SiteResultOut]:
    """Submit `sites` for the association named `association` (all or nothing); one result per site."""
    from cases.intake.services import submit_sites
    from cases.tenants.services import get_association

    with self.transaction() as session:
        assoc = get_association(session, association)
        results, _ = submit_sites(session, actor.for_association(assoc.id), assoc.id or 0, sites, via=via)
    return [r for r in results if r is not None]


def import_csv(
    self: Resources,
    path: Path,
    association: str,
    actor: Actor,
    *,
    encoding: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportSummary:
    """Import a CSV file for the association named `association`: every bad row with its line, the good rows in."""
    from cases.intake.csv_import import import_csv as run_import
    from cases.tenants.services import get_association

    with self.transaction() as session:
        assoc = get_association(session, association)
    return run_import(
        path, self.factory, actor.for_association(assoc.id), assoc.id or 0, encoding=encoding, progress=progress
    )


def site_id_of(self: Resources, site: str) -> int | None:
    """A site given as its id or as one of its domains (None: no site has that domain)."""
    from piratewatch.jobs.resolve import find_domain

    if site.isdigit():
        return int(site)
    with self.factory() as session:
        domain = find_domain(session, site)
    return domain.site_id if domain is not None else None
