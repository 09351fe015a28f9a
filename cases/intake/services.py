"""Submitting sites: the one code path behind the API, CSV import, the CLI and the demo.

Everything is done in bulk (a few statements per batch, not per row) and idempotently: submissions
are keyed by ``(association, source_ref)`` and evidence by ``(submission, url, work)``, so a batch
sent twice, or re-run after a crash half-way, completes what is missing and creates nothing twice.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from cases.audit.services import Actor, CreationLog, Creations, record
from cases.base import table_of
from cases.db import utcnow
from cases.errors import InvalidInputError
from cases.intake.models import EvidenceItem, Submission
from cases.intake.schemas import DomainOut, SiteIn, SiteResultOut
from cases.sites.services import add_site_tags, ensure_sites
from cases.sqlutil import JsonText, insert_ignore, insert_returning_ids, insert_rows, is_postgres, key_in
from cases.works.services import WorkSpec, ensure_works, work_ids_by_ref
from common.hosts import normalize_host
from common.keys import url_work_key

_SUBMISSION = table_of(Submission)
_EVIDENCE = table_of(EvidenceItem)
SUBMISSIONS_CREATED = Creations(
    "submission",
    lambda ids: sa.select(_SUBMISSION.c.id, _SUBMISSION.c.source_ref, _SUBMISSION.c.site_id, _SUBMISSION.c.via).where(
        ids(_SUBMISSION.c.id)
    ),
)
#: One event per submission that got evidence: how many items (given the new items' ids).
EVIDENCE_ADDED = Creations(
    "evidence",
    lambda ids: (
        sa.select(_EVIDENCE.c.submission_id, sa.func.count().label("items_added"))
        .where(ids(_EVIDENCE.c.id))
        .group_by(_EVIDENCE.c.submission_id)
    ),
)
#: The same for submissions created in this transaction (given their ids): all their evidence is new.
EVIDENCE_OF_NEW_SUBMISSIONS = Creations(
    "evidence",
    lambda ids: (
        sa.select(_EVIDENCE.c.submission_id, sa.func.count().label("items_added"))
        .where(ids(_EVIDENCE.c.submission_id))
        .group_by(_EVIDENCE.c.submission_id)
    ),
    name="evidence_of_new",
)


@functools.cache
def _submissions_by_ref(postgres: bool) -> Any:
    return sa.select(_SUBMISSION.c.source_ref, _SUBMISSION.c.id, _SUBMISSION.c.site_id).where(
        _SUBMISSION.c.association_id == sa.bindparam("association_id"),
        key_in(postgres, _SUBMISSION.c.source_ref, "refs"),
    )


@functools.cache
def _evidence_keys(postgres: bool) -> Any:
    return sa.select(_EVIDENCE.c.submission_id, _EVIDENCE.c.item_key).where(
        key_in(postgres, _EVIDENCE.c.submission_id, "submissions")
    )


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

    log = CreationLog(actor)
    refs = [item.effective_source_ref() for _, item in accepted]
    host_groups = [item.hosts() for _, item in accepted]
    # Sites first, taking the submission locks in the same statement as the registrable domains'.
    resolutions = ensure_sites(session, log, host_groups, also_lock=(f"submission:{association_id}", refs))
    new_site_ids = {r.site_id for r in resolutions if r.site_created}
    # Under that lock no other writer adds these refs: what is not here now is ours to create.
    postgres = is_postgres(session)
    submissions: dict[str, tuple[int, int]] = {
        ref: (sid, site)
        for ref, sid, site in session.execute(
            _submissions_by_ref(postgres), {"association_id": association_id, "refs": sorted(set(refs))}
        ).all()
    }
    matched_ids = [sid for sid, _ in submissions.values()]

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
    record(session, actor, work_changes)

    now = utcnow()
    new_submissions: list[dict[str, Any]] = []
    created_refs: set[str] = set()
    for (_, item), ref, res in zip(accepted, refs, resolutions, strict=True):
        if ref in submissions or ref in created_refs:
            continue  # a second item with the same ref in this batch matches the first
        created_refs.add(ref)
        new_submissions.append(
            {
                "association_id": association_id,
                "site_id": res.site_id,
                "source_ref": ref,
                "via": via,
                # PostgreSQL copies JSON text as it is; SQLite's JSON type would decode it to encode it again.
                "payload": JsonText(item.model_dump_json()) if postgres else item.model_dump(mode="json"),
                "note": item.note,
                "created_by_key_id": key_id,
                "created_at": now,
            }
        )
    new_ids = insert_returning_ids(session, table_of(Submission), new_submissions)
    for row, sid in zip(new_submissions, new_ids, strict=True):
        submissions[row["source_ref"]] = (sid, row["site_id"])
    log.add(SUBMISSIONS_CREATED, new_ids)

    # Evidence: only what is not there yet (a new submission has none).
    have: set[tuple[int, str]] = set()
    if matched_ids:
        have = {
            (int(sid), str(key))
            for sid, key in session.execute(_evidence_keys(postgres), {"submissions": matched_ids}).all()
        }
    new_ids_set = set(new_ids)
    evidence_fresh: list[dict[str, Any]] = []  # on submissions created here: nothing to collide with
    evidence_more: list[dict[str, Any]] = []  # on submissions that existed
    added: dict[str, int] = defaultdict(int)
    languages: dict[int, set[str]] = defaultdict(set)
    content_types: dict[int, set[str]] = defaultdict(set)
    for (_, item), ref in zip(accepted, refs, strict=True):
        sid, site_id = submissions[ref]
        languages[site_id].update(item.languages)
        content_types[site_id].update(c.value for c in item.content_types)
        target = evidence_fresh if sid in new_ids_set else evidence_more
        for e in item.evidence:
            work_id = work_ids.get(e.work_ref) if e.work_ref else None
            key = url_work_key(e.url, work_id)
            if (sid, key) in have:
                continue
            have.add((sid, key))
            added[ref] += 1
            target.append(
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
    insert_rows(session, _EVIDENCE, evidence_fresh)
    log.add(EVIDENCE_OF_NEW_SUBMISSIONS, sorted({int(e["submission_id"]) for e in evidence_fresh}))
    evidence_ids = [
        int(r[0])
        for r in insert_ignore(
            session, table_of(EvidenceItem), evidence_more, ["submission_id", "item_key"], returning=["id"]
        )
    ]
    log.add(EVIDENCE_ADDED, evidence_ids)
    add_site_tags(session, languages, content_types, new_site_ids)
    log.write(session)

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
        # Built from values of our own (no validation to run: model_construct costs a tenth).
        results[index] = SiteResultOut.model_construct(
            index=index,
            status="created" if ref in created_refs and ref not in seen_refs else "matched",
            submission_id=sid,
            source_ref=ref,
            site_id=site_id,
            site_created=res.site_created,
            domains=[
                DomainOut.model_construct(
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


def adopt_found_works(
    session: Session, actor: Actor, site_id: int, fqdn: str, found: Sequence[tuple[int, int, str]]
) -> list[int]:
    """Give each association whose works a crawl found on a site it never submitted a submission of its own.

    `found` holds (association id, work id, URL) triples. Such an association gets one submission
    (``via="crawl"``, ``source_ref`` ``crawl:<site id>``; later crawls add their URLs to it) with the
    URLs as its evidence. The tenant rule stays one rule: an association sees the sites it has a
    submission for, so the notices drafted for its works are on a site it can see, and it never sees
    another association's submissions or evidence there. Returns the associations given one.
    """
    from cases.works.models import Work

    by_association: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for association_id, work_id, url in found:
        by_association[association_id].append((work_id, url))
    if not by_association:
        return []
    submitted = set(
        session.scalars(
            sa.select(col(Submission.association_id)).where(
                col(Submission.site_id) == site_id,
                col(Submission.association_id).in_(list(by_association)),
                col(Submission.via) != "crawl",
            )
        )
    )
    adopted = []
    for association_id, items in sorted(by_association.items()):
        if association_id in submitted:
            continue
        refs = dict(
            session.execute(sa.select(col(Work.id), col(Work.ref)).where(col(Work.id).in_({w for w, _ in items}))).all()
        )
        site = SiteIn(
            source_ref=f"crawl:{site_id}",
            domains=[fqdn],
            evidence=[{"url": url, "work_ref": refs[w]} for w, url in items if w in refs],
        )
        _, problems = submit_sites(
            session, actor.for_association(association_id), association_id, [site], via="crawl", strict=False
        )
        if not problems:
            adopted.append(association_id)
    return adopted
