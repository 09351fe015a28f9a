"""A month's figures as Prometheus samples, and back.

:func:`month_samples` is what ``/metrics`` exports for the current month (and what the backfill
writes for past months); :func:`figures_from_samples` rebuilds the same :class:`MonthFigures` from the
samples Prometheus returns. The two are each other's inverse, sample values included: Prometheus
stores float64 and both ends print and parse them exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from exporters.errors import SampleError
from exporters.figures.languages import home_country
from exporters.figures.model import BANDS, Band, MonthFigures, SiteFigures, WorkVisits

PREFIX = "piratewatch_"


@dataclass(frozen=True)
class Family:
    """A gauge family of the month's figures."""

    name: str
    help: str
    labels: tuple[str, ...]


_SITE = ("site_id", "site")

MONTH_INFO = Family(
    "piratewatch_month_info",
    "The month (in `timezone`) the monthly figures are about, the market and the per-site selection; always 1.",
    ("month", "timezone", "market", "top_sites", "top_per_group", "max_languages", "max_countries"),
)
ESTIMATED_SITES = Family("piratewatch_estimated_sites", "Sites with a traffic estimate this month.", ())
SOURCE_ESTIMATED_SITES = Family(
    "piratewatch_source_estimated_sites",
    "Sites with a traffic estimate this month, by the kind of source behind it (a site may have several).",
    ("source",),
)
MONTHLY_VISITS = Family(
    "piratewatch_monthly_visits",
    "Estimated visits (not users) to all sites this month, by band (low, central, high).",
    ("band",),
)
LANGUAGE_VISITS = Family(
    "piratewatch_language_monthly_visits",
    "Estimated visits this month by site language (a site in n languages counts 1/n in each), by band.",
    ("language", "band"),
)
LANGUAGE_HOME_VISITS = Family(
    "piratewatch_language_home_monthly_visits",
    "Estimated visits this month to each language's sites from the language's home country, by band.",
    ("language", "country", "band"),
)
LANGUAGE_LOCATED_VISITS = Family(
    "piratewatch_language_located_monthly_visits",
    "Estimated visits this month to each language's sites whose audience countries are known, by band.",
    ("language", "band"),
)
AUDIENCE_VISITS = Family(
    "piratewatch_audience_monthly_visits",
    "Estimated visits this month by content type and audience country (a site of n content types counts 1/n "
    "in each; `other`: outside a site's top five or beyond the exported countries; `unknown`: no breakdown).",
    ("content_type", "country", "band"),
)
WORK_VISITS = Family(
    "piratewatch_audience_work_monthly_visits",
    "The damage model's visits this month by content type and audience country: for sites whose content share "
    "(works found / catalogue titles) is known, their visits times that share (`content_share=known`), for the "
    "others their whole visits (`unknown`); `distribution`: the sites' distribution type (within the market, "
    "aimed abroad, within the destination country); `duration=measured`: the part whose visit duration the "
    "source measured.",
    ("content_type", "country", "content_share", "distribution", "duration", "band"),
)
WORK_VISIT_SECONDS = Family(
    "piratewatch_audience_work_monthly_visit_seconds",
    "Visit-seconds the traffic sources measured this month on the visits of "
    'piratewatch_audience_work_monthly_visits{duration="measured"}, by band.',
    ("content_type", "country", "content_share", "distribution", "band"),
)
SITE_VISITS = Family(
    "piratewatch_site_monthly_visits",
    "Estimated visits this month to one of the top sites (by visits, by visits from the market, "
    "per language and content type), by band.",
    (*_SITE, "band"),
)
SITE_AUDIENCE = Family(
    "piratewatch_site_audience_ratio",
    "Share of a top site's visits this month from each of its top five countries and `other`.",
    (*_SITE, "country"),
)
SITE_INFO = Family("piratewatch_site_info", "A top site's status; always 1.", (*_SITE, "status"))
SITE_LANGUAGE = Family("piratewatch_site_language_info", "A top site's languages; always 1.", (*_SITE, "language"))
SITE_CONTENT_TYPE = Family(
    "piratewatch_site_content_type_info", "A top site's content types; always 1.", (*_SITE, "content_type")
)
SITE_SOURCE = Family(
    "piratewatch_site_source_info", "The kinds of source behind a top site's estimate; always 1.", (*_SITE, "source")
)
MONTHLY_EVENTS = Family(
    "piratewatch_monthly_events",
    "What happened this month: new, closed and hopped sites, domain hops, host changes, domains gone, "
    "notices sent and actioned.",
    ("event",),
)
SITE_MONTHLY_EVENTS = Family(
    "piratewatch_site_monthly_events",
    "What happened this month to one of the top sites (hops, host changes, domains gone, notices).",
    (*_SITE, "event"),
)

