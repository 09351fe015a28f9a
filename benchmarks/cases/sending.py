"""Sending approved notices the default way: each notice's URLs re-checked first, e-mail over STARTTLS.

The store (PostgreSQL) holds one notice per site over SENDS x REPEATS x 2 sites, each notice drafted
by the services (a real DMCA text with its sender block and URL_COUNT URLs), to 20 hosting providers
with abuse addresses. The URLs name hosts ``pirate-N.test``; the re-check's transport takes each
request to one nginx on loopback over TLS (the host kept in the Host header and in SNI), which serves
chapter pages of about 100 KiB showing the work's title, so every URL passes the check as a live
pirate page would. The SMTP sink (``lab/smtp_sink.py``) runs in its own process, requires STARTTLS
before MAIL FROM (certificate from ``lab/tls.py``, verified by the client through ``SSL_CERT_FILE``),
and writes every message it receives.

Two variants on the same kind of notices, alternated A/B/A/B: the re-check on (what ``notices send``
and the workers do) and off (``send_approved(..., recheck=None)``). CPU per notice is the benchmark
process (sender and re-check) plus nginx's and the sink's processes; PostgreSQL's backends are not
counted. Run: ``python -m benchmarks.cases.sending`` (SENDS=200 notices a run, REPEATS=3,
URL_COUNT=10); ``python -m benchmarks cases`` runs it after the queue and claim figures.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from benchmarks.common import Sample, alternate, own_cpu, session, settings_line, spread, summary
from benchmarks.fixtures import SENDER, start_nginx
from benchmarks.intake.run import fresh_postgres
from cases.audit.services import Actor
from cases.db import make_engine, session_factory, transaction
from cases.intake.schemas import SiteIn
from cases.intake.services import submit_sites
from cases.migrations import upgrade
from cases.providers.services import add_provider
from cases.takedown.config import NoticeSettings
from cases.takedown.delivery.channels import SmtpChannel
from cases.takedown.delivery.sending import send_approved
from cases.takedown.models import LegalBasis, NoticeState
from cases.takedown.recheck import Recheck
from cases.takedown.review import approve
from cases.takedown.services import draft_notice, open_case, submit_for_review
from cases.tenants.services import create_association
from lab.http_util import free_port, wait_for_port
from lab.tls import write_self_signed

SENDS = int(os.environ.get("SENDS", "200"))
REPEATS = int(os.environ.get("REPEATS", "3"))
URL_COUNT = int(os.environ.get("URL_COUNT", "10"))
WORKS = 50
PROVIDERS = 20
ACTOR = Actor("bench:sender")
_WORDS = [
    "read",
    "raw",
    "manga",
    "online",
    "free",
    "chapter",
    "latest",
    "update",
    "scan",
    "translation",
    "volume",
    "episode",
]


def title(work: int) -> str:
    return f"Tsuki no Kishi {work}"


def write_pages(root: Path) -> int:
    """WORKS x URL_COUNT chapter pages of about 100 KiB (scripts, 200 links, text), each showing its work's title."""
    script = "var cfg={" + ",".join(f'"k{i}":"{"x" * 40}"' for i in range(120)) + "};"
    links = "".join(
        f'<li><a href="/w{i % WORKS}/c{i % URL_COUNT}.html">{_WORDS[i % 12]} {i}</a></li>' for i in range(200)
    )
    text = "".join("<p>" + " ".join(_WORDS[(i * 7 + j) % 12] for j in range(120)) + "</p>" for i in range(97))
    size = 0
    for work in range(WORKS):
        (root / f"w{work}").mkdir(parents=True, exist_ok=True)
        for chapter in range(URL_COUNT):
            page = (
                f"<!doctype html><html><head><meta charset=utf-8><title>{title(work)} - Chapter {chapter}</title>"
                f'<script src="/static/app.js"></script><script>{script}</script></head><body>'
                f"<h1>{title(work)} Chapter {chapter}</h1><nav><ul>{links}</ul></nav>{text}"
                f"<script>{script}</script></body></html>"
            )
            (root / f"w{work}" / f"c{chapter}.html").write_text(page)
            size = len(page)
    return size


