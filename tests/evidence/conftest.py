"""The evidence lab: the fixture pirate sites behind a lab DNS server, two real RFC 3161 TSAs
(``openssl ts``), a real S3-compatible server on loopback (moto's), and use cases whose captures
reach the sites through the production SSRF guard."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from lab.dns_server import DnsServer
from lab.http_util import ThreadedServer
from lab.sites import HOSTS, FixtureSites
from lab.tsa import LabTsa
from piratewatch.config import get_settings
from piratewatch.services import Services


def _zone(host: str) -> tuple[str, str]:
    return (
        f"{host}.",
        f"$TTL 300\n@ SOA ns1.{host}. hostmaster.{host}. 1 3600 600 86400 300\n@ NS ns1.{host}.\n@ A 127.0.0.1\n",
    )


@dataclass
class EvidenceLab:
    sites: FixtureSites
    server: ThreadedServer
    dns: DnsServer
    tsa: LabTsa
    other_tsa: LabTsa

    def url(self, host: str, path: str = "/") -> str:
        # the guarded transport maps the standard port to the lab's (PIRATEWATCH_RESOLVER__PROBE_HTTP_PORT)
        return f"http://{host}{path}"

    def settings_values(
        self, data_dir: Path, database_url: str, *, summary_pdf: bool = False, **capture: Any
    ) -> dict[str, Any]:
        """Settings for use cases in the lab. Packages are exported without their PDF summary unless
        asked (a browser start per export, ~1-3 s: the PDF tests and the offline CLI test ask)."""
        return {
            "data_dir": data_dir,
            "database_url": database_url,
            "resolver": {
                "nameservers": [self.dns.host],
                "dns_port": self.dns.port,
                "allow_networks": ["127.0.0.0/8"],
                "probe_http_port": self.server.port,
                "probe": False,
            },
            "capture": {
                "total_seconds": 3.0,
                "read_timeout": 2.0,
                "max_bytes": 512 * 1024,
                "max_decoded_bytes": 2 * 1024 * 1024,
                "max_redirects": 4,
                "screenshots": False,
                **capture,
            },
            "evidence": {
                "tsa_url": self.tsa.url,
                "tsa_certificates": [str(self.tsa.ca_certificate)],
                "summary_pdf": summary_pdf,
            },
        }


@dataclass
class S3Lab:
    """moto's S3 server on a free loopback port: real HTTP, real S3 requests signed by boto3."""

    endpoint: str

    def evidence_settings(self, bucket: str, **more: Any) -> dict[str, Any]:
        """The ``evidence`` settings that select the S3 store on `bucket`."""
        return {
            "store": "s3",
            "s3_endpoint_url": self.endpoint,
            "s3_bucket": bucket,
            "s3_prefix": "evidence/",
            "s3_access_key_id": "lab-access-key",
            "s3_secret_access_key": "lab-secret-key",
            "s3_timeout": 5.0,
            **more,
        }

    def client(self) -> Any:
        """A plain client of the same server (what a person with the bucket's keys could do behind our back)."""
        from cases.evidence.config import EvidenceSettings
        from cases.evidence.stores import s3_client

        return s3_client(EvidenceSettings.model_validate(self.evidence_settings("any")))

    def new_bucket(self) -> str:
        name = f"evidence-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name


@pytest.fixture(scope="session")
def s3_lab() -> Iterator[S3Lab]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield S3Lab(f"http://{host}:{port}")
    finally:
        server.stop()


@dataclass
class StoreUnderTest:
    """An object store and the ways to change it behind its back (as an intruder or a failing disk would)."""

    kind: str
    store: Any
    #: put other bytes where the object named by the first argument is kept
    tamper: Callable[[str, bytes], None]
    #: remove the object named so, behind the store's back
    remove: Callable[[str], None]


def store_under_test(kind: str, store: Any, s3_lab: S3Lab | None = None) -> StoreUnderTest:
    """`store` (a directory or an S3 store) with its tamper and remove helpers."""
    if kind == "directory":

        def tamper(name: str, data: bytes) -> None:
            path = store.path(name)
            path.chmod(0o644)
            path.write_bytes(data)

        return StoreUnderTest(kind, store, tamper, lambda name: store.path(name).unlink())
    assert s3_lab is not None
    raw = s3_lab.client()
    return StoreUnderTest(
        kind,
        store,
        lambda name, data: raw.put_object(Bucket=store.bucket, Key=store.key(name), Body=data),
        lambda name: raw.delete_object(Bucket=store.bucket, Key=store.key(name)),
    )


STORE_KINDS = ("directory", "s3")


@pytest.fixture(params=STORE_KINDS)
def store_kind(request: pytest.FixtureRequest) -> str:
    """Each contract test runs on both object stores."""
    return str(request.param)


@pytest.fixture(scope="session")
def evidence_lab() -> Iterator[EvidenceLab]:
    sites = FixtureSites()
    with (
        sites.serve() as server,
        DnsServer([_zone(h) for h in HOSTS]) as dns,
        LabTsa("piratewatch lab TSA") as tsa,
        LabTsa("another lab TSA") as other,
    ):
        yield EvidenceLab(sites, server, dns, tsa, other)


@pytest.fixture
def services(evidence_lab: EvidenceLab, engine: Engine, db_url: str, tmp_path: Path) -> Iterator[Services]:
    settings = get_settings(**evidence_lab.settings_values(tmp_path / "data", db_url))
    with Services.from_settings(settings, engine=engine) as svc:
        yield svc


def store_settings(
    evidence_lab: EvidenceLab, store_kind: str, request: pytest.FixtureRequest, tmp_path: Path, db_url: str
) -> dict[str, Any]:
    """The lab's settings values with the object store of `store_kind` (for S3: a fresh bucket on the lab's server)."""
    values = evidence_lab.settings_values(tmp_path / "data", db_url)
    if store_kind == "s3":
        lab: S3Lab = request.getfixturevalue("s3_lab")
        values["evidence"].update(lab.evidence_settings(lab.new_bucket()))
    return values


@pytest.fixture
def any_store_services(
    evidence_lab: EvidenceLab,
    store_kind: str,
    request: pytest.FixtureRequest,
    engine: Engine,
    db_url: str,
    tmp_path: Path,
) -> Iterator[tuple[Services, StoreUnderTest]]:
    """Use cases on each object store in turn, chosen by the settings as a deployment would, and the
    store with its tamper helpers."""
    settings = get_settings(**store_settings(evidence_lab, store_kind, request, tmp_path, db_url))
    with Services.from_settings(settings, engine=engine) as svc:
        lab = request.getfixturevalue("s3_lab") if store_kind == "s3" else None
        yield svc, store_under_test(store_kind, svc.evidence_store, lab)
