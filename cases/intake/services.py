"""Submitting sites: the one code path behind the API, CSV import, the CLI and the demo.

Everything is done in bulk (a few statements per batch, not per row) and idempotently: submissions
are keyed by ``(association, source_ref)`` and evidence by ``(submission, url, work)``, so a batch
sent twice, or re-run after a crash half-way, completes what is missing and creates nothing twice.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col

from cases.audit.services import Actor, Change, created, record
from cases.base import table_of
from cases.catalogue.services import WorkSpec, ensure_works, work_ids_by_ref
from cases.db import utcnow
from cases.errors import InvalidInputError
from cases.intake.models import EvidenceItem, Submission
from cases.intake.schemas import DomainOut, SiteIn, SiteResultOut
from cases.sites.normalize import normalize_host
from cases.sites.services import add_site_tags, ensure_sites
from cases.sqlutil import insert_ignore, lock_keys, one_of


def evidence_key(url: str, work_id: int | None) -> str:
    """The identity of an evidence item within a submission."""
    return hashlib.sha256(f"{url}\n{work_id or ''}".encode()).hexdigest()


@dataclass(frozen=True)
class ItemProblem:
    """Why one site of a batch was refused; ``index`` is its position in the batch."""

    index: int
    location: str
    message: str


def _unknown_work_refs(
    session: Session, association_id: int, items: Sequence[SiteIn]
) -> tuple[list[ItemProblem], dict[str, int]]:
    """Evidence naming a work that is neither in its own site's `works` nor in the catalogue."""
    wanted = {
        e.work_ref
        for item in items
        for e in item.evidence
        if e.work_ref and e.work_ref not in {w.effective_ref() for w in item.works}
    }
    known = work_ids_by_ref(session, association_id, sorted(wanted))
    problems = []
    for i, item in enumerate(items):
        own = {w.effective_ref() for w in item.works}
        for j, e in enumerate(item.evidence):
            if e.work_ref and e.work_ref not in own and e.work_ref not in known:
                problems.append(
                    ItemProblem(
                        i,
                        f"sites[{i}].evidence[{j}].work_ref",
                        f"unknown work {e.work_ref!r}: list it in this site's works or submit it first",
                    )
                )
    return problems, known


