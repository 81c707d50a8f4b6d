"""The stages that run notebooks and publish editions, with their stamps and provenance."""
