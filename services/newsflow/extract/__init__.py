"""Main-text extraction and cleaning; runs in worker processes."""
