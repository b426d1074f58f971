#!/usr/bin/env bash
# The README's first set-up command: install pipelinekit, then run the main job on a copy of
# the bundled example repository: init -> plan -> stage lint -> stage test.
# Usage: scripts/demo.sh [WORKDIR]   (default: a fresh temporary folder, kept for a look)
set -euo pipefail
repo_root=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d -t pipelinekit-demo.XXXXXX)}
venv="$work/venv"

python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$repo_root[lint,test]"

example="$work/churn-model"
rm -rf "$example"
cp -r "$repo_root/examples/churn-model" "$example"
git -C "$example" init --quiet --initial-branch=main
# The example's own dependencies go into the same venv, as a CI job's test step does.
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e "$example"

pk="$venv/bin/pipelinekit"
echo "== pipelinekit init $example"
"$pk" init "$example"
echo "== pipelinekit plan"
"$pk" plan "$example"
echo "== pipelinekit stage lint"
"$pk" stage lint "$example"
echo "== pipelinekit stage test"
"$pk" stage test "$example"
echo "== pipelinekit render --check"
"$pk" render --check "$example"
echo
echo "Generated files are in $example (Jenkinsfile, .gitlab-ci.yml, Dockerfile, ...)."
