"""Benchmarks at a real company's size (`make bench`, README "Benchmarks"). Not tests: nothing here asserts a time."""
