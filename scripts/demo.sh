#!/usr/bin/env bash
# The README's first set-up command: install pipelinekit into a venv of its own, then run the
# main job on a fresh clone of the bundled example repository: init -> plan -> run (lint, the
# tests in the project's own environment, packaging) -> render --check. Nothing of the
# example's is installed by hand: `pipelinekit run` builds its environment as CI does.
# Usage: scripts/demo.sh [WORKDIR]   (default: a fresh temporary folder, kept for a look)
set -euo pipefail
repo_root=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d -t pipelinekit-demo.XXXXXX)}
venv="$work/venv"
python=${PYTHON:-python3}

"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$repo_root[lint,package]"

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
echo "== pipelinekit init $example"
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
