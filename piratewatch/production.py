"""What production refuses to start with, each with the reason (``PIRATEWATCH_ENVIRONMENT=production``).

A development default that is harmless on a laptop is a hole on a server: a guessable secret signs
anyone's UI session, and an SSRF allow-list as wide as the lab's lets a submitted URL reach the
cloud's metadata service or the database. These checks run when the settings are built, so every
entry point (the app, the workers, the CLI) refuses the same things.
"""

from __future__ import annotations

import ipaddress
import math
from collections import Counter

# Values that mean "nobody set a secret".
PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "development-only-secret"}
MIN_SECRET_LENGTH = 32
#: bits of entropy a secret must carry at least, estimated from its own character frequencies
#: (``secrets.token_urlsafe(32)`` carries about 190; 32 times "a" carries none)
MIN_SECRET_BITS = 128
#: the widest private network production may allow the SSRF guard to reach
MAX_PREFIX = {4: 16, 6: 48}
_HOW = "e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`"


def secret_problems(secret: str) -> list[str]:
    """Why `secret` may not sign sessions in production (empty: it may)."""
    if secret in PLACEHOLDER_SECRETS:
        return [f"PIRATEWATCH_SECRET_KEY is unset or a placeholder: set a random value ({_HOW})"]
    if len(secret) < MIN_SECRET_LENGTH:
        return [
            f"PIRATEWATCH_SECRET_KEY has {len(secret)} characters; at least {MIN_SECRET_LENGTH} random ones ({_HOW})"
        ]
    period = next((n for n in range(1, len(secret) // 2 + 1) if secret == (secret[:n] * len(secret))[: len(secret)]), 0)
    if period:
        return [f"PIRATEWATCH_SECRET_KEY looks like no random value (it repeats every {period} characters): {_HOW}"]
    counts = Counter(secret)
    per_char = -sum(n / len(secret) * math.log2(n / len(secret)) for n in counts.values())
    bits = per_char * len(secret)
    if bits < MIN_SECRET_BITS:
        return [
            f"PIRATEWATCH_SECRET_KEY looks like no random value (about {bits:.0f} bits of entropy, "
            f"at least {MIN_SECRET_BITS} needed): {_HOW}"
        ]
    return []


def allow_network_problems(networks: list[str]) -> list[str]:
    """Why each of the SSRF guard's allowed networks may not be allowed in production (empty: all may)."""
    problems = []
    for text in networks:
        name = f"PIRATEWATCH_RESOLVER__ALLOW_NETWORKS entry {text!r}"
        try:
            network = ipaddress.ip_network(text, strict=False)
        except ValueError:
            problems.append(f"{name} is not a network (e.g. 10.20.0.0/24)")
            continue
        if network.prefixlen < MAX_PREFIX[network.version]:
            problems.append(
                f"{name} is wider than /{MAX_PREFIX[network.version]}: production may allow a few private "
                "hosts, never a whole address space"
            )
        elif network.is_loopback or network.is_link_local or network.is_unspecified:
            problems.append(
                f"{name} is loopback, link-local (cloud metadata services live there) or unspecified: "
                "production never lets submitted URLs reach it"
            )
        elif not network.is_private:
            problems.append(
                f"{name} holds public addresses, which the guard reaches anyway: allow private networks only"
            )
    return problems
