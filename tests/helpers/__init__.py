"""Helpers shared by the tests and the benchmarks: real servers on loopback and what they need."""
