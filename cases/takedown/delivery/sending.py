"""Sending approved notices through the outbox: a rolling window of sends, each notice re-checked first.

The outbox's steps (take a notice, record the hand-over, settle a crash) are in
:mod:`cases.takedown.delivery.outbox`; this module drives them for many notices at once, keeping a
window of sends in flight per channel, and routes each notice to its recipient's channel.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection, Mapping, Sequence

import httpx
import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col

from cases.audit.services import Actor, recorded_together
from cases.db import transaction
from cases.errors import ConflictError, DeliveryError
from cases.messages import said
from cases.providers.models import Provider
from cases.takedown.delivery.channels import Channel
from cases.takedown.delivery.outbox import Started, begin_sends, fail_send, finish_send
from cases.takedown.models import DeliveryAttempt, Notice, NoticeState
from cases.takedown.recheck import Recheck, recheck_client, recheck_notice
from cases.takedown.render import TEMPLATES
from cases.takedown.services import get_notice
from cases.takedown.states import back_to_review
from common.text import scrub

log = logging.getLogger(__name__)

_Answer = dict[str, object] | DeliveryError


async def send_batch(
    factory: sessionmaker[Session],
    actor: Actor,
    channel: Channel,
    notice_ids: Sequence[int],
    recheck: Recheck | None = None,
    concurrency: int | None = None,
) -> list[Notice]:
    """Send approved notices through `channel` with the outbox's guarantees; returns them in their new state.

    A rolling window of `concurrency` notices (by default the channel's own), each *taken*
    (``approved → sending`` and its attempt row, committed **before** it leaves), then handed over,
    then *settled* (``sent`` or back to ``approved``). Notices are taken only as slots free up, a few per transaction, so every notice
    in ``sending`` is one whose message is in flight or has left: what a crash leaves to
    :func:`reconcile` may really have left, none was merely waiting its turn. Outcomes are settled
    together, in one transaction per handful, while the next sends go on. Each notice's URLs are
    re-checked before it is taken (one whose every URL failed goes back to review); notices another
    worker took are skipped.
    """
    settled: list[Notice] = []
    in_doubt: list[int] = []
    window = concurrency or channel.concurrency
    # Taken half a window at a time: one transaction costs about as much for 1 notice as for 8, and
    # the other half keeps the relay busy meanwhile.
    batch = max(1, window // 2)
    free = asyncio.Semaphore(window)  # a slot per notice taken and not yet answered
    answered: asyncio.Queue[tuple[Started, _Answer] | None] = asyncio.Queue()
    in_flight: set[asyncio.Task[None]] = set()

    async def hand_over(one: Started) -> None:
        try:
            try:
                answer: _Answer = await channel.send(one.outgoing)
            except DeliveryError as exc:
                answer = exc
            answered.put_nowait((one, answer))
        except Exception:  # whether it left is unknown: the attempt stays `sending` for reconcile
            log.exception("notice %s: the send broke off; whether it left is unknown", one.outgoing.notice_id)
            in_doubt.append(one.outgoing.notice_id)
        finally:
            free.release()

    async def settle_answers() -> None:
        finished = False
        while not finished:
            first = await answered.get()
            if first is None:
                return
            arrived = [first]
            while not answered.empty():  # everything answered meanwhile, in the same transaction
                item = answered.get_nowait()
                if item is None:
                    finished = True
                    break
                arrived.append(item)
            settled.extend(await asyncio.to_thread(_settle, factory, actor, arrived))

    settler = asyncio.create_task(settle_answers())
    pending = list(notice_ids)
    client = recheck_client(recheck) if recheck is not None else None  # one for the round's re-checks
    try:
        while pending and not settler.done():
            room = min(batch, len(pending))
            for _ in range(room):
                await free.acquire()
            chunk, pending = pending[:room], pending[room:]
            ready, returned = await _rechecked(factory, actor, chunk, recheck, client)
            settled += returned
            started = await asyncio.to_thread(_take, factory, actor, ready, channel.name)
            for _ in range(room - len(started)):
                free.release()
            for one in started:
                task = asyncio.create_task(hand_over(one))
                in_flight.add(task)
                task.add_done_callback(in_flight.discard)
    finally:
        # What is in flight is answered and settled before we return, whatever stopped the loop.
        await asyncio.gather(*list(in_flight), return_exceptions=True)
        answered.put_nowait(None)
        await settler
        if client is not None:
            await client.aclose()
    if in_doubt:  # reported with the others (in doubt, still `sending`), not raised: the round goes on
        settled += await asyncio.to_thread(_load, factory, in_doubt)
    return settled


async def _rechecked(
    factory: sessionmaker[Session],
    actor: Actor,
    notice_ids: Sequence[int],
    recheck: Recheck | None,
    client: httpx.AsyncClient | None,
) -> tuple[list[int], list[Notice]]:
    """The notices still to send after their URLs' re-check, and those it sent back to review.

    The chunk's notices are re-checked together (their fetches overlap, through the round's one
    client); each keeps its own outcome, and one whose re-check fails goes back to review alone.
    """
    if recheck is None:
        return list(notice_ids), []

    async def one(notice_id: int) -> Notice | None:
        with factory() as session:
            if get_notice(session, notice_id).state != NoticeState.APPROVED:
                return None  # neither re-checked nor sent: another worker has it, or an operator took it back
        try:
            await recheck_notice(factory, actor, notice_id, recheck, client)
        except Exception as exc:  # this notice's fault stays with it; the round goes on
            log.exception("notice %s: the re-check failed", notice_id)
            await asyncio.to_thread(_return_to_review, factory, actor, notice_id, f"the re-check failed: {_why(exc)}")
        with factory() as session:
            return get_notice(session, notice_id)

    ready: list[int] = []
    returned: list[Notice] = []
    for notice_id, notice in zip(notice_ids, await asyncio.gather(*(one(i) for i in notice_ids)), strict=True):
        if notice is None:
            continue
        if notice.state == NoticeState.APPROVED:
            ready.append(notice_id)
        else:
            returned.append(notice)  # every URL failed: back in review, not sent
    return ready, returned


def _take(factory: sessionmaker[Session], actor: Actor, notice_ids: Sequence[int], channel: str) -> list[Started]:
    """Take the notices for sending (:func:`begin_sends`); one that cannot even be taken goes back to review alone."""
    try:
        with transaction(factory) as session:
            return begin_sends(session, actor, notice_ids, channel)  # those another worker took are left out
    except Exception as exc:
        if len(notice_ids) == 1:
            log.exception("notice %s could not be taken for sending", notice_ids[0])
            _return_to_review(factory, actor, notice_ids[0], f"could not be prepared for sending: {_why(exc)}")
            return []
    return [one for notice_id in notice_ids for one in _take(factory, actor, [notice_id], channel)]


def _why(exc: BaseException) -> str:
    return scrub(f"{type(exc).__name__}: {exc}", max_length=500) or type(exc).__name__


def _return_to_review(factory: sessionmaker[Session], actor: Actor, notice_id: int, reason: str) -> None:
    with transaction(factory) as session:
        notice = get_notice(session, notice_id)
        if notice.state == NoticeState.APPROVED:
            back_to_review(session, notice, actor, reason)


def _load(factory: sessionmaker[Session], notice_ids: Sequence[int]) -> list[Notice]:
    with factory() as session:
        return list(session.scalars(sa.select(Notice).where(col(Notice.id).in_(notice_ids))))


def _settle(factory: sessionmaker[Session], actor: Actor, answers: Sequence[tuple[Started, _Answer]]) -> list[Notice]:
    """Record a batch's outcomes in one transaction: sent (with due dates) or refused (back to approved)."""
    if not answers:
        return []
    with transaction(factory) as session:
        # Loaded together here, so the per-notice steps below find them in the session, not the
        # database. Held in `loaded`: the session keeps only weak references to what it loaded.
        attempt_ids = [one.attempt_id for one, _ in answers]
        attempts = session.scalars(sa.select(DeliveryAttempt).where(col(DeliveryAttempt.id).in_(attempt_ids))).all()
        notices = session.scalars(sa.select(Notice).where(col(Notice.id).in_([a.notice_id for a in attempts]))).all()
        providers = session.scalars(
            sa.select(Provider).where(col(Provider.id).in_({n.provider_id for n in notices}))
        ).all()
        loaded = (attempts, notices, providers)  # noqa: F841 - kept alive on purpose
        # No flush between the steps and one audit insert: the changed rows go out together (an
        # UPDATE executemany per table) instead of a flush and an insert at every step.
        with session.no_autoflush, recorded_together(session):
            return [
                fail_send(session, actor, one.attempt_id, str(answer), permanent=answer.permanent)
                if isinstance(answer, DeliveryError)
                else finish_send(session, actor, one.attempt_id, answer)
                for one, answer in answers
            ]


