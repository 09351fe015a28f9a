"""Operation counters: what the crawlers, the resolver and the estimators did, kept in the store.

Jobs run in other processes than the app that serves ``/metrics`` (``piratewatch run``, one-off
commands), so their requests, errors, latencies, cache hits and rate-limit waits are added to
counters in the store, in the transaction that stores the job's results; the metrics collector
reads them at scrape time. The families and their label vocabularies are declared once, in
:mod:`cases.counters.names`.
"""