FAMILIES: tuple[Family, ...] = (
    MONTH_INFO,
    ESTIMATED_SITES,
    SOURCE_ESTIMATED_SITES,
    MONTHLY_VISITS,
    LANGUAGE_VISITS,
    LANGUAGE_HOME_VISITS,
    LANGUAGE_LOCATED_VISITS,
    AUDIENCE_VISITS,
    WORK_VISITS,
    WORK_VISIT_SECONDS,
    SITE_VISITS,
    SITE_AUDIENCE,
    SITE_INFO,
    SITE_LANGUAGE,
    SITE_CONTENT_TYPE,
    SITE_SOURCE,
    MONTHLY_EVENTS,
    SITE_MONTHLY_EVENTS,
)


@dataclass(frozen=True)
class Sample:
    """One sample: a family name, its labels, its value."""

    name: str
    labels: Mapping[str, str]
    value: float


def _bands(family: Family, labels: Mapping[str, str], band: Band) -> list[Sample]:
    return [Sample(family.name, {**labels, "band": b}, band.get(b)) for b in BANDS]


def month_samples(figures: MonthFigures) -> list[Sample]:
    """Every sample of `figures`, family by family."""
    out = [
        Sample(
            MONTH_INFO.name,
            {
                "month": figures.month,
                "timezone": figures.timezone,
                "market": figures.market,
                "top_sites": str(figures.top_sites),
                "top_per_group": str(figures.top_per_group),
                "max_languages": str(figures.max_languages),
                "max_countries": str(figures.max_countries),
            },
            1.0,
        ),
        Sample(ESTIMATED_SITES.name, {}, float(figures.sites_estimated)),
    ]
    out += [Sample(SOURCE_ESTIMATED_SITES.name, {"source": k}, float(v)) for k, v in figures.sites_by_source.items()]
    out += _bands(MONTHLY_VISITS, {}, figures.total)
    for language, band in figures.by_language.items():
        out += _bands(LANGUAGE_VISITS, {"language": language}, band)
    for language, band in figures.by_language_home.items():
        out += _bands(LANGUAGE_HOME_VISITS, {"language": language, "country": home_country(language) or ""}, band)
    for language, band in figures.by_language_located.items():
        out += _bands(LANGUAGE_LOCATED_VISITS, {"language": language}, band)
    for (content_type, country), band in figures.audience.items():
        out += _bands(AUDIENCE_VISITS, {"content_type": content_type, "country": country}, band)
    for (content_type, country, share, distribution), work in figures.work_visits.items():
        labels = {
            "content_type": content_type,
            "country": country,
            "content_share": share,
            "distribution": distribution,
        }
        out += _bands(WORK_VISITS, {**labels, "duration": "all"}, work.visits)
        out += _bands(WORK_VISITS, {**labels, "duration": "measured"}, work.timed)
        out += _bands(WORK_VISIT_SECONDS, labels, work.timed_seconds)
    for site in figures.sites:
        key = {"site_id": str(site.site_id), "site": site.name}
        out += _bands(SITE_VISITS, key, site.visits)
        out += [Sample(SITE_AUDIENCE.name, {**key, "country": c}, s) for c, s in site.countries.items()]
        out.append(Sample(SITE_INFO.name, {**key, "status": site.status}, 1.0))
        out += [Sample(SITE_LANGUAGE.name, {**key, "language": lang}, 1.0) for lang in site.languages]
        out += [Sample(SITE_CONTENT_TYPE.name, {**key, "content_type": t}, 1.0) for t in site.content_types]
        out += [Sample(SITE_SOURCE.name, {**key, "source": s}, 1.0) for s in site.sources]
        out += [Sample(SITE_MONTHLY_EVENTS.name, {**key, "event": e}, float(n)) for e, n in site.events.items()]
    out += [Sample(MONTHLY_EVENTS.name, {"event": e}, float(n)) for e, n in figures.events.items()]
    return out


def event_samples(figures: MonthFigures) -> list[Sample]:
    """Only the samples of the month's events (the rest of the figures change far less often)."""
    out = [Sample(MONTHLY_EVENTS.name, {"event": e}, float(n)) for e, n in figures.events.items()]
    for site in figures.sites:
        key = {"site_id": str(site.site_id), "site": site.name}
        out += [Sample(SITE_MONTHLY_EVENTS.name, {**key, "event": e}, float(n)) for e, n in site.events.items()]
    return out


@dataclass
class _SiteParts:
    """A site's samples, gathered family by family."""

    name: str
    status: str = ""
    languages: list[str] = field(default_factory=list)
    content_types: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    visits: dict[str, float] = field(default_factory=dict)
    countries: dict[str, float] = field(default_factory=dict)
    events: dict[str, int] = field(default_factory=dict)


