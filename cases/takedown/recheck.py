"""Re-checking every URL of a notice just before it is sent.

A page that is gone, unreachable, or now redirects to an allow-listed legitimate page (a seized
domain forwarding to the publisher's store, say) must not be listed in a legal notice: such items
are dropped with their reason, and the notice is rendered again without them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

import httpx
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col, select

from cases.audit.services import Actor, updated
from cases.audit.services import record as record_audit
from cases.db import transaction, utcnow
from cases.takedown.models import ItemOutcome, NoticeItem, NoticeState
from cases.takedown.services import get_notice, render_notice
from cases.takedown.states import move


@dataclass(frozen=True)
class Recheck:
    """How to re-check: the allow-list of legitimate URL prefixes, time limits, how many at once."""

    allow_list: Sequence[str] = ()
    timeout: float = 10.0
    concurrency: int = 8
    max_redirects: int = 5
    user_agent: str = "piratewatch-recheck/1"
    transport: httpx.AsyncBaseTransport | None = field(default=None, compare=False)

    def allowed(self, url: str) -> bool:
        """Whether `url` is a known legitimate page."""
        return any(url.startswith(prefix) for prefix in self.allow_list)


async def check_url(client: httpx.AsyncClient, policy: Recheck, url: str) -> str | None:
    """Why `url` must be dropped, or None if it is still live and not a legitimate page."""
    try:
        answer = await client.get(url)
    except httpx.TooManyRedirects:
        return f"more than {policy.max_redirects} redirects"
    except httpx.HTTPError as exc:
        return f"unreachable: {type(exc).__name__}: {exc}"
    final = str(answer.url)
    if policy.allowed(final):
        return f"redirects to an allow-listed legitimate page: {final}"
    if answer.status_code >= 400:
        return f"no longer live: HTTP {answer.status_code}"
    return None


async def check_urls(policy: Recheck, urls: Sequence[str]) -> list[str | None]:
    """Check `urls` (at most ``policy.concurrency`` at a time); one reason or None per URL, in order."""
    limit = asyncio.Semaphore(policy.concurrency)
    async with httpx.AsyncClient(
        follow_redirects=True,
        max_redirects=policy.max_redirects,
        timeout=httpx.Timeout(policy.timeout),
        headers={"User-Agent": policy.user_agent},
        transport=policy.transport,
    ) as client:

        async def one(url: str) -> str | None:
            if policy.allowed(url):
                return "the URL itself is on the allow-list"
            async with limit:
                return await check_url(client, policy, url)

        return list(await asyncio.gather(*(one(u) for u in urls)))


async def recheck_notice(
    factory: sessionmaker[Session], actor: Actor, notice_id: int, policy: Recheck
) -> dict[str, str]:
    """Re-check an approved notice's pending items; drop failing ones and re-render. Returns URL → reason dropped.

    If every item fails, the notice goes back to review instead of being sent.
    """
    with factory() as session:
        items = list(
            session.exec(
                select(NoticeItem).where(
                    col(NoticeItem.notice_id) == notice_id, col(NoticeItem.outcome) == ItemOutcome.PENDING.value
                )
            )
        )
    reasons = await check_urls(policy, [i.url for i in items])
    dropped: dict[str, str] = {}
    with transaction(factory) as session:
        now = utcnow()
        for item, reason in zip(items, reasons, strict=True):
            row = session.get(NoticeItem, item.id)
            assert row is not None
            assert row.id is not None
            row.checked_at = now
            if reason is not None:
                record_audit(
                    session, actor, [updated("notice_item", row.id, "outcome", row.outcome, ItemOutcome.DROPPED.value)]
                )
                row.outcome, row.outcome_reason = ItemOutcome.DROPPED, reason
                dropped[row.url] = reason
            session.add(row)
        session.flush()
        notice = get_notice(session, notice_id)
        if dropped and len(dropped) == len(items):
            move(session, notice, NoticeState.IN_REVIEW, actor)
        elif dropped:
            render_notice(session, actor, notice)
    return dropped
