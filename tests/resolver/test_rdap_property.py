"""Property: mutated real RDAP answers never raise past the parser or the resolver; each fault is recorded.

The answers are the captured real ones (``../shared/testdata/rdap``); hypothesis mutates them (a
member replaced by null, a number, a bare string, a lone surrogate, an unusable URL, a deep nesting,
a member deleted) and feeds them to the parser directly and, served by the lab's RDAP server, to the
whole resolve path.
"""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resolver import Resolver
from resolver.errors import RdapFormatError
from resolver.rdap_notices import quota_warning
from resolver.rdap_parse import parse_domain, parse_network
from tests.resolver.hostile_lab import HostileLab, hostile_lab, real_answers

# the captured answers are large: hypothesis says so when it shows one
pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")

HOSTILE_VALUES = st.sampled_from(
    [
        None,
        0,
        -1,
        3.5,
        True,
        "",
        "active",
        "\ud800",
        "Reg\udfffistrar\u202e\x00",
        "http://[::1",
        "x" * 5000,
        [],
        {},
        [None],
        [[["vcard"]]],
        {"errorCode": 500},
    ]
)


def _paths(value: Any) -> Iterator[tuple[Any, ...]]:
    """Every member's path, shallow ones only (a mutation may have nested one deep already)."""
    stack: list[tuple[Any, tuple[Any, ...]]] = [(value, ())]
    while stack:
        node, path = stack.pop()
        yield path
        if len(path) > 40:
            continue
        if isinstance(node, dict):
            stack.extend((child, (*path, key)) for key, child in node.items())
        elif isinstance(node, list):
            stack.extend((child, (*path, i)) for i, child in enumerate(node))


def _set(root: Any, path: tuple[Any, ...], new: Any, delete: bool) -> Any:
    if not path:
        return new
    parent = root
    for step in path[:-1]:
        parent = parent[step]
    if delete and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = new
    return root


@st.composite
def mutated(draw: st.DrawFn, answers: dict[str, Any]) -> tuple[str, Any]:
    name = draw(st.sampled_from(sorted(answers)))
    answer = json.loads(json.dumps(answers[name]))
    for _ in range(draw(st.integers(1, 4))):
        paths = list(_paths(answer))
        path = paths[draw(st.integers(0, len(paths) - 1))]
        kind = draw(st.sampled_from(["replace", "delete", "deep", "wrap"]))
        if kind == "deep":
            new: Any = "bottom"
            for _ in range(draw(st.sampled_from([3, 70, 500]))):
                new = [new]
        elif kind == "wrap":
            new = {"value": copy.deepcopy(draw(HOSTILE_VALUES))}
        else:
            new = copy.deepcopy(draw(HOSTILE_VALUES))  # sampled values are shared objects: never mutate them
        answer = _set(answer, path, new, kind == "delete")
    return name, answer


@pytest.fixture(scope="module")
def answers(shared_testdata: Path) -> dict[str, Any]:
    return real_answers(shared_testdata)


def _parse_all(answer: Any) -> None:
    warning = quota_warning(answer)
    assert warning is None or isinstance(warning, str)
    for parse in (parse_domain, parse_network):
        try:
            facts = parse(answer)
        except RdapFormatError:
            continue
        for text in [*facts.problems, *(v for v in vars(facts).values() if isinstance(v, str))]:
            text.encode("utf-8")  # no lone surrogate survives


def test_the_parser_never_raises_on_mutated_real_answers(answers: dict[str, Any]) -> None:
    @settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(mutated(answers))
    def check(case: tuple[str, Any]) -> None:
        _parse_all(case[1])

    check()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileLab]:
    with hostile_lab(["fuzz.com"], tmp_path_factory.mktemp("fuzz")) as lab:
        yield lab


def test_the_resolve_path_records_every_fault_of_mutated_answers(answers: dict[str, Any], served: HostileLab) -> None:
    domains = {k: v for k, v in answers.items() if k.startswith("domain/")}
    networks = {k: v for k, v in answers.items() if k.startswith("ip/")}

    async def resolve() -> Any:
        async with Resolver(served.settings()) as r:
            return (await r.resolve_many(["fuzz.com"]))[0]

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(mutated(domains), mutated(networks), st.sampled_from(["whole", "cut", "deep"]))
    def check(domain: tuple[str, Any], network: tuple[str, Any], shape: str) -> None:
        raw = shape != "whole"  # the body cut short, or nested 100,000 deep: not readable JSON
        body = {
            "whole": json.dumps(domain[1]).encode(),
            "cut": json.dumps(domain[1]).encode()[:-1],
            "deep": b"[" * 100_000 + b"]" * 100_000,
        }[shape]
        served.rdap.domains["fuzz.com"] = body
        served.rdap.ips["198.51.100.10"] = json.dumps(network[1]).encode()  # escapes lone surrogates
        profile = asyncio.run(resolve())
        assert not [f for f in profile.failures if f.kind == "internal_error"], profile.failures
        if raw:
            said = "not JSON" if shape == "cut" else "nested too deep"
            assert any(f.stage == "rdap_domain" and said in f.message for f in profile.failures)
        try:
            facts = parse_domain(domain[1])
        except RdapFormatError:
            assert profile.registration is None or raw
        else:
            if not raw:
                recorded = {f.message.split(": ", 1)[1] for f in profile.failures if f.stage == "rdap_domain"}
                assert set(facts.problems) <= recorded  # every fault of the answer is on the profile
        profile.model_dump_json().encode("utf-8")

    check()
