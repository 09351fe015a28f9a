"""The building blocks of every dashboard, and the conventions they carry.

Each dashboard module builds its panels only from these, so most rules of Grafana's dashboard linter
(see ``generate.py``) hold by construction: every query goes through :func:`query` (on the
``datasource`` variable), every selector through :func:`sel` (with the job and instance matchers),
every panel through :func:`panel` (title, description, unit), every dashboard through :func:`board`
(read-only, with the ``datasource``, ``job`` and ``instance`` variables).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from grafana_foundation_sdk.builders import dashboard, prometheus
from grafana_foundation_sdk.cog.builder import Builder
from grafana_foundation_sdk.models import dashboard as model
from grafana_foundation_sdk.models.prometheus import PromQueryFormat

#: the fixed uid of the provisioned data source (provisioning/datasources/piratewatch.yaml)
DATASOURCE_UID = "piratewatch-prometheus"
DS = model.DataSourceRef(type_val="prometheus", uid="${datasource}")
#: what every selector carries
MATCHERS = 'job=~"$job", instance=~"$instance"'


def sel(metric: str, **labels: str) -> str:
    """`metric` with the job and instance matchers and `labels` (values may hold variables)."""
    extra = "".join(f', {k}="{v}"' if not v.startswith("~") else f', {k}=~"{v[1:]}"' for k, v in labels.items())
    return f"{metric}{{{MATCHERS}{extra}}}"


def query(expr: str, legend: str = "", ref: str = "A", instant: bool = False) -> prometheus.Dataquery:
    q = prometheus.Dataquery().expr(expr).ref_id(ref).datasource(DS)
    if legend:
        q = q.legend_format(legend)
    if instant:
        q = q.instant().format(PromQueryFormat.TABLE)
    return q


PanelBuilder = Any  # the SDK's panel builders share their methods but no common type


def panel(
    kind: Callable[[], PanelBuilder],
    title: str,
    description: str,
    unit: str,
    targets: list[prometheus.Dataquery],
    *,
    width: int = 12,
    height: int = 8,
) -> PanelBuilder:
    built = kind().title(title).description(description).unit(unit).datasource(DS).span(width).height(height)
    for target in targets:
        built = built.with_target(target)
    return built


def variables(extra: list[Builder[model.VariableModel]] | None = None) -> list[Builder[model.VariableModel]]:
    """The data source, job and instance variables every dashboard starts with."""
    refresh = model.VariableRefresh.ON_TIME_RANGE_CHANGED
    return [
        dashboard.DatasourceVariable("datasource")
        .label("Data source")
        .type("prometheus")
        .current(model.VariableOption(selected=True, text="Prometheus (piratewatch)", value=DATASOURCE_UID)),
        dashboard.QueryVariable("job")
        .label("Job")
        .datasource(DS)
        .query("label_values(piratewatch_store_up, job)")
        .refresh(refresh)
        .include_all(True)
        .all_value(".*")
        .multi(True)
        .sort(model.VariableSort.ALPHABETICAL_ASC),
        dashboard.QueryVariable("instance")
        .label("Instance")
        .datasource(DS)
        .query('label_values(piratewatch_store_up{job=~"$job"}, instance)')
        .refresh(refresh)
        .include_all(True)
        .all_value(".*")
        .multi(True)
        .sort(model.VariableSort.ALPHABETICAL_ASC),
        *(extra or []),
    ]


def board(
    uid: str, title: str, description: str, extra: list[Builder[model.VariableModel]] | None = None
) -> dashboard.Dashboard:
    built = (
        dashboard.Dashboard(title)
        .uid(uid)
        .description(description)
        .tags(["piratewatch"])
        .readonly()
        .refresh("1m")
        .time("now-30d", "now")
        .timezone("browser")
    )
    for variable in variables(extra):
        built = built.with_variable(variable)
    return built


def market_variable() -> Builder[model.VariableModel]:
    return (
        dashboard.QueryVariable("market")
        .label("Market")
        .description("The audience country the figures call domestic (PIRATEWATCH_METRICS__MARKET).")
        .datasource(DS)
        .query(f"label_values({sel('piratewatch_month_info')}, market)")
        .refresh(model.VariableRefresh.ON_TIME_RANGE_CHANGED)
    )


VISITS_NOTE = (
    "Visits (sessions), not users; from piratewatch's traffic estimates (traffic API, site counters, public rank)."
)
