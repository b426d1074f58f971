. "$(dirname "$0")/common.sh"
mk p 2.3.0; cd $W/p; git tag -a v1.0.0 -m r; c . -m "fix: x"; git push -q origin main --tags
pk release; grep version pyproject.toml     # 2.3.0 -> 1.0.1, no warning
mk q 1.4.0; cd $W/q; c . -m "feat: x"; git push -q; pk release next   # no tags: 0.1.0 over 1.4.0
