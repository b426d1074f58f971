"""pipelinekit: one pipeline model, planned in Python, drives every CI file and every run."""

__version__ = "0.1.0"