def submit_sites(
    session: Session,
    actor: Actor,
    association_id: int,
    items: Sequence[SiteIn],
    *,
    via: str,
    key_id: int | None = None,
    strict: bool = True,
) -> tuple[list[SiteResultOut | None], list[ItemProblem]]:
    """Submit `items` for `association_id` inside the caller's transaction.

    Returns one result per item (None for a refused item) and the problems. With ``strict``, any
    problem refuses the whole batch with :class:`InvalidInputError` (the API's all-or-nothing
    answer); without it, refused items are skipped and the others go in (CSV import).
    """
    problems, catalogue_refs = _unknown_work_refs(session, association_id, items)
    if problems and strict:
        raise InvalidInputError([f"{p.location}: {p.message}" for p in problems])
    refused = {p.index for p in problems}
    accepted = [(i, item) for i, item in enumerate(items) if i not in refused]
    results: list[SiteResultOut | None] = [None] * len(items)
    if not accepted:
        return results, problems

    refs = [item.effective_source_ref() for _, item in accepted]
    lock_keys(session, f"submission:{association_id}", refs)
    existing = dict(
        session.execute(
            sa.select(col(Submission.source_ref), col(Submission.id)).where(
                col(Submission.association_id) == association_id,
                one_of(session, col(Submission.source_ref), sorted(set(refs))),
            )
        ).all()
    )
    changes: list[Change] = []

    work_ids, work_changes = ensure_works(
        session,
        association_id,
        [
            WorkSpec(w.effective_ref(), w.content_type.value, dict(w.titles), w.rights_holder, w.official_url)
            for _, item in accepted
            for w in item.works
        ],
    )
    work_ids = {**catalogue_refs, **work_ids}
    changes += work_changes

    host_groups = [item.hosts() for _, item in accepted]
    resolutions, site_changes = ensure_sites(session, host_groups)
    changes += site_changes

    now = utcnow()
    new_submissions = []
    for (_, item), ref, res in zip(accepted, refs, resolutions, strict=True):
        if ref in existing:
            continue
        existing[ref] = -1  # a second item with the same ref in this batch matches the first
        new_submissions.append(
            {
                "association_id": association_id,
                "site_id": res.site_id,
                "source_ref": ref,
                "via": via,
                "payload": item.model_dump(mode="json"),
                "note": item.note,
                "created_by_key_id": key_id,
                "created_at": now,
            }
        )
    insert_ignore(session, table_of(Submission), new_submissions, ["association_id", "source_ref"])
    submission_rows = session.execute(
        sa.select(col(Submission.source_ref), col(Submission.id), col(Submission.site_id)).where(
            col(Submission.association_id) == association_id,
            one_of(session, col(Submission.source_ref), sorted(set(refs))),
        )
    )
    submissions = {ref: (sid, site) for ref, sid, site in submission_rows}
    created_refs = {s["source_ref"] for s in new_submissions}
    for s in new_submissions:
        sid, _site = submissions[str(s["source_ref"])]
        changes.append(created("submission", sid, {"source_ref": s["source_ref"], "site_id": s["site_id"], "via": via}))

    # Evidence: only what is not there yet.
    sub_ids = [sid for sid, _ in submissions.values()]
    have: set[tuple[int, str]] = {
        (int(sid), str(key))
        for sid, key in session.execute(
            sa.select(col(EvidenceItem.submission_id), col(EvidenceItem.item_key)).where(
                one_of(session, col(EvidenceItem.submission_id), sub_ids)
            )
        )
    }
    new_evidence = []
    added: dict[str, int] = defaultdict(int)
    languages: dict[int, set[str]] = defaultdict(set)
    content_types: dict[int, set[str]] = defaultdict(set)
    for (_, item), ref in zip(accepted, refs, strict=True):
        sid, site_id = submissions[ref]
        languages[site_id].update(item.languages)
        content_types[site_id].update(c.value for c in item.content_types)
        for e in item.evidence:
            work_id = work_ids.get(e.work_ref) if e.work_ref else None
            key = evidence_key(e.url, work_id)
            if (sid, key) in have:
                continue
            have.add((sid, key))
            added[ref] += 1
            new_evidence.append(
                {
                    "submission_id": sid,
                    "association_id": association_id,
                    "site_id": site_id,
                    "url": e.url,
                    "item_key": key,
                    "work_id": work_id,
                    "note": e.note,
                    "captured_at": e.captured_at,
                    "created_at": now,
                }
            )
    insert_ignore(session, table_of(EvidenceItem), new_evidence, ["submission_id", "item_key"])
    for ref, count in added.items():
        changes.append(created("evidence", submissions[ref][0], {"items_added": count}))
    add_site_tags(session, languages, content_types)
    record(session, actor, changes)

    seen_refs: set[str] = set()
    for (index, item), ref, res, hosts in zip(accepted, refs, resolutions, host_groups, strict=True):
        sid, site_id = submissions[ref]
        warnings = [
            f"{fqdn} already belongs to site {owner}; left there (an operator can merge the sites)"
            for fqdn, owner in res.foreign_domains.items()
        ]
        site_hosts = {h.registrable_domain for h in hosts}
        for e in item.evidence:
            if normalize_host(e.url).registrable_domain not in site_hosts:
                warnings.append(f"evidence URL {e.url} is not on one of the site's domains")
        results[index] = SiteResultOut(
            index=index,
            status="created" if ref in created_refs and ref not in seen_refs else "matched",
            submission_id=sid,
            source_ref=ref,
            site_id=site_id,
            site_created=res.site_created,
            domains=[
                DomainOut(
                    fqdn=h.fqdn,
                    fqdn_unicode=h.fqdn_unicode,
                    registrable_domain=h.registrable_domain,
                    is_ip=h.is_ip,
                    created=h.fqdn in res.domains_created,
                )
                for h in hosts
            ],
            evidence_added=added.get(ref, 0) if ref not in seen_refs else 0,
            warnings=warnings,
        )
        seen_refs.add(ref)
    return results, problems
