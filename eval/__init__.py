"""Grading against gold files, baselines and benchmarks."""
