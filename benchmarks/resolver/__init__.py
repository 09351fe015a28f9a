"""Resolver benchmark: synthetic domains resolved end to end against the offline lab servers."""
