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
from hypothesis import strategies as st
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


# Hostile values, as an attacker or a broken client sends them: NUL and other controls, a lone
# surrogate's neighbours (bidi overrides), full-width and mixed-script text, and null.
_HOSTILE_SUFFIXES = ["\x00", "\x1b[31m", "\x7f", "\u202e", "\r\nBcc: victim@example.org", "\u0085"]


def _hostile_strings(value: str) -> st.SearchStrategy[Any]:
    full_width = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in value)
    return st.sampled_from(
        [
            value,
            full_width,
            value + "пример例",
            None,
            *[value + s for s in _HOSTILE_SUFFIXES],
            *[s + value for s in _HOSTILE_SUFFIXES],
        ]
    )


def _hostile(value: Any) -> st.SearchStrategy[Any]:
    """A strategy for `value` with each string replaced by a hostile variant and each field possibly null."""
    if isinstance(value, str):
        return _hostile_strings(value)
    if isinstance(value, dict):
        return st.fixed_dictionaries({k: _hostile(v) for k, v in value.items()})
    if isinstance(value, list):
        return st.tuples(*(_hostile(v) for v in value)).map(list) if value else st.just(value)
    return st.just(value)


def test_hostile_text_and_nulls_in_every_field_never_answer_500(api_schema: Any, tenants: Any) -> None:
    """Every operation again, its strings made hostile and its fields set to null: a 4xx that the schema
    documents (or a success), never a 500."""
    api_schema.hook("flatmap_body")(lambda ctx, body: _hostile(body))
    api_schema.hook("flatmap_query")(lambda ctx, query: _hostile(query) if query else st.just(query))
    operations = [result.ok() for result in api_schema.get_all_operations()]
    for operation in operations:

        @given(operation.as_strategy())
        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        def call(case: Any) -> None:
            response = case.call(headers={"X-API-Key": tenants.operator})
            assert response.status_code < 500, f"{response.status_code}: {response.text[:500]}"
            case.validate_response(response, excluded_checks=[checks.positive_data_acceptance])

        try:
            call()
        except Exception as exc:
            raise AssertionError(f"{operation.label}: {exc}") from exc
