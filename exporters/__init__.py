"""Prometheus metrics, monthly reports and what they share: the figures of a month.

``exporters`` reads the store (``cases``) only. :mod:`exporters.figures` computes a month's figures
from the store; :mod:`exporters.metrics` serves them (and the live state of sites, notices,
providers and jobs) on ``/metrics``; :mod:`exporters.reports` writes the monthly report from the
store or, with the same numbers, from Prometheus.
"""
