"""Semantic-versioning release policy (conventional commits, channels, atomic tag + push)."""
