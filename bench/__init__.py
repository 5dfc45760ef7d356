"""Micro-benchmarks run by the project's bench runner."""
