. "$(dirname "$0")/common.sh"
mk p; cd $W/p; git tag -a v1.0.0 -m r; git push -q origin v1.0.0
git checkout -qb develop; c . -m "feat: a"; git push -q -u origin develop; pk release      # 1.1.0-beta.1
git checkout -q main; git merge -q --no-ff develop -m "Merge branch 'develop'"; git push -q; pk release  # 1.1.0
git checkout -q develop; c . -m "feat: b"; git push -q
pk release next          # 1.1.0-beta.2 : a prerelease of the already released 1.1.0
pk release               # ...and it is published
pk release verify v1.1.0-beta.2 | tail -1
