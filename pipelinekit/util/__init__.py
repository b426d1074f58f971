"""Small helpers shared across the package: running a tool with its output streamed live."""
