"""Grafana dashboards of piratewatch, as code: ``generate.py`` writes ``generated/*.json``, one module per dashboard."""
