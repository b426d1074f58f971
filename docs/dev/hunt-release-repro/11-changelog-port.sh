. "$(dirname "$0")/common.sh"
mk p; cd $W/p; git tag -a v1.0.0 -m r; c . -m "fix: x"
git remote set-url origin https://gitlab.example.com:8443/grp/p.git
pk release --dry-run --format json | grep -o '"changelog": "[^"]*commit/' 
git remote set-url origin http://git.internal:8080/grp/p.git
pk release --dry-run --format json | grep -o '"changelog": "[^"]*commit/'
