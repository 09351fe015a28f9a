"""The use cases of piratewatch, as the methods of one object built once from the settings.

::

    with Services.from_settings(get_settings()) as services:
        services.submit("Japan Publishers Association", sites, actor, via="cli")
        outcomes = asyncio.run(services.resolve(["manga-raw.example"], actor))
        report = asyncio.run(services.upkeep(actor))

The CLI, the demo, the API and the UI, the workers and the scheduler reach the store and the backends
only through a :class:`Services`; each builds one when it starts, and every piece (the engine, the
delivery channels, the re-check, the traffic sources) is built once. Every use case returns what
really happened to each item it was given: a result per site, per domain, per notice.

The use cases, by area (each module holds those of one area, written as functions of the resources):

- intake (:mod:`.intake`): :meth:`~Services.submit`, :meth:`~Services.import_csv`, :meth:`~Services.site_id_of`
- monitoring (:mod:`.monitoring`): :meth:`~Services.resolve`, :meth:`~Services.crawl`,
  :meth:`~Services.estimate`, :meth:`~Services.runner` (keep every site fresh)
- takedown (:mod:`.takedown`): :meth:`~Services.draft`, :meth:`~Services.approve`, :meth:`~Services.send`,
  :meth:`~Services.upkeep`
- evidence (:mod:`.evidence`): :meth:`~Services.capture`, :meth:`~Services.export_evidence`,
  :meth:`~Services.verify_evidence`
- reporting (:mod:`.reporting`): :meth:`~Services.monthly_report`
"""

from __future__ import annotations

from piratewatch.services import evidence, intake, monitoring, reporting, takedown
from piratewatch.services.monitoring import EstimateOutcome
from piratewatch.services.reporting import ReportOutcome, ReportRequest
from piratewatch.services.resources import Resources
from piratewatch.services.takedown import ApprovalReport, SendReport


class Services(Resources):
    """The store and the configured backends of one process, and the use cases that run on them."""

    # intake
    submit = intake.submit
    import_csv = intake.import_csv
    site_id_of = intake.site_id_of
    # monitoring
    resolve = monitoring.resolve
    crawl = monitoring.crawl
    estimate = monitoring.estimate
    runner = monitoring.runner
    # takedown
    draft = takedown.draft
    approve = takedown.approve
    send = takedown.send
    upkeep = takedown.upkeep
    # evidence
    capture = evidence.capture
    export_evidence = evidence.export_evidence
    verify_evidence = evidence.verify_evidence
    record_verification = evidence.record_verification
    # reporting
    monthly_report = reporting.monthly_report


__all__ = [
    "ApprovalReport",
    "EstimateOutcome",
    "ReportOutcome",
    "ReportRequest",
    "Resources",
    "SendReport",
    "Services",
]
