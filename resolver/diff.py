"""What changed between two resolutions of a site: the operators' timeline of moves."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from resolver.models import SiteProfile

ChangeKind = Literal[
    "new_ip",
    "ip_gone",
    "new_host",
    "new_cdn",
    "cdn_gone",
    "new_registrar",
    "nameservers_changed",
    "redirects_to_domain",
]


class InfraChange(BaseModel):
    """One change of infrastructure, with the old and new values."""

    kind: ChangeKind
    old: str | None = None
    new: str | None = None


def _hosts(profile: SiteProfile) -> set[str]:
    return {f"AS{h.asns[0]} {h.as_name or h.organisation or ''}".strip() for h in profile.hosting if h.asns}


def diff_profiles(old: SiteProfile | None, new: SiteProfile) -> list[InfraChange]:
    """The changes from `old` to `new` (everything is new when there is no `old`)."""
    changes: list[InfraChange] = []
    old_ips = set(old.dns.addresses) if old else set()
    new_ips = set(new.dns.addresses)
    changes += [InfraChange(kind="new_ip", new=ip) for ip in sorted(new_ips - old_ips)]
    changes += [InfraChange(kind="ip_gone", old=ip) for ip in sorted(old_ips - new_ips)]
    old_hosts = _hosts(old) if old else set()
    changes += [InfraChange(kind="new_host", new=h) for h in sorted(_hosts(new) - old_hosts)]
    old_cdn = old.cdn.provider if old and old.cdn else None
    new_cdn = new.cdn.provider if new.cdn else None
    if new_cdn and new_cdn != old_cdn:
        changes.append(InfraChange(kind="new_cdn", old=old_cdn, new=new_cdn))
    elif old_cdn and not new_cdn:
        changes.append(InfraChange(kind="cdn_gone", old=old_cdn))
    old_registrar = old.registration.registrar if old and old.registration else None
    new_registrar = new.registration.registrar if new.registration else None
    if new_registrar and new_registrar != old_registrar:
        changes.append(InfraChange(kind="new_registrar", old=old_registrar, new=new_registrar))
    old_ns = sorted(r.value for r in old.dns.ns) if old else []
    new_ns = sorted(r.value for r in new.dns.ns)
    if old is not None and new_ns and new_ns != old_ns:
        changes.append(InfraChange(kind="nameservers_changed", old=" ".join(old_ns), new=" ".join(new_ns)))
    return changes
