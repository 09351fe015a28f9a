"""Re-checking every URL of a notice just before it is sent.

A page that is gone, unreachable, now redirects to an allow-listed legitimate page (a seized domain
forwarding to the publisher's store, say), or no longer shows the work it was reported for (a host
that replaced the content with a "removed" page answering 200) must not be listed in a legal
notice: such items are dropped with their reason, and the notice is rendered again without them.
The same check, run after sending, tells which URLs were actioned.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import httpx
import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col, select

from cases.audit.services import Actor, updated
from cases.audit.services import record as record_audit
from cases.db import transaction, utcnow
from cases.takedown.config import NoticeSettings
from cases.takedown.models import ItemOutcome, NoticeItem, NoticeState
from cases.takedown.services import get_notice, render_notice
from cases.takedown.states import back_to_review
from cases.works.models import WorkTitle
from common.pages import visible_text
from common.text import scrub
from common.titles import text_shows_title


@dataclass(frozen=True)
class Recheck:
    """How to re-check: the allow-list of legitimate URL prefixes, time limits, how many at once."""

    allow_list: Sequence[str] = ()
    #: URL prefixes of registrars' and registries' suspension pages: a site sent there is suspended
    suspension_pages: Sequence[str] = ()
    timeout: float = 10.0
    concurrency: int = 8
    max_redirects: int = 5
    #: how much of a page is read to look for the work's titles (a hostile page cannot exhaust memory)
    max_bytes: int = 2_000_000
    user_agent: str = "piratewatch-recheck/1"
    #: makes the transport of each check's client (e.g. one behind an SSRF guard); httpx's default if None.
    #: A factory, not a transport: a client closes its transport when it is done.
    transport_factory: Callable[[], httpx.AsyncBaseTransport] | None = field(default=None, compare=False)

    @classmethod
    def from_settings(cls, settings: NoticeSettings) -> Recheck:
        """The re-check the notice settings describe."""
        return cls(
            allow_list=settings.allow_list,
            suspension_pages=settings.suspension_pages,
            timeout=settings.recheck_timeout,
            concurrency=settings.recheck_concurrency,
            max_redirects=settings.recheck_max_redirects,
        )

    def allowed(self, url: str) -> bool:
        """Whether `url` is a known legitimate page."""
        return any(url.startswith(prefix) for prefix in self.allow_list)


async def _read_capped(answer: httpx.Response, limit: int) -> str:
    chunks: list[bytes] = []
    size = 0
    async for chunk in answer.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= limit:
            break
    return b"".join(chunks)[:limit].decode(answer.encoding or "utf-8", errors="replace")


@dataclass(frozen=True)
class Finding:
    """Why a URL fails the check, and whether its content is gone for good.

    Gone (HTTP 404, 410, 451; a redirect to an allow-listed page; the work no longer on the page)
    counts as actioned after a notice. A passing failure (a timeout, a refused connection, 403, 429,
    5xx, a redirect loop) keeps a URL out of a notice about to be sent, but says nothing about a takedown.
    """

    reason: str
    gone: bool


#: answers that mean the page was removed, not that the server is having a bad day
GONE_STATUSES = frozenset({404, 410, 451})


async def check_url(client: httpx.AsyncClient, policy: Recheck, url: str, titles: Sequence[str] = ()) -> Finding | None:
    """Why `url` must be left out, or None if it is still live, not a legitimate page, and shows the work.

    `titles` are the work's titles; with none (an item without a work), the page's content is not checked.
    """
    try:
        async with client.stream("GET", url) as answer:
            final = str(answer.url)
            if policy.allowed(final):
                return Finding(f"redirects to an allow-listed legitimate page: {final}", gone=True)
            if answer.status_code >= 400:
                return Finding(f"no longer live: HTTP {answer.status_code}", gone=answer.status_code in GONE_STATUSES)
            if not titles:
                return None
            page = await _read_capped(answer, policy.max_bytes)
    except httpx.TooManyRedirects:
        return Finding(f"more than {policy.max_redirects} redirects", gone=False)
    except httpx.HTTPError as exc:
        return Finding(f"unreachable: {type(exc).__name__}: {exc}", gone=False)
    if not text_shows_title(visible_text(page), titles):
        return Finding("no longer shows the work: none of its titles is on the page", gone=True)
    return None


def recheck_client(policy: Recheck) -> httpx.AsyncClient:
    """The HTTP client re-checks go through. Making one costs about 30 ms of CPU (its TLS context), so
    a round of sends shares one (:func:`check_urls`' `client`) instead of making one per notice."""
    return httpx.AsyncClient(
        follow_redirects=True,
        max_redirects=policy.max_redirects,
        timeout=httpx.Timeout(policy.timeout),
        headers={"User-Agent": policy.user_agent},
        transport=policy.transport_factory() if policy.transport_factory else None,
    )


async def check_urls(
    policy: Recheck,
    urls: Sequence[str],
    titles: Sequence[Sequence[str]] | None = None,
    client: httpx.AsyncClient | None = None,
) -> list[Finding | None]:
    """Check `urls` (at most ``policy.concurrency`` at a time); one finding or None per URL, in order.

    `titles`, when given, holds for each URL the titles of the work it was reported for. `client`
    (from :func:`recheck_client`, left open) is used if given, else one is made for these URLs.
    """
    if client is None:
        async with recheck_client(policy) as own:
            return await check_urls(policy, urls, titles, own)
    limit = asyncio.Semaphore(policy.concurrency)
    per_url = titles if titles is not None else [()] * len(urls)

    async def one(url: str, work_titles: Sequence[str]) -> Finding | None:
        if policy.allowed(url):
            return Finding("the URL itself is on the allow-list", gone=True)
        async with limit:
            try:
                return await check_url(client, policy, url, work_titles)
            except Exception as exc:  # a URL no client can fetch fails alone, never the round
                why = scrub(f"{type(exc).__name__}: {exc}", max_length=300)
                return Finding(f"could not be checked: {why}", gone=False)

    return list(await asyncio.gather(*(one(u, t) for u, t in zip(urls, per_url, strict=True))))


def titles_of_items(session: Session, items: Sequence[NoticeItem]) -> list[list[str]]:
    """For each item, every title of the work it names (empty for an item without a work)."""
    work_ids = {i.work_id for i in items if i.work_id is not None}
    by_work: dict[int, list[str]] = {}
    if work_ids:
        query = sa.select(col(WorkTitle.work_id), col(WorkTitle.title)).where(col(WorkTitle.work_id).in_(work_ids))
        for work_id, title in session.execute(query):
            by_work.setdefault(work_id, []).append(title)
    return [by_work.get(i.work_id, []) if i.work_id is not None else [] for i in items]


#: the outcomes the pre-send re-check judges: every item not yet settled by a later outcome check
RECHECKED_OUTCOMES = (ItemOutcome.PENDING.value, ItemOutcome.DROPPED.value)


async def recheck_notice(
    factory: sessionmaker[Session],
    actor: Actor,
    notice_id: int,
    policy: Recheck,
    client: httpx.AsyncClient | None = None,
) -> dict[str, str]:
    """Re-check every item of an approved notice; drop failing ones and re-render. Returns URL → reason dropped.

    Every item is judged again, those an earlier re-check dropped included: one that is live again is
    listed again, and the text is always rendered from the items live now (an earlier pass that dropped
    everything left the old text in place). If every item fails, the notice goes back to review instead
    of being sent, and :func:`cases.takedown.review.approve` refuses it until an item is live again.
    """
    with factory() as session:
        items = list(
            session.exec(
                select(NoticeItem)
                .where(col(NoticeItem.notice_id) == notice_id, col(NoticeItem.outcome).in_(RECHECKED_OUTCOMES))
                .order_by(col(NoticeItem.id))
            )
        )
        titles = titles_of_items(session, items)
    findings = await check_urls(policy, [i.url for i in items], titles, client)
    dropped: dict[str, str] = {}
    with transaction(factory) as session:
        now = utcnow()
        for item, finding in zip(items, findings, strict=True):
            row = session.get(NoticeItem, item.id)
            assert row is not None
            assert row.id is not None
            row.checked_at = now
            outcome = ItemOutcome.DROPPED if finding is not None else ItemOutcome.PENDING
            if row.outcome != outcome:
                record_audit(session, actor, [updated("notice_item", row.id, "outcome", row.outcome, outcome.value)])
            row.outcome, row.outcome_reason = outcome, finding.reason if finding is not None else None
            if finding is not None:
                dropped[row.url] = finding.reason
            session.add(row)
        session.flush()
        notice = get_notice(session, notice_id)
        if len(dropped) == len(items):
            if notice.state == NoticeState.APPROVED:
                back_to_review(session, notice, actor, "every URL failed the re-check")
        else:
            render_notice(session, actor, notice)
    return dropped
