set -e
export PYTHONPATH=${PK_SRC:-/work/main} GIT_AUTHOR_NAME=dev GIT_AUTHOR_EMAIL=d@x GIT_COMMITTER_NAME=dev GIT_COMMITTER_EMAIL=d@x
unset CI_COMMIT_BRANCH BRANCH_NAME GITHUB_HEAD_REF GITHUB_REF_NAME CI_COMMIT_TAG TAG_NAME
pk() { python -m pipelinekit "$@" || echo "[exit $?]"; }
c() { echo "$RANDOM" >> "$1/f.txt"; git -C "$1" add f.txt; shift_dir=$1; shift; git -C "$shift_dir" commit -q "$@"; }
# mk NAME VERSION: bare origin NAME.git + clone NAME with pyproject, package, tag v1.0.0
mk() { local d=$W/$1; git init -q --bare -b main $d.git; git init -q -b main $d
  mkdir -p $d/src/demo; printf '[project]\nname = "demo"\nversion = "%s"\n' "${2:-1.0.0}" > $d/pyproject.toml
  echo "__version__ = \"${2:-1.0.0}\"" > $d/src/demo/__init__.py
  git -C $d add -A; git -C $d commit -qm "chore: init"; git -C $d remote add origin $d.git; git -C $d push -q -u origin main; }
W=$(mktemp -d /tmp/pk-hunt-release.XXXX)
