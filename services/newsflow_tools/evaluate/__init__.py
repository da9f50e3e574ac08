"""Offline evaluation against ../shared/eval (make eval)."""
