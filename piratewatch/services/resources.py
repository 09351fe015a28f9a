"""What the use cases run with, built once from the settings: the store, the delivery channels, the
pre-send re-check, the traffic sources, the resolver's settings.

Each piece is built the first time a use case needs it and kept for the life of the object, so a
process (a command, the app, a worker) has one engine, one set of SMTP connections and one
SSRF-guarded HTTP transport factory. The null implementations are chosen by configuration, not by
the caller: with ``PIRATEWATCH_NOTICES__RECHECK_BEFORE_SEND=false`` there is no pre-send re-check,
and the ``file`` channel (``notices send --channel file``) writes notices instead of sending them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING, Self

from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from cases.db import make_engine, session_factory, transaction
from piratewatch.config import Settings
from piratewatch.errors import SchemaBehindError

if TYPE_CHECKING:
    import httpx

    from cases.evidence.objects import ObjectStore
    from cases.evidence.timestamps import Authority
    from cases.takedown.delivery.channels import Channel
    from cases.takedown.recheck import Recheck
    from crawlers.traffic import Estimator
    from resolver import Resolver, ResolverSettings


@dataclasses.dataclass(eq=False)
class Resources:
    """The store and the configured backends of one process."""

    settings: Settings
    engine: Engine
    factory: sessionmaker[Session]
    #: whether :meth:`close` disposes of the engine (not when the caller lent one, e.g. a test's)
    owns_engine: bool = True

    @classmethod
    def from_settings(cls, settings: Settings, *, engine: Engine | None = None) -> Self:
        """Build from the settings; the engine is made from them unless one is lent (and then kept open)."""
        from common.logs import install_redaction

        install_redaction()  # every process that holds the services logs nothing secret (once per process)
        owns = engine is None
        engine = engine or make_engine(settings.effective_database_url)
        return cls(settings=settings, engine=engine, factory=session_factory(engine), owns_engine=owns)

    def close(self) -> None:
        """Release the store's connections (the engine, if this object made it)."""
        if self.owns_engine:
            self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session in a transaction: committed when the block ends, rolled back if it raises."""
        with transaction(self.factory) as session:
            yield session

    def check_schema(self) -> None:
        """Refuse to work on a store whose schema is not this version's (:class:`SchemaBehindError` says how to fix it)."""
        from cases.migrations import current_revision, head_revision

        current = current_revision(self.engine)
        if current != head_revision():
            raise SchemaBehindError(f"the store is at revision {current or 'none'}; run `piratewatch db upgrade` first")

    @cached_property
    def resolver_settings(self) -> ResolverSettings:
        """The resolver's settings, with its caches and refreshed CDN catalogue in the data directory."""
        return self.settings.resolver_settings()

    def resolver(self) -> Resolver:
        """A new resolver on these settings (enter it with ``async with``: it holds sockets and clients)."""
        from resolver import Resolver

        return Resolver(self.resolver_settings)

    @cached_property
    def channels(self) -> dict[str, Channel]:
        """The delivery channels the settings configure, by name (files go under the data directory by default)."""
        from cases.takedown.delivery.channels import configured_channels

        return configured_channels(self.settings.notices, self.settings.data_dir / "notices")

    @cached_property
    def url_checker(self) -> Recheck:
        """How notices' URLs are fetched (before sending and to check outcomes), behind the resolver's SSRF guard.

        Certificates are not verified: pirate sites serve broken ones, and a page is checked all the same.
        """
        from cases.takedown.recheck import Recheck
        from resolver import guarded_transport

        resolver_settings = self.resolver_settings
        return dataclasses.replace(
            Recheck.from_settings(self.settings.notices),
            transport_factory=lambda: guarded_transport(resolver_settings, verify=False),
        )

    @property
    def recheck(self) -> Recheck | None:
        """The pre-send re-check, or None where the settings switch it off."""
        return self.url_checker if self.settings.notices.recheck_before_send else None

    def capture_transport(self) -> httpx.AsyncBaseTransport:
        """A transport for evidence captures: the resolver's SSRF guard, certificates not verified (pirate
        sites serve broken ones; the page is evidence all the same)."""
        from resolver import guarded_transport

        return guarded_transport(self.resolver_settings, verify=False)

    @cached_property
    def evidence_store(self) -> ObjectStore:
        """Where evidence objects live: ``evidence/`` in the data directory, another directory or an
        S3-compatible bucket, as ``PIRATEWATCH_EVIDENCE__STORE`` says."""
        from cases.evidence.stores import configured_store

        return configured_store(self.settings.evidence, self.settings.data_dir)

    @cached_property
    def timestamp_authority(self) -> Authority | None:
        """The configured TSA with the certificates its tokens must chain to, or None when none is configured."""
        from cases.evidence.timestamps import Authority, read_certificates

        evidence = self.settings.evidence
        if not evidence.tsa_url:
            return None
        certificates = tuple(read_certificates(evidence.tsa_certificates))
        return Authority(evidence.tsa_url, certificates, evidence.tsa_timeout)

    @cached_property
    def estimators(self) -> list[Estimator]:
        """Every traffic source the settings switch on."""
        from crawlers.traffic import configured_estimators

        return configured_estimators(self.settings.traffic)
