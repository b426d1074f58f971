#!/usr/bin/env bash
# The whole check, exactly as CI runs it (.ci/run) and as developers run it before pushing:
# install the test tools, lint, type-check, then pytest with coverage. Extra arguments go to
# pytest (e.g. `scripts/test.sh -m "not slow"` or `scripts/test.sh tests/unit`).
set -euo pipefail

# Coverage floor for the pipelinekit package; the lead sets the final value.
COV_FAIL_UNDER=90

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-test-tools.sh

failed=()
step() {
  printf '\n==> %s\n' "$*"
  # Keep going after a failing step so one run reports every problem.
  if ! "$@"; then
    failed+=("$*")
  fi
}

step python -m ruff check .
step python -m ruff format --check .
step python -m mypy

# pytest runs last so its summary line is the last line of a green run.
printf '\n==> pytest\n'
set +e
# Two workers: most tests wait on real tools and servers, so two processes finish the suite in
# about 60% of one's time even on two cores (PYTEST_WORKERS=0 runs it in one process).
python -m pytest -n "${PYTEST_WORKERS:-2}" --dist loadgroup \
  --cov=pipelinekit --cov-report=term --cov-report=xml --cov-fail-under="$COV_FAIL_UNDER" \
  --durations=10 "$@"
pytest_rc=$?
set -e

if ((pytest_rc == 5)); then
  echo "FAILED: pytest collected no tests (exit 5); a run that tests nothing must not pass" >&2
  exit 1
fi
if ((${#failed[@]})); then
  printf 'FAILED: %s\n' "${failed[@]}" >&2
  exit 1
fi
exit "$pytest_rc"
