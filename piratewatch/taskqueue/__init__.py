"""Scale-out: workers on one or several machines share the due work through procrastinate.

``piratewatch scheduler`` defers a job for every due (site, job) pair and for takedown upkeep;
``piratewatch worker`` runs them. Everything lives in PostgreSQL (the store and procrastinate's
tables, migration 0008); Redis shares rate limits and, optionally, a big crawl's frontier. On the
embedded SQLite store ``piratewatch run`` does the same work in one process. See ``docs/scaling.md``.
"""
