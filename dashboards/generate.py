"""Grafana dashboards of piratewatch, as code: ``python dashboards/generate.py`` writes ``generated/*.json``.

Built with grafana-foundation-sdk (Grafana Labs' own typed builders for dashboards, generated from
Grafana's schema), so the JSON is what Grafana 11 expects without hand-written panel dictionaries.
Each dashboard is built in a module of its own, named after its JSON file (``overview.py``,
``site_detail.py``, ``takedown_pipeline.py``, ``provider_scorecards.py``,
``crawler_resolver_health.py``), from the building blocks of ``conventions.py``; this file lists them
and writes them. The modules and their output are committed; a test checks they agree.

Conventions every panel follows (the rules of Grafana's dashboard linter, also tested):
- every panel and variable queries the data source chosen in the ``datasource`` variable;
- every selector filters on ``job=~"$job"`` and ``instance=~"$instance"``;
- counters appear only inside ``rate`` (over ``$__rate_interval``) or ``increase``;
- every panel has a title, a description and a unit.

The monthly figures are the same on every instance (they come from the store), so panels take
``max`` over instances rather than ``sum``; history backfilled with ``piratewatch metrics backfill``
has one sample per month, which ``last_over_time(...[$__interval])`` shows as points.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "generated"
# This file is run as a script (``python dashboards/generate.py``) and loaded from its path by the
# tests, so it is nobody's package module: the repository root goes on the path (last, so it shadows
# nothing installed) for the ``dashboards`` package beside it to import.
if str(HERE.parent) not in sys.path:
    sys.path.append(str(HERE.parent))

from grafana_foundation_sdk.builders import dashboard  # noqa: E402
from grafana_foundation_sdk.cog.encoder import JSONEncoder  # noqa: E402

from dashboards.crawler_resolver_health import operations  # noqa: E402
from dashboards.overview import overview  # noqa: E402
from dashboards.provider_scorecards import providers  # noqa: E402
from dashboards.site_detail import site_detail  # noqa: E402
from dashboards.takedown_pipeline import takedown  # noqa: E402

DASHBOARDS: dict[str, Callable[[], dashboard.Dashboard]] = {
    "overview": overview,
    "site-detail": site_detail,
    "takedown-pipeline": takedown,
    "provider-scorecards": providers,
    "crawler-resolver-health": operations,
}


def _numbered(data: dict[str, Any]) -> dict[str, Any]:
    """Give every panel a stable id (Grafana needs them unique for links and repeats)."""
    for number, panel_data in enumerate(data.get("panels", []), start=1):
        panel_data["id"] = number
    return data


def build_all() -> dict[str, dict[str, Any]]:
    """Every dashboard as the JSON Grafana loads."""
    return {
        name: _numbered(json.loads(json.dumps(make().build(), cls=JSONEncoder))) for name, make in DASHBOARDS.items()
    }


def render(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> int:
    OUT.mkdir(exist_ok=True)
    for name, data in build_all().items():
        (OUT / f"{name}.json").write_text(render(data), "utf-8")
        print(f"wrote {OUT / f'{name}.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
