"""S3 artifacts: upload stage, library API and `pipelinekit artifacts push|pull|ls`."""
