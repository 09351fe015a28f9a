"""Benchmark of takedown cases: the queue, claims and sending."""
