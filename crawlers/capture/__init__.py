"""Captures of one URL as evidence: the HTTP exchange as WARC records, the page's visible text and a
full-page screenshot, under the same limits the crawler keeps on hostile pages.

It fetches and renders, and stores nothing: ``cases.evidence`` keeps what a capture returns, and
``piratewatch.services.evidence`` joins the two (see ``docs/evidence.md``). Modules: ``config`` (limits), ``fetch``
(``capture_url``), ``warc`` (``write_warc``), ``screenshot``; nothing is imported here, so reading the
settings loads no HTTP client.
"""
