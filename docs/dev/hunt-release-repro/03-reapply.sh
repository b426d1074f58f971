. "$(dirname "$0")/common.sh"
mk p; cd $W/p; git tag -a v1.0.0 -m r; c . -m "feat: add A"; A=$(git rev-parse HEAD)
git revert --no-edit HEAD >/dev/null; R=$(git rev-parse HEAD)
# message git >= 2.43 writes when reverting a revert:
git revert --no-commit HEAD; git commit -q -m "Reapply \"feat: add A\"" -m "This reverts commit $R."
pk release next          # nothing to release, though feat A is back in the code
pk release lint HEAD~1..HEAD
