"""Docker: the Dockerfile renderer (render, templates/, cuda) and what the docker stage uses to
build, tag, smoke-test and push the image (buildcontext, prefetch, meta, tags, client)."""
