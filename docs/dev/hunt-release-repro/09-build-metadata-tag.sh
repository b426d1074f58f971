. "$(dirname "$0")/common.sh"
mk p; cd $W/p; git tag -a v1.0.0 -m r; c . -m "feat: x"; git tag -a v1.1.0+build.7 -m ci-build
pk release next                 # nothing: v1.1.0+build.7 counted as the 1.1.0 release
c . -m "fix: y"; pk release --dry-run | head -2      # 1.1.1 "patch from v1.1.0+build.7"; 1.1.0 never released
pk release verify v1.1.0+build.7 | tail -1            # while verify rejects that tag
