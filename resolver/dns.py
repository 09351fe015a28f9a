"""DNS lookups: every error becomes a recorded failure.

Questions go through c-ares (:mod:`resolver.dns_cares`) or dnspython, as ``dns_client`` says;
both give the same records and record the same failures. The dnspython path asks the configured recursive nameservers (or the system's), retries within a
lifetime, and falls back to TCP when a UDP answer is truncated. CNAME chains are followed one link
at a time so that loops and over-long chains are named as such.
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
from collections.abc import Callable
from typing import Any

import dns.asyncquery
import dns.asyncresolver
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.resolver

from resolver.config import ResolverSettings
from resolver.dns_cares import SUPPORTED, CaresExchange, DnsQuestionError
from resolver.models import DnsRecord, DnsResult, Failure

RecordFailure = Callable[[Failure], None]


def make_dns_resolver(settings: ResolverSettings) -> dns.asyncresolver.Resolver:
    """A dnspython resolver configured from the settings (no network activity here)."""
    if settings.nameservers:
        resolver = dns.asyncresolver.Resolver(configure=False)
        resolver.nameservers = list(settings.nameservers)
    else:
        resolver = dns.asyncresolver.Resolver()
    resolver.port = settings.dns_port
    resolver.timeout = settings.dns_timeout
    resolver.lifetime = settings.dns_lifetime
    return resolver


class DnsClient:
    """Queries that never raise: an answer, or an empty list and a recorded failure."""

    def __init__(self, settings: ResolverSettings) -> None:
        self.settings = settings
        self.resolver = make_dns_resolver(settings)
        self.queries = 0
        # Plain nameserver addresses (the usual case) are asked directly, see _exchange; other
        # kinds dnspython supports (DNS over HTTPS, ...) go through its resolver.
        self._direct = all(isinstance(ns, str) and _is_address(ns) for ns in self.resolver.nameservers)
        # c-ares asks plain addresses (or the system's resolv.conf servers) only.
        plain = all(_is_address(ns) for ns in settings.nameservers)
        self._cares = CaresExchange(settings) if settings.dns_client == "c-ares" and plain else None

    async def _exchange(self, name: str, rdtype: str) -> dns.message.Message:
        """One question, asked the way dnspython's resolver asks it, without its bookkeeping.

        dnspython's ``Resolver.resolve`` builds a resolution, an answer object and a nameserver
        object per question; for a site's seven questions that was a third of the DNS stage's
        CPU time (the resolver benchmark). Same policy here: UDP without EDNS, TCP when the answer
        is truncated, a nameserver answering SERVFAIL, REFUSED or garbage is dropped, timeouts are
        retried with backoff until the lifetime is spent, and the same exceptions are raised.
        """
        query = dns.message.make_query(name, rdtype)
        servers = list(self.resolver.nameservers)
        port, timeout, lifetime = self.resolver.port, self.resolver.timeout, self.resolver.lifetime
        errors: list[Any] = []
        start = time.monotonic()
        backoff = 0.0
        while servers:
            for server in list(servers):
                tcp = False
                while True:
                    remaining = lifetime - (time.monotonic() - start)
                    if remaining <= 0:
                        raise dns.resolver.LifetimeTimeout(timeout=time.monotonic() - start, errors=errors)  # type: ignore[no-untyped-call]
                    query.set_random_id()  # type: ignore[no-untyped-call]  # fresh id per attempt
                    try:
                        if tcp:
                            response = await dns.asyncquery.tcp(query, str(server), min(timeout, remaining), port)
                        else:
                            response = await dns.asyncquery.udp(
                                query, str(server), min(timeout, remaining), port, ignore_unexpected=True
                            )
                    except dns.exception.Timeout as exc:
                        errors.append((server, tcp, port, exc, None))
                        break  # this server stays in the list: the next round asks it again
                    except (OSError, EOFError, ValueError, dns.exception.DNSException) as exc:
                        errors.append((server, tcp, port, exc, None))
                        servers.remove(server)
                        break
                    if response.flags & dns.flags.TC and not tcp:
                        tcp = True  # truncated over UDP: ask the same server over TCP
                        continue
                    rcode = response.rcode()
                    if rcode == dns.rcode.NOERROR:
                        return response
                    if rcode == dns.rcode.NXDOMAIN:
                        raise dns.resolver.NXDOMAIN(qnames=[query.question[0].name], responses={})  # type: ignore[no-untyped-call]
                    if rcode == dns.rcode.YXDOMAIN:
                        raise dns.resolver.YXDOMAIN
                    errors.append((server, tcp, port, dns.rcode.to_text(rcode), response))
                    servers.remove(server)
                    break
            if servers:
                backoff = min(max(backoff * 2, 0.1), 2.0)
                await asyncio.sleep(min(backoff, max(0.0, lifetime - (time.monotonic() - start))))
        raise dns.resolver.NoNameservers(request=query, errors=errors)  # type: ignore[no-untyped-call]

    async def _answer_section(self, name: str, rdtype: str) -> list[Any] | None:
        """The answer section's RRsets, or None when the name has no record of that type."""
        if self._direct:
            return list((await self._exchange(name, rdtype)).answer)
        answer = await self.resolver.resolve(name, rdtype, raise_on_no_answer=False, search=False)
        return None if answer.rrset is None else list(answer.response.answer)

    async def query(self, name: str, rdtype: str, failures: list[Failure], stage: str = "dns") -> list[DnsRecord]:
        """Records of `rdtype` at `name` (not following CNAMEs for the CNAME type)."""
        self.queries += 1
        try:
            if self._cares is not None and rdtype in SUPPORTED:
                found = await self._cares.records(name, rdtype)
            else:
                found = await self._dnspython_records(name, rdtype)
        except DnsQuestionError as failure:
            failures.append(Failure(stage=stage, target=f"{name} {rdtype}", kind=failure.kind, message=failure.message))
            return []
        return [DnsRecord(type=rdtype, value=value, ttl=ttl) for ttl, value in found]

    async def _dnspython_records(self, name: str, rdtype: str) -> list[tuple[int, str]]:
        """``(ttl, text)`` of the `rdtype` records answering `name`, through dnspython."""
        try:
            section = await self._answer_section(name, rdtype)
        except dns.resolver.NXDOMAIN:
            raise DnsQuestionError("nxdomain", "no such domain") from None
        except dns.resolver.NoNameservers as exc:
            raise DnsQuestionError("servfail", str(exc)[:300]) from None
        except dns.exception.Timeout:
            raise DnsQuestionError("timeout", f"no answer within {self.settings.dns_lifetime} s") from None
        except dns.exception.DNSException as exc:
            raise DnsQuestionError("malformed", str(exc)[:300]) from None
        if not section:
            return []
        wanted = dns.rdatatype.from_text(rdtype)
        return [(rrset.ttl, _text(rdata, rdtype)) for rrset in section if rrset.rdtype == wanted for rdata in rrset]

    def close(self) -> None:
        """Let go of the c-ares channel (its sockets and thread); the client can be used again."""
        if self._cares is not None:
            self._cares.close()

    async def addresses(self, host: str) -> list[str]:
        """A and AAAA of `host` from the configured nameservers (for connecting to it; failures give none)."""
        records = [*await self.query(host, "A", []), *await self.query(host, "AAAA", [])]
        return [r.value for r in records]

    async def cname_chain(self, name: str, failures: list[Failure]) -> tuple[list[str], str]:
        """Follow CNAMEs from `name`; returns the chain and the final name."""
        chain: list[str] = []
        current = name
        seen = {name}
        for depth in range(self.settings.cname_max_depth):
            # The first question's failure is the name's failure (NXDOMAIN, SERVFAIL, timeout);
            # later links failing just end the chain.
            records = await self.query(current, "CNAME", failures if depth == 0 else [], stage="dns")
            if not records:
                return chain, current
            target = records[0].value
            chain.append(target)
            if target in seen:
                failures.append(
                    Failure(stage="dns", target=name, kind="cname_loop", message=" -> ".join([name, *chain]))
                )
                return chain, target
            seen.add(target)
            current = target
        failures.append(
            Failure(
                stage="dns",
                target=name,
                kind="cname_too_deep",
                message=f"more than {self.settings.cname_max_depth} CNAMEs",
            )
        )
        return chain, current

    async def lookup(self, name: str, failures: list[Failure]) -> DnsResult:
        """A, AAAA (through the CNAME chain), NS, MX, TXT (SPF parsed) and SOA of `name`."""
        result = DnsResult(name=name)
        before = len(failures)
        result.cname_chain, final = await self.cname_chain(name, failures)
        if any(f.kind in ("nxdomain", "servfail", "timeout") for f in failures[before:]):
            return result  # the name does not resolve: asking for its other records would only wait
        looping = any(f.kind in ("cname_loop", "cname_too_deep") and f.target == name for f in failures)
        if not looping:
            result.a = await self.query(final, "A", failures)
            result.aaaa = await self.query(final, "AAAA", [])  # an absent AAAA is normal
        result.ns = await self.query(name, "NS", [])
        result.mx = await self.query(name, "MX", [])
        result.txt = await self.query(name, "TXT", [])
        soa = await self.query(name, "SOA", [])
        result.soa = soa[0] if soa else None
        result.spf_ip4, result.spf_ip6 = parse_spf([r.value for r in result.txt])
        return result


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _text(rdata: object, rdtype: str) -> str:
    if rdtype == "TXT":
        return "".join(s.decode("utf-8", "replace") for s in rdata.strings)  # type: ignore[attr-defined]
    if rdtype in ("CNAME", "NS"):
        return str(rdata.target).rstrip(".").lower()  # type: ignore[attr-defined]
    if rdtype == "MX":
        return str(rdata.exchange).rstrip(".").lower()  # type: ignore[attr-defined]
    return str(rdata)


def parse_spf(txt_values: list[str]) -> tuple[list[str], list[str]]:
    """The ``ip4:`` and ``ip6:`` networks of the SPF record among `txt_values`."""
    ip4: list[str] = []
    ip6: list[str] = []
    for value in txt_values:
        if not value.lower().startswith("v=spf1"):
            continue
        for term in value.split()[1:]:
            mechanism = term.lstrip("+?~-").lower()
            for prefix, bucket in (("ip4:", ip4), ("ip6:", ip6)):
                if mechanism.startswith(prefix):
                    try:
                        bucket.append(str(ipaddress.ip_network(mechanism[len(prefix) :], strict=False)))
                    except ValueError:
                        continue
    return ip4, ip6


def reverse_name(ip: str, zone: str, zone6: str) -> str:
    """The Team Cymru query name of `ip`: reversed octets (or nibbles) under the zone."""
    address = ipaddress.ip_address(ip)
    if address.version == 4:
        return ".".join(reversed(ip.split("."))) + "." + zone
    nibbles = address.exploded.replace(":", "")
    return ".".join(reversed(nibbles)) + "." + zone6


def is_name(value: str) -> bool:
    try:
        dns.name.from_text(value)
    except dns.exception.DNSException:
        return False
    return True
