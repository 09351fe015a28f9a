"""crawlers: the Scrapy project (site profile spider) and the jobs that keep every site fresh.

``crawlers.crawl`` runs one crawl in a child process, ``crawlers.crawl_job`` stores what it found,
``crawlers.traffic`` estimates monthly visits, ``crawlers.scheduler`` runs due jobs; see
``docs/crawlers.md``.
"""
