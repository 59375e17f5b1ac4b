# Shared set-up for scripts/run and scripts/test: system packages, the virtualenv, the sandbox engine and its images.
# Sourced, not run. Every step is idempotent: a second run only checks.
set -euo pipefail

project_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=$project_dir/.venv
python_bin=$venv/bin/python
SYSTEM_PACKAGES=(python3 python3-venv docker.io tini uidmap e2fsprogs busybox-static debootstrap tar ca-certificates gettext docker-registry curl iproute2 util-linux)

say() { echo "layerlab: $*" >&2; }

# Installs whichever of the given Debian packages (default: SYSTEM_PACKAGES) are missing.
ensure_system_packages() {
  local missing=() wanted=("$@")
  [ ${#wanted[@]} -gt 0 ] || wanted=("${SYSTEM_PACKAGES[@]}")
  for package in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return
  if [ "$(id -u)" != 0 ]; then
    say "missing system packages: ${missing[*]} (install them with sudo apt-get install, then run this again)"
    exit 1
  fi
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
}

# The newest python3.11+ on PATH: Django 5.2 and this code need 3.11.
find_python() {
  for candidate in python3.13 python3.12 python3.11 python3; do
    command -v "$candidate" >/dev/null || continue
    "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { command -v "$candidate"; return; }
  done
  say "Python 3.11 or newer is needed"; exit 1
}

ensure_venv() {
  local stamp=$venv/.requirements.sha256 wanted
  wanted=$(sha256sum "$project_dir/requirements.txt" | cut -d' ' -f1)
  [ -x "$python_bin" ] || { say "creating the virtualenv in .venv"; "$(find_python)" -m venv "$venv"; }
  [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ] && return
  say "installing Python requirements"
  "$python_bin" -m pip install -q --disable-pip-version-check -r "$project_dir/requirements.txt"
  echo "$wanted" >"$stamp"
}

manage() { (cd "$project_dir" && "$python_bin" manage.py "$@"); }

# Use SANDBOX_DOCKER_HOST when it is set (an engine you run yourself); otherwise start the project's own engine.
# Sets started_engine=1 when this call started a daemon, so that the caller can stop it again, and own_engine=1
# when the engine is the project's (fenced) one.
started_engine=0
own_engine=0
ensure_engine() {
  if [ -n "${SANDBOX_DOCKER_HOST:-}" ]; then
    say "using the engine at $SANDBOX_DOCKER_HOST"
    return
  fi
  own_engine=1
  if ! "$project_dir/scripts/sandbox-engine" status; then
    "$project_dir/scripts/sandbox-engine" start
    started_engine=1
  fi
  export "$("$project_dir/scripts/sandbox-engine" env)"
}

# Everything the product needs but its database: packages, Python, translations, the engine and its images.
setup_all() {
  ensure_system_packages
  ensure_venv
  manage compilemessages --ignore=.venv --ignore=var --ignore=frontend >/dev/null
  ensure_engine
  manage sandbox_images
}
