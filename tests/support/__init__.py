"""Helpers that check generated CI files with the real tools (see scripts/install-test-tools.sh)."""
