"""Scrapy's own bench spider (``scrapy bench``'s ``_BenchSpider``: follow every link) started at a
URL of ours: ``python -m benchmarks.spiders.scrapy_side URL STATS_FILE SETTINGS_JSON``.

It writes Scrapy's stats as JSON when it closes (logging stays at the level given, as for the
project's spider).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

import scrapy
from scrapy.commands.bench import _BenchSpider
from scrapy.crawler import CrawlerProcess


class PagesBenchSpider(_BenchSpider):
    name = "follow_pages"

    def __init__(self, start_url: str, stats_file: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start_url, self.stats_file = start_url, stats_file

    async def start(self) -> AsyncIterator[Any]:
        self.started = time.monotonic()
        yield scrapy.Request(self.start_url, dont_filter=True)

    def closed(self, reason: str) -> None:
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        with open(self.stats_file, "w") as f:
            elapsed = time.monotonic() - self.started  # Scrapy's own figure is set after this hook
            json.dump({**stats, "finish_reason": reason, "elapsed": elapsed}, f, default=str)


def main(url: str, stats_file: str, settings: str) -> None:
    process = CrawlerProcess({**json.loads(settings), "LOG_INSTALL_ROOT_HANDLER": False})
    process.crawl(PagesBenchSpider, start_url=url, stats_file=stats_file)
    process.start()


if __name__ == "__main__":
    main(*sys.argv[1:4])
