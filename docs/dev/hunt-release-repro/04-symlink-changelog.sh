. "$(dirname "$0")/common.sh"
mk p; cd $W/p; mkdir docs; printf '# Changelog\n\n## 1.0.0 - 2024-01-01\n\n- first\n' > docs/changelog.md
ln -s docs/changelog.md CHANGELOG.md; git add -A; git commit -qm "docs: changelog"; git tag -a v1.0.0 -m r
c . -m "feat: x"; git push -q origin main --tags; pk release
git ls-tree HEAD CHANGELOG.md                  # 120000 (symlink) ...
git cat-file -p HEAD:CHANGELOG.md | head -3    # ... whose target is the changelog text
git status --short                             # T CHANGELOG.md ; docs/changelog.md untouched
