"""PLOVER event coding from article text; runs in worker processes."""
