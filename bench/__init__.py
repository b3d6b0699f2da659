"""Benchmarks that print their figures and a ratio against a baseline measured in the same run.

Run them with `make bench` (`.venv/bin/python bench/run.py`); they are not timed tests.
"""