class LoopbackTransport(httpx.AsyncBaseTransport):
    """Every request to the one local server: the URL's host stays in the Host header and in SNI.

    Stands in for DNS (the hosts are not real) and so leaves out the resolver's SSRF guard that
    production puts in front; certificates are not verified, as in production.
    """

    def __init__(self, port: int) -> None:
        self.port = port
        self._inner = httpx.AsyncHTTPTransport(verify=False)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        request.extensions = {**request.extensions, "sni_hostname": request.url.host}
        request.url = request.url.copy_with(host="127.0.0.1", port=self.port)
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


def seed(url: str, sites: int) -> tuple[sessionmaker[Session], list[int]]:
    """`sites` sites, each with URL_COUNT evidence URLs of one of WORKS works and one notice in review."""
    upgrade(url)
    factory = session_factory(make_engine(url))
    with transaction(factory) as db:
        association = create_association(db, "Bench", ACTOR).id or 0
        providers = [
            add_provider(db, ACTOR, f"Host {i} Ltd", "host", abuse_email=f"abuse@host{i}.example").id or 0
            for i in range(PROVIDERS)
        ]
    notices: list[int] = []
    for start in range(0, sites, 200):
        batch = [
            SiteIn.model_validate(
                {
                    "source_ref": f"site-{i}",
                    "domains": [f"pirate-{i}.test"],
                    "works": [{"ref": f"W{i % WORKS}", "titles": {"en": title(i % WORKS)}, "content_type": "manga"}],
                    "evidence": [
                        {"url": f"https://pirate-{i}.test/w{i % WORKS}/c{c}.html", "work_ref": f"W{i % WORKS}"}
                        for c in range(URL_COUNT)
                    ],
                }
            )
            for i in range(start, min(start + 200, sites))
        ]
        with transaction(factory) as db:
            results, _ = submit_sites(db, ACTOR, association, batch, via="api")
            for n, result in enumerate(results):
                assert result is not None
                case = open_case(db, ACTOR, result.site_id, providers[(start + n) % PROVIDERS])
                notice = draft_notice(db, ACTOR, case.id or 0, association, LegalBasis.DMCA, dict(SENDER))
                submit_for_review(db, ACTOR, notice.id or 0)
                notices.append(notice.id or 0)
    return factory, notices


