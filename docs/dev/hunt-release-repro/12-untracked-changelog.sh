. "$(dirname "$0")/common.sh"
mk p; cd $W/p; git tag -a v1.0.0 -m r; c . -m "feat: x"; git push -q origin main --tags
echo "scratch notes, not for the repo" > CHANGELOG.md      # untracked
pk release; git show HEAD:CHANGELOG.md | head -2
