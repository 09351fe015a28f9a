"""How long reading hostile RDAP answers takes: ``python -m benchmarks.resolver.parse``.

- an answer with 10,000 and 100,000 abuse entities (the same contact): linear dedupe, and at most
  ``MAX_ENTITIES`` read (the rest a recorded problem); before, removing duplicates was quadratic
  (over 90 s on the event loop for 100,000);
- every captured real answer (``../shared/testdata/rdap``), parsed many times: answers a second.
"""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path

from resolver.errors import RdapFormatError
from resolver.rdap_parse import parse_domain, parse_network

TESTDATA = Path(__file__).resolve().parents[2].parent / "shared" / "testdata" / "rdap"


def _many_entities(count: int) -> dict[str, object]:
    entity = {
        "roles": ["abuse"],
        "vcardArray": ["vcard", [["email", {}, "text", "abuse@example.net"], ["tel", {}, "uri", "tel:+1.5550100"]]],
    }
    others = [{"roles": ["abuse"], "vcardArray": ["vcard", [["email", {}, "text", f"a{i}@x.net"]]]} for i in range(100)]
    # the distinct ones first: a cap keeps the first entities
    return {
        "objectClassName": "ip network",
        "startAddress": "192.0.2.0",
        "endAddress": "192.0.2.255",
        "entities": others + [entity] * count,
    }


def main() -> None:
    for count in (10_000, 100_000):
        answer = _many_entities(count)
        start = time.perf_counter()
        facts = parse_network(answer)
        took = time.perf_counter() - start
        print(f"{count:>7,} abuse entities: {took:.3f} s, {len(facts.abuse_emails)} distinct e-mails")
    if not TESTDATA.exists():
        print(f"real answers: skipped, {TESTDATA} not found")
        return
    answers = [json.loads(p.read_text()) for p in sorted((TESTDATA / "domain").glob("*.json"))]
    answers += [
        e["response"] for e in json.loads((TESTDATA / "ip" / "ipwhois-rdap-responses.json").read_text()).values()
    ]
    rounds = 200
    start = time.perf_counter()
    for _ in range(rounds):
        for answer in answers:
            for parse in (parse_domain, parse_network):
                with contextlib.suppress(RdapFormatError):
                    parse(answer)
    took = time.perf_counter() - start
    print(
        f"real answers: {len(answers) * rounds:,} parsed in {took:.2f} s ({len(answers) * rounds / took:,.0f} a second)"
    )


if __name__ == "__main__":
    main()
