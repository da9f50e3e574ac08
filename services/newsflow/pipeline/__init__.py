"""The daemon: the only place where the stages are wired together.

source polling → frontier (state) → fetch → worker pool (extract + code) →
dedup → publish → mark done. Every in-memory queue is bounded, so a slow or
absent broker holds fetching back instead of growing memory.
"""

from newsflow.pipeline.runner import Pipeline, build_pipeline

__all__ = ["Pipeline", "build_pipeline"]
