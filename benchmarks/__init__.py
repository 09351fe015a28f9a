"""piratewatch's benchmarks: ``./run bench [name ...]`` (or ``python -m benchmarks``)."""
