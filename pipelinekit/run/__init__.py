"""`pipelinekit run`: the planned jobs on this machine in dependency order, and the
content-hash cache that skips a job whose inputs did not change."""
