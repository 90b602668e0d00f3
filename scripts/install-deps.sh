#!/usr/bin/env bash
# Installs what MV Service needs when it is missing, on any current Debian or Ubuntu: the distribution's PostgreSQL
# (server and client, whatever major version it ships), ffmpeg/ffprobe, runuser, and the schemathesis API fuzzer.
set -euo pipefail

# The PostgreSQL server binaries, as the service looks for them: /usr/lib/postgresql/<major>/bin (highest major wins).
have_postgres_server() {
  local initdb
  for initdb in /usr/lib/postgresql/*/bin/initdb; do
    [ -x "$initdb" ] && return 0
  done
  return 1
}

need=()
have_postgres_server || need+=(postgresql)
command -v psql >/dev/null 2>&1 || need+=(postgresql-client)
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
command -v ffprobe >/dev/null 2>&1 || need+=(ffmpeg)
command -v runuser >/dev/null 2>&1 || need+=(util-linux)
need_schemathesis=false
command -v schemathesis >/dev/null 2>&1 || need_schemathesis=true
if $need_schemathesis && ! command -v pip3 >/dev/null 2>&1 && ! command -v pip >/dev/null 2>&1; then
  need+=(python3-pip)
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

if [ ${#need[@]} -gt 0 ]; then
  # De-duplicate (ffmpeg may be listed twice).
  mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
  echo "installing: ${need[*]}"
  # Wait for another apt/dpkg run (a parallel CI job) instead of failing on its lock.
  $sudo apt-get -o DPkg::Lock::Timeout=300 update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends \
    "${need[@]}" fonts-dejavu-core >/dev/null
fi
# Debian's postgresql package may start a system cluster; MV Service runs its own, so it is not needed.

if ! have_postgres_server; then
  echo "install-deps: no PostgreSQL server binaries under /usr/lib/postgresql/*/bin after installing" >&2
  exit 1
fi

if $need_schemathesis; then
  pip=pip3
  command -v pip3 >/dev/null 2>&1 || pip=pip
  user_flag=()
  [ "$(id -u)" -eq 0 ] || user_flag=(--user)
  echo "installing: schemathesis (pip)"
  # Debian 12+ and Ubuntu 23.04+ mark the system Python as externally managed (PEP 668); a Python of its own
  # (pyenv, a venv) takes the plain install, the system one needs --break-system-packages.
  if ! "$pip" install --quiet "${user_flag[@]}" schemathesis; then
    "$pip" install --quiet "${user_flag[@]}" --break-system-packages schemathesis
  fi
  hash -r
  command -v pyenv >/dev/null 2>&1 && pyenv rehash >/dev/null 2>&1 || true
  if ! command -v schemathesis >/dev/null 2>&1; then
    echo "install-deps: schemathesis installed but not on PATH (pip --user puts it in ~/.local/bin)" >&2
  fi
fi
