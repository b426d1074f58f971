#!/usr/bin/env bash
# The README's first set-up command: install pipelinekit into a venv of its own, then run the
# main job on a fresh clone of the bundled example repository: init -> plan -> run (lint, the
# tests in the project's own environment, packaging) -> render --check. Nothing of the
# example's is installed by hand: `pipelinekit run` builds its environment as CI does.
# pipelinekit is installed from a copy of this checkout, so the build leaves no `build/` or
# `*.egg-info` behind in it.
# Usage: scripts/demo.sh [WORKDIR]   (default: a fresh temporary folder, kept for a look)
set -euo pipefail
repo_root=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d -t pipelinekit-demo.XXXXXX)}
venv="$work/venv"
python=${PYTHON:-python3}

echo "== creating a venv for pipelinekit in $venv"
"$python" -m venv "$venv"
source="$work/pipelinekit-src"
rm -rf "$source"
mkdir -p "$source"
tar -C "$repo_root" --exclude=.git --exclude=.tools --exclude=.venv --exclude=build \
  --exclude=dist --exclude='*.egg-info' --exclude=__pycache__ --exclude='.*_cache' \
  --exclude=.pipelinekit -cf - . | tar -C "$source" -xf -

# pip prints each package as it fetches it; the full log is kept for when it fails.
echo "== installing pipelinekit[lint,package] and its dependencies (about half a minute)"
log="$work/pip-install.log"
set +e
PYTHONUNBUFFERED=1 "$venv/bin/python" -m pip install --disable-pip-version-check \
  --progress-bar off "$source[lint,package]" 2>&1 | tee "$log" |
  sed -un -e 's/^Processing .*/   building pipelinekit from a copy of this checkout/p' \
    -e 's/^Collecting \([A-Za-z0-9._-]*\).*/   fetching \1/p' \
    -e 's/^Building wheel for \([^ ]*\).*/   building \1/p' \
    -e 's/^Installing collected packages: .*/   writing the packages into the venv/p' \
    -e 's/^Successfully installed .*/   done/p'
status=${PIPESTATUS[0]}
set -e
if ((status != 0)); then
  echo "pip install failed (exit $status); its output ($log):" >&2
  cat "$log" >&2
  exit "$status"
fi

example="$work/churn-model"
rm -rf "$example" "$work/origin"
# A fresh clone, as a CI job or a new team member gets it.
cp -r "$repo_root/examples/churn-model" "$work/origin"
git -C "$work/origin" init --quiet --initial-branch=main
git -C "$work/origin" add -A
git -C "$work/origin" -c user.name=demo -c user.email=demo@example.invalid \
  commit --quiet -m "churn-model"
git clone --quiet "$work/origin" "$example"

pk="$venv/bin/pipelinekit"
echo "== pipelinekit init $example (a fresh clone of examples/churn-model)"
"$pk" init "$example"
echo "== pipelinekit plan"
"$pk" plan "$example"
echo "== pipelinekit env show"
"$pk" env show "$example"
echo "== pipelinekit run (lint, test, package)"
"$pk" run "$example" --only lint,test,package
echo "== pipelinekit render --check"
"$pk" render --check "$example"
echo
echo "Generated files are in $example (Jenkinsfile, .gitlab-ci.yml, Dockerfile, ...)."
