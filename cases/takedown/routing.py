"""Which notice a recipient gets: the law that binds the recipient decides, not the notice before.

=====================  ==============================  ==========================================
recipient              where                           legal basis (template)
=====================  ==============================  ==========================================
registrar              the site's domain is a gTLD     ICANN RAA §3.18 (``raa_3_18``)
registrar              the domain is a ccTLD           the registry's own abuse policy
registry               any TLD                         the registry's own abuse policy (the
                                                       Registry Agreement binds it, not the RAA)
search engine          any                             delisting (``search_delisting``)
host, CDN, platform,   Japan                           the Japanese copyright request (様式A)
payment, ads, legal    the EU                          DSA Art. 16
                       elsewhere (US and the rest)     DMCA §512(c)(3), to the designated agent
=====================  ==============================  ==========================================

Escalation asks again for each recipient (:func:`basis_for`): a Japanese host's request does not go on,
in Japanese, to a US CDN; the CDN gets a DMCA notice in English.
"""

from __future__ import annotations

from cases.providers.models import Provider, ProviderKind
from cases.takedown.models import LegalBasis
from cases.takedown.render import DEFAULT_TEMPLATE, TEMPLATES

#: Member states of the EU, where the Digital Services Act's notice-and-action applies.
EU_COUNTRIES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)


def is_cctld(domain: str) -> bool:
    """Whether `domain` is under a country-code TLD: a two-letter ASCII top label (RFC 1591; ``.uk``,
    ``.jp``, ``.io``). Internationalised ccTLDs (``xn--p1ai``) cannot be told from IDN gTLDs by their
    form; they count as gTLDs here, so their registrars get an RAA report (the operator can change it)."""
    top = domain.rstrip(".").rsplit(".", 1)[-1].lower()
    return len(top) == 2 and top.isascii() and top.isalpha()


def basis_for(provider: Provider, domain: str | None = None) -> LegalBasis:
    """The legal basis a notice to `provider` about `domain` relies on: by its role, else by its country.

    Registrars of gTLD domains get an RAA §3.18 report; registrars of ccTLD domains and registries
    the registry's own abuse policy (the RAA binds neither); search engines a delisting request; any
    other provider the law of its country: Japan the Japanese request, the EU a DSA Art. 16 notice,
    elsewhere a DMCA notice.
    """
    kind = ProviderKind(provider.kind)
    if kind == ProviderKind.REGISTRY:
        return LegalBasis.REGISTRY_POLICY
    if kind == ProviderKind.REGISTRAR:
        return LegalBasis.REGISTRY_POLICY if domain and is_cctld(domain) else LegalBasis.RAA
    if kind == ProviderKind.SEARCH_ENGINE:
        return LegalBasis.SEARCH
    country = (provider.country or "").upper()
    if country == "JP":
        return LegalBasis.JP_PLA
    if country in EU_COUNTRIES:
        return LegalBasis.DSA
    return LegalBasis.DMCA


def template_for(provider: Provider, basis: LegalBasis) -> str:
    """The provider's own accepted format for `basis` (an API payload needs the provider's API), else the default."""
    for name in provider.accepted_formats:
        template = TEMPLATES.get(name)
        if template is None or template.basis != basis:
            continue
        if template.filename is None and not provider.abuse_api_url:
            continue  # an API payload is of no use without the provider's API
        return name
    return DEFAULT_TEMPLATE[basis]
