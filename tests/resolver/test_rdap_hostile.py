"""Hostile RDAP answers: every wrong member is a failure naming the server and the field, never a crash."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from resolver import Resolver
from resolver.errors import RdapFormatError
from resolver.rdap_notices import quota_warning
from resolver.rdap_parse import parse_domain, parse_network
from tests.resolver.hostile_lab import hostile_lab


@pytest.fixture
def google(shared_testdata: Path) -> dict[str, Any]:
    return json.loads((shared_testdata / "rdap" / "domain" / "google.com.json").read_text())  # type: ignore[no-any-return]


@pytest.fixture
def arin(shared_testdata: Path) -> dict[str, Any]:
    answers = json.loads((shared_testdata / "rdap" / "ip" / "ipwhois-rdap-responses.json").read_text())
    return answers["74.125.225.229"]["response"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("roles", [None, 7, {"a": 1}])
def test_roles_of_the_wrong_type_are_a_problem_naming_the_entity(google: dict[str, Any], roles: Any) -> None:
    google["entities"][0]["roles"] = roles
    facts = parse_domain(google)
    assert any(p.startswith("entities[0].roles: ") for p in facts.problems), facts.problems
    assert facts.statuses  # the rest of the answer is still read


@pytest.mark.parametrize(
    ("status", "statuses", "problem"),
    [
        (None, [], "status: null, expected an array of strings"),
        (3, [], "status: a number, expected an array of strings"),
        ("active", ["active"], "status: a string, expected an array of strings"),
        (["active", 5, "active"], ["active"], "status[1]: a number, expected a string"),
    ],
)
def test_status_of_the_wrong_type(google: dict[str, Any], status: Any, statuses: list[str], problem: str) -> None:
    google["status"] = status
    facts = parse_domain(google)
    assert facts.statuses == statuses  # "active" is one status, not six letters
    assert problem in facts.problems


def test_a_notice_whose_description_is_a_number(google: dict[str, Any]) -> None:
    google["notices"] = [{"title": "Rate limit exceeded", "description": 42}, {"description": None}, 7]
    assert quota_warning(google) == "Rate limit exceeded"
    google["notices"] = [{"title": 5, "description": [1, None, {"x": 1}]}]
    assert quota_warning(google) is None


def test_a_standing_terms_notice_is_no_quota_warning(arin: dict[str, Any]) -> None:
    arin["notices"] = [
        *arin["notices"],
        {
            "title": "Terms of Use",
            "description": ["Access to this service is rate limited. Do not exceed 10 queries a second."],
        },
        {"title": "Service", "description": ["Queries to this service are rate limited."]},
    ]
    assert quota_warning(arin) is None
    arin["notices"].append({"title": "Notice", "description": ["You have exceeded your query quota for today."]})
    assert quota_warning(arin) == "Notice You have exceeded your query quota for today."


def test_a_related_link_no_client_can_use_is_a_problem(google: dict[str, Any]) -> None:
    google["links"] = [{"rel": "related", "type": "application/rdap+json", "href": "http://[::1"}]
    facts = parse_domain(google)
    assert facts.related == []
    assert any(p.startswith("links[0].href: not a usable URL") for p in facts.problems)


def test_lone_surrogates_are_dropped_from_names(google: dict[str, Any]) -> None:
    registrar = next(e for e in google["entities"] if "registrar" in e["roles"])
    for prop in registrar["vcardArray"][1]:
        if prop[0] == "fn":
            prop[3] = "Mark\ud800Monitor\u202e Inc.\x00"
    facts = parse_domain(google)
    assert facts.registrar == "MarkMonitor Inc."
    facts.registrar.encode("utf-8")  # writable


def test_error_objects_and_search_results_served_as_answers(shared_testdata: Path, google: dict[str, Any]) -> None:
    error = json.loads((shared_testdata / "rdap" / "entity" / "APR41-RIPE.json").read_text())  # a real one
    with pytest.raises(RdapFormatError, match="an RDAP error object"):
        parse_domain(error)
    with pytest.raises(RdapFormatError, match="a search result"):
        parse_domain({"rdapConformance": ["rdap_level_0"], "domainSearchResults": [google]})
    with pytest.raises(RdapFormatError, match="expected a domain object"):
        parse_domain({"objectClassName": "entity", "handle": "X"})


def test_deep_nesting_is_refused_without_recursion(google: dict[str, Any]) -> None:
    deep: Any = "bottom"
    for _ in range(5000):
        deep = {"x": deep}
    google["remarks"] = [deep]
    with pytest.raises(RdapFormatError, match="nested deeper than 64"):
        parse_domain(google)


def test_a_phone_split_over_several_values_is_joined(google: dict[str, Any]) -> None:
    google = copy.deepcopy(google)
    google["entities"] = [
        {
            "objectClassName": "entity",
            "roles": ["abuse"],
            "vcardArray": [
                "vcard",
                [["version", {}, "text", "4.0"], ["tel", {"type": "voice"}, "text", "+7", "495", "1234567"]],
            ],
        }
    ]
    assert parse_domain(google).abuse_phones == ["+7 495 1234567"]


def test_duplicate_abuse_contacts_are_removed_and_entities_are_capped() -> None:
    entity = {
        "roles": ["abuse"],
        "vcardArray": ["vcard", [["email", {}, "text", "abuse@example.net"], ["tel", {}, "uri", "tel:+1.5550100"]]],
    }
    other = {**entity, "vcardArray": ["vcard", [["email", {}, "text", "other@x.net"]]]}
    answer: dict[str, Any] = {"objectClassName": "ip network", "startAddress": "192.0.2.0", "endAddress": "192.0.2.255"}
    answer["entities"] = [entity, other] + [entity] * 998
    facts = parse_network(answer)
    assert facts.abuse_emails == ["abuse@example.net", "other@x.net"]
    assert facts.abuse_phones == ["+1.5550100"]
    assert facts.problems == []
    answer["entities"] = [entity] * 100_000 + [other]  # past MAX_ENTITIES: a problem, not a stall
    facts = parse_network(answer)
    assert facts.abuse_emails == ["abuse@example.net"]
    assert facts.problems == ["entities: 100,001 items; only the first 1,000 were read"]


def test_every_cidr_of_a_network_is_kept(arin: dict[str, Any]) -> None:
    arin["cidr0_cidrs"] = [
        {"v4prefix": "203.0.113.0", "length": 26},
        {"v4prefix": "203.0.113.128", "length": 25},
        {"v4prefix": "203.0.113.64", "length": "26"},  # a string length: a problem, not a crash
    ]
    facts = parse_network(arin)
    assert facts.cidrs == ["203.0.113.0/26", "203.0.113.128/25"]
    assert any(p.startswith("cidr0_cidrs[2]: ") for p in facts.problems)


async def test_one_hostile_answer_costs_only_its_own_site(google: dict[str, Any], tmp_path: Path) -> None:
    names = [f"site{i}.com" for i in range(30)]
    with hostile_lab(names, tmp_path) as lab:
        for i, name in enumerate(names):
            answer = copy.deepcopy(google)
            if i % 3 == 0:
                answer["entities"][0]["roles"] = None
                answer["status"] = "active"
            lab.rdap.domains[name] = answer
        lab.rdap.domains["site7.com"] = b"[" * 100_000 + b"]" * 100_000
        lab.rdap.domains["site8.com"] = {"errorCode": 404, "title": "Not Found"}
        async with Resolver(lab.settings()) as r:
            profiles = await r.resolve_many([*names, "http://", "bad name.com"], concurrency=10)
    by_name = {p.domain: p for p in profiles}
    assert len(profiles) == 32
    read = [n for n in names if by_name[n].registration is not None]
    assert sorted(set(names) - set(read)) == ["site7.com", "site8.com"]
    site0 = by_name["site0.com"]
    assert site0.registration is not None and site0.registration.statuses == ["active"]
    assert any("entities[0].roles: null" in f.message and f.message.startswith("http://") for f in site0.failures)
    assert any("nested too deep" in f.message for f in by_name["site7.com"].failures)
    assert any("an RDAP error object (errorCode 404" in f.message for f in by_name["site8.com"].failures)
    refused = [p for p in profiles if any(f.stage == "input" for f in p.failures)]
    assert len(refused) == 2
    for profile in profiles:
        profile.model_dump_json().encode("utf-8")
