. "$(dirname "$0")/common.sh"
mk p; cd $W/p; for i in $(seq 1 20); do c . -m "legacy $i"; done
git checkout -qb feature; c . -m "feat: f1"; git checkout -q main; for i in $(seq 1 25); do c . -m "chore: m$i"; done
git push -q origin main feature
git clone -q --depth 20 --no-single-branch file://$W/p.git $W/mr; cd $W/mr; git checkout -q --detach origin/feature
pk release lint origin/main..HEAD 2>&1 | tail -2      # 18 findings, all commits already on main
git fetch -q --unshallow; pk release lint origin/main..HEAD; echo "after unshallow: ok"