def start_sink(port: int, maildir: Path, key: Path, cert: Path) -> subprocess.Popen[bytes]:
    code = (
        "import ssl, sys, time; from pathlib import Path; from lab.smtp_sink import SmtpSink; "
        "ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH); ctx.load_cert_chain(sys.argv[4], sys.argv[3]); "
        "SmtpSink(port=int(sys.argv[1]), maildir=Path(sys.argv[2]), tls_context=ctx).start(); time.sleep(3600)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(port), str(maildir), str(key), str(cert)])
    wait_for_port(port, alive=lambda: proc.poll() is None)
    return proc


def tree_cpu(proc: subprocess.Popen[bytes]) -> float:
    """CPU seconds (user + system) of a running process and its children."""
    parent = psutil.Process(proc.pid)
    total = 0.0
    for p in [parent, *parent.children(recursive=True)]:
        try:
            times = p.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def main() -> None:
    with session("sending"):
        _main()


def _main() -> None:
    policy = Recheck.from_settings(NoticeSettings())
    smtp = NoticeSettings()
    print(
        settings_line(
            {
                "re-check transport": (
                    "the resolver's SSRF guard, DNS per host",
                    "every host to one nginx on loopback (TLS, not verified as in production)",
                ),
                "SMTP": (
                    "the configured relay (STARTTLS as it offers)",
                    "lab sink on loopback, STARTTLS required, no AUTH",
                ),
            }
        )
    )
    print(
        f"  re-check as in production: {policy.concurrency} URLs at a time, timeout {policy.timeout} s, "
        f"pages read to {policy.max_bytes:,} bytes; SMTP {smtp.smtp_connections} connections"
    )
    sites = SENDS * REPEATS * 2
    url = fresh_postgres(f"{os.environ.get('PIRATEWATCH_TEST_DB_PREFIX', 'pw')}_sending_bench")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        page_size = write_pages(work / "pages")
        started = time.perf_counter()
        factory, notices = seed(url, sites)
        print(
            f"  store: {sites:,} sites, one notice each ({URL_COUNT} URLs, {WORKS} works, {PROVIDERS} providers), "
            f"drafted in {time.perf_counter() - started:.1f} s; pages {page_size / 1024:.0f} KiB"
        )
        web_port, smtp_port = free_port(), free_port()
        nginx = start_nginx(work / "pages", work / "nginx", web_port, tls_names=["pirate.test", "*.test"])
        smtp_key, smtp_cert = write_self_signed(work / "smtp-tls", ["localhost"], issuer="localhost")
        os.environ["SSL_CERT_FILE"] = str(smtp_cert)  # the client verifies the sink's certificate
        sink = start_sink(smtp_port, work / "mail", smtp_key, smtp_cert)
        checked = dataclasses.replace(policy, transport_factory=lambda: LoopbackTransport(web_port))
        channel = SmtpChannel("localhost", smtp_port, "notices@piratewatch.invalid", connections=smtp.smtp_connections)
        queue = iter(notices)
        outcomes: dict[str, list[str]] = {}

        def run(label: str, recheck: Recheck | None) -> Sample:
            batch = [next(queue) for _ in range(SENDS)]
            with transaction(factory) as db:
                for notice_id in batch:
                    approve(db, ACTOR, notice_id)
            cpu = (own_cpu(), tree_cpu(nginx), tree_cpu(sink))
            start = time.perf_counter()
            done = asyncio.run(send_approved(factory, ACTOR, channel, limit=SENDS, recheck=recheck))
            elapsed = time.perf_counter() - start
            parts = {
                "benchmark process": own_cpu() - cpu[0],
                "nginx": tree_cpu(nginx) - cpu[1],
                "SMTP sink": tree_cpu(sink) - cpu[2],
            }
            sent = sum(1 for n in done if n.state == NoticeState.SENT)
            outcomes.setdefault(label, []).append(f"{sent}/{len(done)} sent")
            return Sample(units=sent, seconds=elapsed, cpu=sum(parts.values()), parts=parts)

        try:
            samples = alternate(
                {"re-check on (default)": lambda: run("on", checked), "re-check off": lambda: run("off", None)},
                REPEATS,
            )
        finally:
            sink.kill()
            nginx.terminate()
            nginx.wait(timeout=10)
        mails = sorted((work / "mail").glob("*.eml"))
        sizes = [m.stat().st_size for m in mails]
    if any(s.units == 0 for runs in samples.values() for s in runs):
        raise SystemExit(f"  a run sent nothing: on {outcomes.get('on')}, off {outcomes.get('off')}")
    for label, runs in samples.items():
        print(summary(f"{label}, {SENDS} notices a run", runs, "notice", ",.1f"))
    on = samples["re-check on (default)"]
    print(
        f"  re-check on: {spread([s.rate * URL_COUNT for s in on], ',.1f')} URLs/s re-checked (each a ~{page_size / 1024:.0f} "
        f"KiB page over TLS, its text searched for the work's title)"
    )
    ratio = statistics.median(s.rate for s in on) / statistics.median(s.rate for s in samples["re-check off"])
    print(f"  re-check on / off: {ratio:.1%} of the rate without it")
    print(f"  outcomes: on {', '.join(outcomes['on'])}; off {', '.join(outcomes['off'])}")
    print(
        f"  messages received over STARTTLS: {len(mails)} (of {SENDS * REPEATS * 2} approved), "
        f"{spread([float(s) for s in sizes])} bytes each (the sink answers 530 to MAIL FROM before STARTTLS)"
    )


if __name__ == "__main__":
    main()
