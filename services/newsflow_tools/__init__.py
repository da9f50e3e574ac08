"""Tools around newsflow that the daemon never runs: `make eval` (evaluate/) and `make bench`
(bench/, with the synthetic corpus the tests serve). Not part of the installed package."""
