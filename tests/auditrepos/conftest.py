"""The folders beside this file are golden repositories for the audit (see README.md): their
code is never imported or collected by pipelinekit's own test run."""

collect_ignore_glob = ["*"]
