"""newsflow: news feeds in, clean articles and PLOVER event records out, on Kafka."""

__version__ = "0.2.0"
