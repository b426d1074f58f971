. "$(dirname "$0")/common.sh"
mk p; cd $W/p; git tag -a v1.0.0 -m r; git push -q origin v1.0.0; c . -m "feat: one"; git push -q
git clone -q --no-tags $W/p.git $W/ci; git -C $W/ci fetch -q --tags          # CI workspace knows v1.0.0
pk release >/dev/null; c . -m "fix: after release"; git push -q               # v1.1.0 released elsewhere
cd $W/ci; git fetch -q origin; git checkout -q --detach origin/main            # reused workspace, no tag refresh
echo "release next:"; BRANCH_NAME=main pk release next                          # prints 1.1.0 (already released)
echo "dry-run:"; BRANCH_NAME=main pk release --dry-run | head -1               # says 1.1.0
echo "release:"; cp -a $W/ci $W/ci2; (cd $W/ci2; BRANCH_NAME=main pk release)  # actually releases 1.1.1
echo "verify with partial tags:"; git clone -q --no-tags $W/p.git $W/jt; cd $W/jt
git fetch -q origin refs/tags/v1.0.0:refs/tags/v1.0.0 refs/tags/v1.1.1:refs/tags/v1.1.1; git checkout -q --detach v1.1.1
TAG_NAME=v1.1.1 pk release verify 2>&1 | grep -E "FAIL|exit"
