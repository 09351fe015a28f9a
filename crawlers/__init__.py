"""crawlers: the Scrapy project (site profile spider) and the jobs that keep every site fresh.

``crawlers.crawl`` runs one crawl in a child process, ``piratewatch.jobs.crawl`` stores what it found,
``crawlers.traffic`` estimates monthly visits, ``piratewatch.jobs.runner`` runs due jobs; see
``docs/crawlers.md``.
"""
