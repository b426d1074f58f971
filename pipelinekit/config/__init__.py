"""`[tool.pipelinekit]`: the typed settings models (pydantic, unknown keys are errors),
reading and writing the file, ref-name rules, and the generated configuration reference."""
