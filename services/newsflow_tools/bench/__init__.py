"""Benchmarks and the synthetic news corpus they (and the tests) serve over local HTTP."""
