. "$(dirname "$0")/common.sh"
mk p; cd $W/p; sed -i 's/$/\r/' pyproject.toml; printf '# Changelog\r\n\r\n## 1.0.0 - 2024-01-01\r\n\r\n- first\r\n' > CHANGELOG.md
git add -A; git commit -qm "chore: crlf"; git tag -a v1.0.0 -m r; c . -m "fix: x"; git push -q origin main --tags
pk release; git show --stat HEAD | tail -4; file pyproject.toml CHANGELOG.md
