"""Kafka publishing (aiokafka) and the embedded broker."""