def _band(values: Mapping[str, float]) -> Band:
    return Band(values.get("low", 0.0), values.get("central", 0.0), values.get("high", 0.0))


def figures_from_samples(samples: Iterable[Sample]) -> MonthFigures:
    """The :class:`MonthFigures` that :func:`month_samples` turned into `samples`."""
    by_family: dict[str, list[Sample]] = {}
    for sample in samples:
        by_family.setdefault(sample.name, []).append(sample)
    infos = by_family.get(MONTH_INFO.name, [])
    if len({(s.labels.get("month"), s.labels.get("timezone")) for s in infos}) != 1:
        raise SampleError(f"expected one {MONTH_INFO.name} series, found {len(infos)}")
    info = infos[0].labels

    def grouped(family: Family, key: tuple[str, ...]) -> dict[tuple[str, ...], dict[str, float]]:
        out: dict[tuple[str, ...], dict[str, float]] = {}
        for s in by_family.get(family.name, []):
            out.setdefault(tuple(s.labels.get(k, "") for k in key), {})[s.labels.get("band", "")] = s.value
        return out

    def single(family: Family, label: str) -> dict[str, float]:
        return {s.labels.get(label, ""): s.value for s in by_family.get(family.name, [])}

    sites: dict[str, _SiteParts] = {}

    def site(s: Sample) -> _SiteParts:
        return sites.setdefault(s.labels["site_id"], _SiteParts(name=s.labels.get("site", "")))

    for s in by_family.get(SITE_VISITS.name, []):
        site(s).visits[s.labels["band"]] = s.value
    for s in by_family.get(SITE_AUDIENCE.name, []):
        site(s).countries[s.labels["country"]] = s.value
    for s in by_family.get(SITE_INFO.name, []):
        site(s).status = s.labels["status"]
    for s in by_family.get(SITE_LANGUAGE.name, []):
        site(s).languages.append(s.labels["language"])
    for s in by_family.get(SITE_CONTENT_TYPE.name, []):
        site(s).content_types.append(s.labels["content_type"])
    for s in by_family.get(SITE_SOURCE.name, []):
        site(s).sources.append(s.labels["source"])
    for s in by_family.get(SITE_MONTHLY_EVENTS.name, []):
        site(s).events[s.labels["event"]] = int(s.value)

    site_figures = [
        SiteFigures(
            site_id=int(site_id),
            name=parts.name,
            status=parts.status,
            languages=tuple(sorted(parts.languages)),
            content_types=tuple(sorted(parts.content_types)),
            sources=tuple(sorted(parts.sources)),
            visits=_band(parts.visits),
            countries=dict(sorted(parts.countries.items())),
            events=dict(sorted(parts.events.items())),
        )
        for site_id, parts in sites.items()
        if parts.visits
    ]
    site_figures.sort(key=lambda f: (-f.visits.central, f.site_id))
    cell = ("content_type", "country", "content_share", "distribution")
    work_all = grouped(WORK_VISITS, (*cell, "duration"))
    seconds = grouped(WORK_VISIT_SECONDS, cell)
    work_visits = {
        (k[0], k[1], k[2], k[3]): WorkVisits(
            _band(v), _band(work_all.get((*k[:4], "measured"), {})), _band(seconds.get(k[:4], {}))
        )
        for k, v in sorted(work_all.items())
        if k[4] == "all"
    }
    total = grouped(MONTHLY_VISITS, ())
    events = single(MONTHLY_EVENTS, "event")
    return MonthFigures(
        month=info["month"],
        timezone=info["timezone"],
        market=info["market"],
        top_sites=int(info["top_sites"]),
        top_per_group=int(info["top_per_group"]),
        max_languages=int(info["max_languages"]),
        max_countries=int(info["max_countries"]),
        sites_estimated=int(single(ESTIMATED_SITES, "").get("", 0.0)),
        sites_by_source={k: int(v) for k, v in sorted(single(SOURCE_ESTIMATED_SITES, "source").items())},
        total=_band(total.get((), {})),
        by_language={k[0]: _band(v) for k, v in sorted(grouped(LANGUAGE_VISITS, ("language",)).items())},
        by_language_home={k[0]: _band(v) for k, v in sorted(grouped(LANGUAGE_HOME_VISITS, ("language",)).items())},
        by_language_located={
            k[0]: _band(v) for k, v in sorted(grouped(LANGUAGE_LOCATED_VISITS, ("language",)).items())
        },
        audience={
            (k[0], k[1]): _band(v) for k, v in sorted(grouped(AUDIENCE_VISITS, ("content_type", "country")).items())
        },
        work_visits=work_visits,
        sites=site_figures,
        events={k: int(v) for k, v in events.items()},
    )
