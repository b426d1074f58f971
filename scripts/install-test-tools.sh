#!/usr/bin/env bash
# Install the external tools the test suite runs against (see shared/design/test-infra.md).
# Idempotent and quick when everything is present: apt and npm are only called for what is
# missing or at the wrong version. Nothing global is exported; tests locate tools through
# tests/support/tools.py.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools_dir="${repo_root}/.tools"

# Pinned: gitlab-ci-local 4.74+ needs Node 22; the machine has Node 20.
npm_pins=("gitlab-ci-local@4.73.0" "npm-groovy-lint@16.2.0")
# prometheus-pushgateway and chromium: the metrics tests push to a real gateway and load the
# HTML page in headless Chromium (as do the audit's HTML report tests).
apt_packages=(groovy rsync git prometheus-pushgateway chromium)

log() { printf '[install-test-tools] %s\n' "$*"; }

# --- Debian packages -------------------------------------------------------------------------
missing_apt=()
for pkg in "${apt_packages[@]}"; do
  # `dpkg -s` exits 0 for half-removed packages too, so check the status line itself.
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q '^install ok installed$'; then
    missing_apt+=("$pkg")
  fi
done
if ((${#missing_apt[@]} == 0)); then
  log "apt: ${apt_packages[*]} already installed"
elif [[ "$(id -u)" != 0 ]]; then
  log "apt: NOT root, cannot install: ${missing_apt[*]}"
  log "apt: tests that need them will skip (or fail, with CI=true)"
else
  log "apt: installing ${missing_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # With recommends, as verified here: groovy's lib/ links to ant, gpars and jcommander jars.
  apt-get install -y -qq "${missing_apt[@]}" >/dev/null
fi

# --- npm tools, pinned into the git-ignored .tools/ folder ------------------------------------
installed_version() {
  # Version of an npm package in .tools, or nothing; read with node to avoid a jq dependency.
  local manifest="${tools_dir}/node_modules/$1/package.json"
  [[ -f "$manifest" ]] || return 0
  node -e 'process.stdout.write(require(process.argv[1]).version)' "$manifest"
}

missing_npm=()
for pin in "${npm_pins[@]}"; do
  name="${pin%@*}"
  want="${pin##*@}"
  have="$(installed_version "$name")"
  if [[ "$have" != "$want" || ! -x "${tools_dir}/node_modules/.bin/${name}" ]]; then
    missing_npm+=("$pin")
  fi
done
if ((${#missing_npm[@]} == 0)); then
  log "npm: ${npm_pins[*]} already in .tools/"
elif ! command -v npm >/dev/null 2>&1; then
  log "npm: npm not found, cannot install: ${missing_npm[*]}"
else
  log "npm: installing ${missing_npm[*]} into .tools/"
  mkdir -p "$tools_dir"
  # A package.json of our own keeps npm from walking up and adopting the repo as its project.
  [[ -f "${tools_dir}/package.json" ]] ||
    printf '{"name": "pipelinekit-test-tools", "private": true}\n' >"${tools_dir}/package.json"
  npm install --prefix "$tools_dir" --no-audit --no-fund --loglevel=error --save-exact \
    "${npm_pins[@]}"
fi

# --- the package itself with its dev extras ---------------------------------------------------
# A no-op `pip install -e .[dev]` still costs ~5 s (it rebuilds the editable wheel), so skip it
# when pipelinekit imports from this checkout and every requirement of pyproject's dependencies
# and dev extras is satisfied; any change to pyproject.toml forces a reinstall via the stamp.
cd "$repo_root"
stamp="${tools_dir}/pip-install.stamp"
python_exe="$(python -c 'import sys; print(sys.executable)')"
want_stamp="${python_exe} $(sha256sum pyproject.toml | cut -d' ' -f1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want_stamp" ]] &&
  python -I - "$repo_root" <<'PY'; then
import importlib.metadata as md
import json
import pathlib
import sys
import tomllib

from packaging.requirements import Requirement

# The installed distribution (-I: not the egg-info that setuptools leaves in the checkout).
root = pathlib.Path(sys.argv[1]).resolve()
direct = json.loads(md.distribution("pipelinekit").read_text("direct_url.json") or "{}")
if direct.get("url") != root.as_uri() or not direct.get("dir_info", {}).get("editable"):
    sys.exit(1)
project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
extras = project.get("optional-dependencies", {})
todo, seen, reqs = ["dev"], set(), list(project.get("dependencies", []))
while todo:  # expand self-references such as "pipelinekit[s3,docker]"
    extra = todo.pop()
    if extra in seen:
        continue
    seen.add(extra)
    for spec in extras.get(extra, []):
        req = Requirement(spec)
        if req.name == project["name"]:
            todo.extend(req.extras)
        else:
            reqs.append(spec)
for spec in reqs:
    req = Requirement(spec)
    try:
        have = md.version(req.name)
    except md.PackageNotFoundError:
        sys.exit(1)
    if not req.specifier.contains(have, prereleases=True):
        sys.exit(1)
PY
  log "pip: pipelinekit[dev] already installed editable from this checkout"
else
  log "pip: installing -e .[dev]"
  python -m pip install -q --disable-pip-version-check --root-user-action=ignore -e '.[dev]'
  mkdir -p "$tools_dir"
  printf '%s\n' "$want_stamp" >"$stamp"
fi
