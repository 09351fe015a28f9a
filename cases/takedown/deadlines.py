"""When an answer is due: a policy table of legal basis × recipient kind, and the escalation ladder.

The law rarely fixes a number of days ("expeditiously", "without undue delay"), so these are our
waiting periods before climbing the ladder, chosen from what recipients of each kind usually need.
A provider's own ``expected_response_days`` is used when the table has no entry.
"""

from __future__ import annotations

import datetime as dt

from cases.providers.models import ProviderKind
from cases.takedown.models import LegalBasis

K = ProviderKind

#: How long operators have to review a notice once it is queued.
REVIEW_WITHIN = dt.timedelta(days=2)

#: Waiting period after sending, by (legal basis, recipient kind).
DEADLINES: dict[tuple[LegalBasis, ProviderKind], dt.timedelta] = {
    (LegalBasis.DMCA, K.HOST): dt.timedelta(days=3),
    (LegalBasis.DMCA, K.CDN): dt.timedelta(days=5),
    (LegalBasis.DMCA, K.PLATFORM): dt.timedelta(days=3),
    (LegalBasis.DMCA, K.SEARCH_ENGINE): dt.timedelta(days=7),
    (LegalBasis.DSA, K.HOST): dt.timedelta(days=3),
    (LegalBasis.DSA, K.PLATFORM): dt.timedelta(days=3),
    (LegalBasis.DSA, K.CDN): dt.timedelta(days=5),
    # The poster has 7 days to object before the provider may remove without liability.
    (LegalBasis.JP_PLA, K.HOST): dt.timedelta(days=10),
    (LegalBasis.JP_PLA, K.PLATFORM): dt.timedelta(days=10),
    (LegalBasis.RAA, K.REGISTRAR): dt.timedelta(days=14),
    (LegalBasis.REGISTRY_POLICY, K.REGISTRAR): dt.timedelta(days=14),
    (LegalBasis.REGISTRY_POLICY, K.REGISTRY): dt.timedelta(days=14),
    (LegalBasis.SEARCH, K.SEARCH_ENGINE): dt.timedelta(days=7),
}

#: The default escalation ladder.
DEFAULT_LADDER: tuple[ProviderKind, ...] = (
    K.HOST,
    K.CDN,
    K.REGISTRAR,
    K.SEARCH_ENGINE,
    K.PAYMENT,
    K.ADS,
    K.LEGAL,
)

#: The legal basis a step uses whatever the recipient's country (a registrar's depends on the TLD too:
#: ``cases.takedown.routing.basis_for`` decides every recipient's basis).
STEP_BASIS: dict[ProviderKind, LegalBasis] = {
    K.REGISTRAR: LegalBasis.RAA,
    K.REGISTRY: LegalBasis.REGISTRY_POLICY,
    K.SEARCH_ENGINE: LegalBasis.SEARCH,
}


def waiting_period(basis: str, kind: str, provider_days: int | None = None) -> dt.timedelta:
    """How long to wait for an answer to a notice under `basis` sent to a provider of `kind`."""
    try:
        return DEADLINES[(LegalBasis(basis), ProviderKind(kind))]
    except (KeyError, ValueError):
        return dt.timedelta(days=provider_days if provider_days is not None else 7)


def next_steps(step: str, ladder: tuple[ProviderKind, ...] = DEFAULT_LADDER) -> list[ProviderKind]:
    """The steps above `step` on `ladder`, nearest first (all of them if `step` is not on it)."""
    kinds = list(ladder)
    try:
        return kinds[kinds.index(ProviderKind(step)) + 1 :]
    except ValueError:
        return kinds
