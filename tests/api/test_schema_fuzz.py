"""Schemathesis over the OpenAPI schema: generated requests never get a 500 or an answer the schema does not describe.

Every operation is called with data generated from the schema (valid and invalid), as an operator (who
may call everything) on a store holding a site, a provider and a notice, so that ids generated in paths
sometimes hit real objects. Checks: no server error, the status code, content type and body are the ones
the schema documents, invalid data is refused. Left out: "valid data is accepted", since JSON Schema cannot
say everything the API checks (a domain must sit under a public suffix, ids must exist, a notice must be in
a state that allows the move); those refusals are 4xx answers the schema documents.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks
from sqlalchemy.engine import Engine


@pytest.fixture
def api_schema(engine: Engine, tmp_path: Path, tenants: Any) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from piratewatch.config import get_settings
    from piratewatch.services import Services
    from piratewatch.web.app import create_app

    app = create_app(Services.from_settings(get_settings(data_dir=tmp_path, database_url=""), engine=engine))
    with TestClient(app) as client:
        site = client.post(
            "/api/v1/submissions",
            json={"sites": [{"domains": ["fuzz-site.com"], "evidence": [{"url": "https://fuzz-site.com/1"}]}]},
            headers={"X-API-Key": tenants.a},
        ).json()["results"][0]
        ops = {"X-API-Key": tenants.operator}
        provider = client.post("/api/v1/providers", json={"name": "Fuzz Host", "kind": "host"}, headers=ops).json()
        client.post(
            "/api/v1/notices",
            json={
                "site_id": site["site_id"],
                "provider_id": provider["id"],
                "association_id": tenants.a_id,
                "legal_basis": "dsa_art16",
                "sender": {"name": "A", "email": "a@a.example"},
            },
            headers=ops,
        )
        yield schemathesis.openapi.from_asgi("/openapi.json", app)


def test_no_server_error_and_no_schema_violation(api_schema: Any, tenants: Any) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 30  # the whole API, not an empty schema
    for operation in operations:

        @given(operation.as_strategy())
        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        def call(case: Any) -> None:
            case.call_and_validate(
                headers={"X-API-Key": tenants.operator}, excluded_checks=[checks.positive_data_acceptance]
            )

        try:
            call()
        except Exception as exc:
            raise AssertionError(f"{operation.label}: {exc}") from exc
