"""Benchmarks: figures with a baseline measured in the same run. Not tests; nothing here asserts a time."""
