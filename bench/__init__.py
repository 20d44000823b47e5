"""Benchmarks for the figures named in issues; `make bench` runs them all through bench/run.py."""
