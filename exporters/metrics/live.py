"""The live state as metric families: sites, notices, providers, jobs and operation counters.

Every family is computed by a few aggregate queries at scrape time; label values come from closed
vocabularies (statuses, states, provider kinds, job kinds) or from bounded selections (the top
providers, the largest languages), never from free text without a cap.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from sqlmodel import Session, col

from cases.counters import names as ops
from cases.counters.queries import all_counts
from cases.providers.models import Provider, ProviderKind
from cases.sites.models import SiteStatus
from cases.takedown.models import Notice, NoticeReply, NoticeState
from cases.takedown.statistics import NON_RESPONSIVE_MIN_SENT, NON_RESPONSIVE_SHARE
from exporters.figures.model import OTHER
from exporters.figures.site_facts import SiteFacts

#: time to action: an hour to a quarter (the DSA's "without undue delay" to a registrar's weeks)
TIME_TO_ACTION_BUCKETS: tuple[float, ...] = tuple(
    h * 3600.0 for h in (1, 6, 12, 24, 48, 72, 7 * 24, 14 * 24, 30 * 24, 90 * 24)
)
_ACTIONED = (NoticeState.ACTIONED.value, NoticeState.PARTIALLY_ACTIONED.value)
_AWAITING = (NoticeState.SENT.value, NoticeState.DELIVERED.value, NoticeState.ACKNOWLEDGED.value)
_KINDS = [k.value for k in ProviderKind]


def _kind(value: Any) -> str:
    return str(value) if str(value) in _KINDS else OTHER


def seconds_between(session: Session, start: Any, end: Any) -> Any:
    """``end - start`` in seconds, in SQL, on both stores."""
    if session.get_bind().dialect.name == "postgresql":
        return sa.func.extract("epoch", end - start)
    # SQLite keeps UTC time stamps as ISO text; julianday reads them, in days.
    return (sa.func.julianday(end) - sa.func.julianday(start)) * 86400.0


def site_families(site_facts: SiteFacts, max_languages: int) -> list[Metric]:
    """Sites by status, and live sites (not merged or closed) by language and content type."""
    by_status = Counter(a.status for a in site_facts.sites.values())
    statuses = GaugeMetricFamily("piratewatch_sites", "Sites by status.", labels=["status"])
    for status in SiteStatus:
        statuses.add_metric([status.value], float(by_status.get(status.value, 0)))
    live = [a for a in site_facts.sites.values() if a.status not in (SiteStatus.MERGED.value, SiteStatus.CLOSED.value)]
    languages = Counter(lang for a in live for lang in a.languages)
    kept = {lang for lang, _ in sorted(languages.items(), key=lambda kv: (-kv[1], kv[0]))[:max_languages]}
    capped: Counter[str] = Counter()
    for lang, n in languages.items():
        capped[lang if lang in kept else OTHER] += n
    by_language = GaugeMetricFamily(
        "piratewatch_language_sites",
        "Live sites (not merged or closed) by language; a site counts in each of its languages.",
        labels=["language"],
    )
    for lang, n in sorted(capped.items()):
        by_language.add_metric([lang], float(n))
    types = Counter(t for a in live for t in a.content_types)
    by_type = GaugeMetricFamily(
        "piratewatch_content_type_sites",
        "Live sites by content type; a site counts in each of its content types.",
        labels=["content_type"],
    )
    for content_type, n in sorted(types.items()):
        by_type.add_metric([content_type], float(n))
    return [statuses, by_language, by_type]


def notice_families(session: Session, now: dt.datetime) -> list[Metric]:
    """Notices by state and recipient kind, sent and actioned counts, overdue ones, and time to action."""
    by_state = GaugeMetricFamily(
        "piratewatch_notices", "Notices by state and the kind of their recipient.", labels=["state", "recipient_kind"]
    )
    # One pass over the notices for the states, the sent counts and the overdue ones.
    counts: dict[tuple[str, str], int] = {}
    found: dict[str, list[int]] = {kind: [0, 0, 0] for kind in _KINDS}
    for state, kind, n, sent_n, overdue_n in session.execute(
        sa.select(
            col(Notice.state),
            col(Provider.kind),
            sa.func.count(),
            sa.func.count(col(Notice.sent_at)),
            sa.func.sum(sa.case((sa.and_(col(Notice.state).in_(_AWAITING), col(Notice.due_at) < now), 1), else_=0)),
        )
        .join(Provider, col(Provider.id) == col(Notice.provider_id))
        .group_by(col(Notice.state), col(Provider.kind))
    ):
        key = (str(state), _kind(kind))
        counts[key] = counts.get(key, 0) + int(n)
        totals = found.setdefault(key[1], [0, 0, 0])
        totals[0] += int(sent_n)
        totals[1] += int(n) if key[0] == NoticeState.ACTIONED.value else 0
        totals[2] += int(overdue_n or 0)
    for state in NoticeState:
        for kind in _KINDS:
            by_state.add_metric([state.value, kind], float(counts.get((state.value, kind), 0)))

    sent = CounterMetricFamily(
        "piratewatch_notices_sent",
        "Notices that left (sent at least once), by recipient kind.",
        labels=["recipient_kind"],
    )
    actioned = CounterMetricFamily(
        "piratewatch_notices_actioned",
        "Notices whose recipient took the content down (state actioned), by recipient kind.",
        labels=["recipient_kind"],
    )
    overdue = GaugeMetricFamily(
        "piratewatch_notices_overdue",
        "Notices sent and still unanswered past their deadline, by recipient kind.",
        labels=["recipient_kind"],
    )
    for kind in _KINDS:
        s, a, o = found[kind]
        sent.add_metric([kind], float(s))
        actioned.add_metric([kind], float(a))
        overdue.add_metric([kind], float(o))

    # The duration computed once per notice in a subquery, not once per bucket.
    actioned_notices = (
        sa.select(
            col(Provider.kind).label("kind"),
            seconds_between(session, col(Notice.sent_at), col(Notice.closed_at)).label("took"),
        )
        .join(Provider, col(Provider.id) == col(Notice.provider_id))
        .where(
            col(Notice.state) == NoticeState.ACTIONED.value,
            col(Notice.sent_at).is_not(None),
            col(Notice.closed_at).is_not(None),
        )
        .subquery()
    )
    took = actioned_notices.c.took
    bucket_columns = [sa.func.sum(sa.case((took <= b, 1), else_=0)) for b in TIME_TO_ACTION_BUCKETS]
    histogram = HistogramMetricFamily(
        "piratewatch_notice_time_to_action_seconds",
        "Time from sending a notice to the content being taken down (actioned notices), by recipient kind.",
        labels=["recipient_kind"],
    )
    per_kind: dict[str, tuple[list[int], float, int]] = {}
    for row in session.execute(
        sa.select(actioned_notices.c.kind, *bucket_columns, sa.func.sum(took), sa.func.count()).group_by(
            actioned_notices.c.kind
        )
    ):
        kind, *buckets, total, count = row
        per_kind[_kind(kind)] = ([int(b or 0) for b in buckets], float(total or 0.0), int(count))
    for kind in _KINDS:
        buckets, total, count = per_kind.get(kind, ([0] * len(TIME_TO_ACTION_BUCKETS), 0.0, 0))
        pairs = [(ops.bucket_label(b), float(n)) for b, n in zip(TIME_TO_ACTION_BUCKETS, buckets, strict=True)]
        histogram.add_metric([kind], [*pairs, ("+Inf", float(count))], total)
    return [by_state, sent, actioned, overdue, histogram]


def provider_families(session: Session, top: int) -> list[Metric]:
    """Scorecards of the `top` providers by notices sent (the rules of ``cases.takedown.statistics``)."""
    families: dict[str, CounterMetricFamily | GaugeMetricFamily] = {
        "sent": CounterMetricFamily(
            "piratewatch_provider_notices_sent",
            "Notices sent to a provider (top providers).",
            labels=["provider", "kind"],
        ),
        "actioned": GaugeMetricFamily(
            "piratewatch_provider_notices_actioned",
            "Notices a provider actioned, fully or partly (top providers).",
            labels=["provider", "kind"],
        ),
        "unanswered": GaugeMetricFamily(
            "piratewatch_provider_notices_unanswered",
            "Notices a provider never answered, left without response or escalated (top providers).",
            labels=["provider", "kind"],
        ),
        "ratio": GaugeMetricFamily(
            "piratewatch_provider_actioned_ratio",
            "Share of the notices sent to a provider that it actioned (top providers).",
            labels=["provider", "kind"],
        ),
        "median": GaugeMetricFamily(
            "piratewatch_provider_median_time_to_action_seconds",
            "Median time from sending to action of a provider's actioned notices (top providers).",
            labels=["provider", "kind"],
        ),
        "non_responsive": GaugeMetricFamily(
            "piratewatch_provider_non_responsive",
            f"1 when at least {NON_RESPONSIVE_MIN_SENT} notices were sent and {NON_RESPONSIVE_SHARE:.0%} "
            "went unanswered (top providers).",
            labels=["provider", "kind"],
        ),
    }
    replied = sa.select(col(NoticeReply.notice_id)).distinct().subquery()
    stats: dict[int, tuple[int, int, int]] = {}
    for pid, sent, actioned, unanswered in session.execute(
        sa.select(
            col(Notice.provider_id),
            sa.func.count(),
            sa.func.sum(sa.case((col(Notice.state).in_(_ACTIONED), 1), else_=0)),
            sa.func.sum(
                sa.case(
                    (
                        sa.and_(
                            col(Notice.state).in_([NoticeState.NO_RESPONSE.value, NoticeState.ESCALATED.value]),
                            replied.c.notice_id.is_(None),
                        ),
                        1,
                    ),
                    else_=0,
                )
            ),
        )
        .outerjoin(replied, replied.c.notice_id == col(Notice.id))
        .where(col(Notice.sent_at).is_not(None))
        .group_by(col(Notice.provider_id))
    ):
        stats[pid] = (int(sent), int(actioned or 0), int(unanswered or 0))
    chosen = sorted(stats, key=lambda pid: (-stats[pid][0], pid))[:top]
    if not chosen:
        return list(families.values())
    providers = {
        pid: (name, _kind(kind))
        for pid, name, kind in session.execute(
            sa.select(col(Provider.id), col(Provider.name), col(Provider.kind)).where(col(Provider.id).in_(chosen))
        )
    }
    took = seconds_between(session, col(Notice.sent_at), col(Notice.closed_at))
    durations: dict[int, list[float]] = defaultdict(list)
    for pid, seconds in session.execute(
        sa.select(col(Notice.provider_id), took).where(
            col(Notice.provider_id).in_(chosen),
            col(Notice.state).in_(_ACTIONED),
            col(Notice.sent_at).is_not(None),
            col(Notice.closed_at).is_not(None),
        )
    ):
        durations[pid].append(float(seconds))
    for pid in chosen:
        name, kind = providers[pid]
        sent, actioned, unanswered = stats.get(pid, (0, 0, 0))
        labels = [name, kind]
        families["sent"].add_metric(labels, float(sent))
        families["actioned"].add_metric(labels, float(actioned))
        families["unanswered"].add_metric(labels, float(unanswered))
        families["ratio"].add_metric(labels, actioned / sent if sent else 0.0)
        if durations.get(pid):
            families["median"].add_metric(labels, statistics.median(durations[pid]))
        flagged = sent >= NON_RESPONSIVE_MIN_SENT and unanswered / sent >= NON_RESPONSIVE_SHARE
        families["non_responsive"].add_metric(labels, 1.0 if flagged else 0.0)
    return list(families.values())


def job_families(session: Session, now: dt.datetime, stalled_after: float = 60.0) -> list[Metric]:
    """The queue's state (:mod:`exporters.metrics.queue`): due, queued, running, failing, takedown lag, workers."""
    from exporters.metrics.queue import queue_families, queue_status

    return queue_families(queue_status(session, now, stalled_after))


