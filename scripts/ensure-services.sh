#!/usr/bin/env bash
# ensure-services.sh makes sure the server binaries the integration tests start privately
# (redis-server, etcd and etcdctl, PostgreSQL's initdb/postgres) are installed.
# It is idempotent: it installs only what is missing, and says what it finds and does.
# Usage: bash scripts/ensure-services.sh
set -euo pipefail

log() { printf 'ensure-services: %s\n' "$*"; }

missing=()

if command -v redis-server >/dev/null 2>&1; then
  log "redis-server present ($(command -v redis-server))"
else
  log "redis-server missing: will install redis-server"
  missing+=(redis-server)
fi

if command -v etcd >/dev/null 2>&1 && command -v etcdctl >/dev/null 2>&1; then
  log "etcd present ($(command -v etcd)), etcdctl present ($(command -v etcdctl))"
else
  log "etcd or etcdctl missing: will install etcd-server and etcd-client"
  missing+=(etcd-server etcd-client)
fi

if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  log "postgresql present ($(compgen -G '/usr/lib/postgresql/*/bin/initdb' | head -n1))"
else
  log "postgresql initdb missing: will install postgresql"
  missing+=(postgresql)
fi

if [ "${#missing[@]}" -eq 0 ]; then
  log "nothing to install"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  log "apt-get not found: install ${missing[*]} with this system's package manager, then run again" >&2
  exit 1
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo_cmd=(sudo)
  else
    log "not root and sudo not found: run as root to install ${missing[*]}" >&2
    exit 1
  fi
fi

log "running apt-get update"
"${sudo_cmd[@]}" apt-get update -qq
log "installing ${missing[*]}"
# The packages' own service units are not wanted: the tests start private instances.
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"

for bin in redis-server etcd etcdctl; do
  command -v "$bin" >/dev/null 2>&1 || { log "$bin still missing after install" >&2; exit 1; }
done
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || { log "postgresql initdb still missing after install" >&2; exit 1; }
log "done"
