. "$(dirname "$0")/common.sh"
# A dry run now asks the push remote for its release tags (hunt #1), so a made-up remote host
# cannot be used end to end any more; the links come from changelog.web_url(remote URL).
cd "$W"   # python -c puts the current folder first on sys.path
for url in https://gitlab.example.com:8443/grp/p.git http://git.internal:8080/grp/p.git; do
  python -c "import sys; from pipelinekit.release.changelog import web_url; print(web_url(sys.argv[1]))" "$url"
done   # was https://gitlab.example.com/grp/p (port dropped) and https://git.internal:8080/... (scheme changed)
