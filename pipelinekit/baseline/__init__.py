"""Adoption: the repository as it is, recorded in a committed baseline, and a ratchet that only
lets the debt go down.

`fingerprint` names each finding by its rule, file and the code around it (not its line
number, so moving code does not make old debt new); `store` reads and writes the baseline file
(`pipelinekit-baseline.json`, one finding per line, reviewable in a merge request); the lint
stage fails only on findings the baseline does not hold, and on code that cannot run whatever
the baseline says; `pipelinekit baseline update` lets the debt shrink, never grow unless a
reason is given.
"""
