"""The project environment: the project's own Python with everything the repository declares
and locks, kept apart from pipelinekit's own environment.

`sources` finds every dependency declaration (detect shows them), `locks` reads lock files,
`python` picks and finds the interpreter, `planner` turns facts and config into one `EnvSpec`
(the model the CI files, `pipelinekit run`, the test stages and the Docker image share),
`requirements` turns a spec into installer inputs, `engine` runs uv (pip and venv where uv
cannot run), and `build` keeps environments under `.pipelinekit/envs/<key>`, reused until a
source changes.
"""

UV_VERSION = "0.13.9"
"""The uv release generated CI jobs bootstrap with (tested with it; `ci.uv_version` overrides)."""
