. "$(dirname "$0")/common.sh"
mk p; cd $W/p; git tag -a v1.0.0 -m r; git push -q origin v1.0.0
git checkout -qb feature/x; c . -m "feat: unreviewed"
pk release --branch main                 # refused: feature/x checked out
git checkout -q --detach; pk release --branch main   # same commit, detached: pushed onto main
git -C $W/p.git log --oneline -2 main
