"""The figures of a calendar month: what the metrics export for the current month, and what the report reads.

One computation (:func:`exporters.figures.store.month_figures`) serves both: the collector runs it for
the current month at every scrape, the report's store source for any month. Prometheus therefore
holds, at the last scrape of each month, exactly what the store source computes for that month;
this is why the two sources of the report agree.
"""