def _combinations(family: ops.CounterFamily | ops.HistogramFamily) -> list[dict[str, str]]:
    """Every label set of a family with a small vocabulary (its zero series are exported too)."""
    sets: list[dict[str, str]] = [{}]
    for label in family.labels:
        values = sorted(family.values.get(label, frozenset()))
        sets = [{**s, label: v} for s in sets for v in values]
    return sets


# Families with at most this many label sets get zero series before anything happened, so that
# dashboards show 0 rather than "no data" on a fresh install.
_ZERO_SERIES_LIMIT = 16


def operation_families(session: Session) -> list[Metric]:
    """The operation counters kept in the store, as counters and histograms."""
    stored: dict[str, dict[str, float]] = defaultdict(dict)
    for name, labels, value in all_counts(session):
        stored[name][labels] = value
    out: list[Metric] = []
    for counter in ops.COUNTERS:
        family = CounterMetricFamily(f"piratewatch_{counter.name}", counter.help, labels=list(counter.labels))
        values = dict(stored.get(counter.name, {}))
        combos = _combinations(counter)
        if len(combos) <= _ZERO_SERIES_LIMIT:
            for combo in combos:
                values.setdefault(ops.canonical_labels(combo), 0.0)
        for labels, value in sorted(values.items()):
            parsed = ops.parse_labels(labels)
            family.add_metric([parsed.get(k, OTHER) for k in counter.labels], value)
        out.append(family)
    for histogram in ops.HISTOGRAMS:
        out.append(_histogram(histogram, stored))
    return out


