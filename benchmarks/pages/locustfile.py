"""Locust users for the pages benchmark: API readers and UI readers asking varied pages of a large store.

Run by ``benchmarks/pages/run.py`` (not by hand), which passes the keys and the store's size in the
environment. Each request picks its page at random (a site, a notice, a queue filter, a notice state),
so no two clients walk the same rows and the database's caches see a spread of pages. Requests are
grouped by page kind (``name=``), which is what the percentiles are per.
"""

from __future__ import annotations

import os
import random
import re

from locust import FastHttpUser, task

API_KEY = os.environ.get("PAGES_API_KEY", "")
SITES = int(os.environ.get("PAGES_SITES", "1"))
NOTICES = int(os.environ.get("PAGES_NOTICES", "1"))
ASSOCIATIONS = int(os.environ.get("PAGES_ASSOCIATIONS", "3"))
KINDS = ["", "host", "cdn", "registrar", "search_engine"]
STATES = ["", "in_review", "approved", "sent"]
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _check(response: object, status: int = 200) -> None:
    code = getattr(response, "status_code", 0)
    if code != status:
        response.failure(f"HTTP {code}")  # type: ignore[attr-defined]


class ApiReader(FastHttpUser):
    """An integration reading through ``/api/v1`` with an operator's key, no pause between requests."""

    def _get(self, path: str, name: str) -> None:
        with self.client.get(path, headers={"X-API-Key": API_KEY}, name=name, catch_response=True) as r:
            _check(r)

    @task(3)
    def site(self) -> None:
        self._get(f"/api/v1/sites/{random.randint(1, SITES)}", "API GET /sites/{id}")

    @task(2)
    def sites(self) -> None:
        self._get(f"/api/v1/sites?limit=50&q=pirate-{random.randint(1, 999)}", "API GET /sites?q=")

    @task(2)
    def queue(self) -> None:
        kind = random.choice(KINDS)
        self._get(f"/api/v1/queue?limit=50{'&recipient_kind=' + kind if kind else ''}", "API GET /queue")

    @task(3)
    def notice(self) -> None:
        self._get(f"/api/v1/notices/{random.randint(1, NOTICES)}", "API GET /notices/{id}")

    @task(1)
    def providers(self) -> None:
        self._get("/api/v1/providers", "API GET /providers")


class UiReader(FastHttpUser):
    """An operator in a browser: signs in with the key once, then reads the UI's pages."""

    def on_start(self) -> None:
        form = self.client.get("/ui/sign-in", name="UI sign-in form")
        match = _CSRF.search(form.text or "")
        token = match.group(1) if match else ""
        self.client.post(
            "/ui/sign-in",
            data={"api_key": API_KEY, "csrf_token": token, "next": "/ui/queue"},
            name="UI sign-in",
            allow_redirects=False,
        )

    def _get(self, path: str, name: str) -> None:
        with self.client.get(path, name=name, catch_response=True, allow_redirects=False) as r:
            _check(r)

    @task(3)
    def queue(self) -> None:
        params = [
            f"recipient_kind={random.choice(KINDS)}",
            f"association_id={random.choice(['', str(random.randint(1, ASSOCIATIONS))])}",
            f"due_within_hours={random.choice(['', '12', '48'])}",
        ]
        self._get("/ui/queue?" + "&".join(params), "UI /queue")

    @task(3)
    def notices(self) -> None:
        self._get(f"/ui/notices?state={random.choice(STATES)}", "UI /notices")

    @task(3)
    def site(self) -> None:
        self._get(f"/ui/sites/{random.randint(1, SITES)}", "UI /sites/{id}")

    @task(1)
    def providers(self) -> None:
        self._get("/ui/providers", "UI /providers")