async def send_notice(
    factory: sessionmaker[Session], actor: Actor, channel: Channel, notice_id: int, recheck: Recheck | None = None
) -> Notice:
    """Send one approved notice through `channel` with the outbox's guarantees, re-checking its URLs first.

    :class:`ConflictError` if the notice is not approved (it is then neither re-checked nor sent).
    """
    with factory() as session:
        state = get_notice(session, notice_id).state
    if state != NoticeState.APPROVED:
        raise ConflictError(
            said("notice {notice} is {state}, not approved (or another worker took it)", notice=notice_id, state=state)
        )
    done = await send_batch(factory, actor, channel, [notice_id], recheck)
    if not done:
        raise ConflictError(said("notice {notice} was taken by another worker", notice=notice_id))
    return done[0]


def channel_for(template: str, provider: Provider) -> str:
    """The channel a notice takes: an API payload goes to the provider's API, a bulk-upload or web-form
    notice (and any notice to a provider without an abuse address) to a file for upload, the rest by e-mail."""
    if TEMPLATES[template].filename is None:
        return "api"
    if template == "search_delisting" or not provider.abuse_email:
        return "file"
    return "smtp"


async def send_approved(
    factory: sessionmaker[Session],
    actor: Actor,
    channels: Channel | Mapping[str, Channel],
    limit: int = 100,
    recheck: Recheck | None = None,
    concurrency: int | None = None,
    skip: Collection[int] = (),
) -> list[Notice]:
    """Send up to `limit` approved notices, oldest first (:func:`send_batch`); returns them in their new state.

    Notices in `skip` are left alone (a takedown job sending continuously skips those it already
    tried, so a notice its channel refused waits for the next job instead of being retried at once).

    With one channel, every notice takes it; with channels by name, each notice takes the one
    :func:`channel_for` names, and a notice whose channel is not configured waits, still approved.
    """
    with factory() as session:
        rows = session.execute(
            sa.select(col(Notice.id), col(Notice.template), Provider)
            .join(Provider, col(Provider.id) == col(Notice.provider_id))
            .where(col(Notice.state) == NoticeState.APPROVED.value, col(Notice.id).not_in(list(skip)))
            .order_by(col(Notice.id))
            .limit(limit)
        ).all()
        routes = [(int(notice_id), channel_for(template, provider)) for notice_id, template, provider in rows]
    by_channel: dict[str, list[int]] = {}
    for notice_id, route in routes:
        by_channel.setdefault(route, []).append(notice_id)
    done: list[Notice] = []
    for route, ids in by_channel.items():
        channel = channels.get(route) if isinstance(channels, Mapping) else channels
        if channel is None:
            continue
        async with channel.connected():  # e-mail: a few connections carry the whole run
            done += await send_batch(factory, actor, channel, ids, recheck, concurrency)
    return done