def _histogram(histogram: ops.HistogramFamily, stored: dict[str, dict[str, float]]) -> Metric:
    family = HistogramMetricFamily(f"piratewatch_{histogram.name}", histogram.help, labels=list(histogram.labels))
    series: dict[tuple[str, ...], dict[str, float]] = defaultdict(dict)
    for labels, value in stored.get(f"{histogram.name}_bucket", {}).items():
        parsed = ops.parse_labels(labels)
        series[tuple(parsed.get(k, OTHER) for k in histogram.labels)][parsed.get("le", "+Inf")] = value
    sums = {
        tuple(ops.parse_labels(lb).get(k, OTHER) for k in histogram.labels): v
        for lb, v in stored.get(f"{histogram.name}_sum", {}).items()
    }
    counts = {
        tuple(ops.parse_labels(lb).get(k, OTHER) for k in histogram.labels): v
        for lb, v in stored.get(f"{histogram.name}_count", {}).items()
    }
    keys: Iterable[tuple[str, ...]] = sorted(set(series) | set(counts))
    if not histogram.labels and not counts:
        keys = [()]
    for key in keys:
        buckets = series.get(key, {})
        pairs = [(ops.bucket_label(b), buckets.get(ops.bucket_label(b), 0.0)) for b in histogram.buckets]
        pairs.append(("+Inf", counts.get(key, buckets.get("+Inf", 0.0))))
        family.add_metric(list(key), pairs, sums.get(key, 0.0))
    return family
