. "$(dirname "$0")/common.sh"
cp -r /work/main/examples/churn-model $W/ex; cd $W/ex; git init -q -b main; git add -A; git commit -qm "chore: init"
python -m pipelinekit init . >/dev/null 2>&1
printf '\n[tool.pipelinekit.release]\nrequire_conventional = true\n' >> pyproject.toml
python -m pipelinekit plan . | grep -i -E "lint|release"     # no `release lint` job for merge requests
