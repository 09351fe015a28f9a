"""The demo, end to end and offline: its lab world answers DNS, Cymru, RDAP, WHOIS and HTTPS on loopback."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from cases.db import make_engine, sqlite_url_for


def test_demo_resolves_its_sites_against_the_lab(tmp_path: Path) -> None:
    data_dir = tmp_path / "demo"
    done = subprocess.run(
        [sys.executable, "-m", "piratewatch", "demo", "--no-serve", "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Sakura Lab Hosting K.K. (AS64501, JP); registrar Namelab Registrar Inc." in out
    assert "behind Cloudflare; registrar Offshore Names Ltd." in out
    assert "origin behind the CDN: 127.0.31.1" in out
    assert "registrar Mat Bao Lab Registrar" in out  # WHOIS: the registry has no RDAP record
    assert "redirects to domain: truyentranh-moi.test" in out
    assert "sibling domain: manga-raw2.test" in out
    assert "Invalid HTTP request" not in done.stderr + out
    # crawled for real: the fixture sites' pages that show a submitted work become evidence
    assert re.search(r"rawkuma\.test\s+crawled: [1-9]\d* work pages found", out)
    assert "redirects to domain: new-manga.test" in out
    # estimated: the rank list for every listed site, the traffic API where it knows the site
    assert re.search(r"truyenvn\.test\s+[\d,]+\s+\([\d,]+ - [\d,]+; traffic-api, rank:tranco\)", out)
    assert re.search(r"new-manga\.test\s+[\d,]+\s+\([\d,]+ - [\d,]+; rank:tranco\)", out)
    assert re.search(r"Traffic history.*\n\s+\d+ monthly estimates for 15 months", out)

    engine = make_engine(sqlite_url_for(data_dir))
    with engine.connect() as conn:
        snapshots = conn.execute(
            sa.text("SELECT d.fqdn, s.profile FROM resolution_snapshot s JOIN domain d ON d.id = s.domain_id")
        ).all()
        estimates = conn.execute(sa.text("SELECT count(DISTINCT site_id) FROM traffic_estimate")).scalar_one()
        hop = conn.execute(
            sa.text(
                "SELECT a.site_id = b.site_id FROM domain a JOIN domain b ON a.redirects_to_id = b.id "
                "WHERE a.fqdn = 'truyen-tranh.test'"
            )
        ).scalar_one()
    engine.dispose()
    profiles = {fqdn: json.loads(p) if isinstance(p, str) else p for fqdn, p in snapshots}
    assert {"manga-raw.test", "truyen-tranh.test", "anime-stream.test"} <= set(profiles)
    contacts = {(c["party"], c["value"]) for c in profiles["manga-raw.test"]["abuse_contacts"]}
    assert ("host", "abuse@sakura-lab.test") in contacts
    assert ("registrar", "abuse@namelab.test") in contacts  # from the registrar's own RDAP (related link)
    assert hop  # the new domain joined the same site
    assert estimates == 7  # every site on the lab's panel or rank lists
    # takedown: notices drafted from the resolution, the approved ones sent to the lab's SMTP sink once each
    assert re.search(r"jp_provider_liability\s+to Sakura Lab Hosting K\.K\.\s+sent", out)  # a Japanese host
    assert "dropped before sending: https://truyen-tranh.test/" in out  # the domain hopped: the page is gone
    with engine.connect() as conn:
        sent_by_mail = set(
            conn.execute(
                sa.text(
                    "SELECT n.idempotency_key FROM notice n JOIN delivery_attempt a ON a.notice_id = n.id "
                    "WHERE n.state = 'sent' AND a.channel = 'smtp'"
                )
            ).scalars()
        )
        waiting = conn.execute(sa.text("SELECT count(*) FROM notice WHERE state = 'in_review'")).scalar_one()
    mails = sorted((data_dir / "lab" / "mail").glob("*.eml"))
    keys = [re.search(rb"X-Piratewatch-Idempotency-Key: (\w+)", m.read_bytes()) for m in mails]
    assert sent_by_mail and sorted(k.group(1).decode() for k in keys if k) == sorted(sent_by_mail)
    assert waiting >= 1  # the other association's notices wait in the queue
    # the monthly report of the lab, from the demo store, and /metrics announced
    assert re.search(r"Monthly report.* for \d{4}-\d{2} \(visits, not users\)", out)
    report = (data_dir / "report" / "report.html").read_text()
    assert "truyenvn.test" in report and report.count('src="data:image/svg+xml;base64,') == 7
    # three years of history: the same month in four years, every one with figures, and both halves of the hop
    years = (data_dir / "report" / "years.csv").read_text().splitlines()
    assert len(years) == 5 and all(line.split(",")[1] for line in years[1:])
    assert "partial month" not in report  # the demo reports last month, which has ended
    # printed to PDF too, by the Chromium the browser tests use (./run test installs it)
    assert (data_dir / "report" / "report.pdf").read_bytes().startswith(b"%PDF-")
    assert "/metrics" in out
    # the environment file the CLI loads to reach the demo's world, and the truth about the stopped lab
    env_file = data_dir / "demo.env"
    assert f"source {env_file}" in out and "the lab has stopped" in out
    assert f"export PIRATEWATCH_DATA_DIR={data_dir}\n" in env_file.read_text("utf-8")
