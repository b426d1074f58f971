"""Calls R through Rscript: the code under test of this golden repository."""

import subprocess


def r_eval(expression: str) -> str:
    done = subprocess.run(
        ["Rscript", "-e", f"cat({expression})"], capture_output=True, text=True, check=True
    )
    return done.stdout
