#!/usr/bin/env bash
# A throwaway PostgreSQL 15 server with pgvector, for tests and local trials.
#
#   eval "$(bash scripts/pg-test-server.sh start)"   # exports ENGRAM_TEST_PG_URL and ENGRAM_TEST_PG_DIR
#   bash scripts/pg-test-server.sh stop "$ENGRAM_TEST_PG_DIR"
#
# start: installs PostgreSQL 15 and its server headers from Debian when they are missing, builds
# pgvector into the system PostgreSQL from a writable copy of ../shared/vendor/pgvector-0.8.6 when
# the extension is missing, runs initdb in a new temporary directory as the `postgres` user
# (PostgreSQL refuses to run as root), starts the server on a free loopback port and creates the
# database `engram_test` with the extension. It prints shell `export` lines (and nothing else on
# stdout); progress goes to stderr. The server trusts local connections: it is for tests only.
set -euo pipefail

PG_BIN=/usr/lib/postgresql/15/bin
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENDOR="${PGVECTOR_SOURCE:-$ROOT/../shared/vendor/pgvector-0.8.6}"

log() { echo "[pg-test-server] $*" >&2; }

install_postgres() {
  if [ -x "$PG_BIN/postgres" ] && [ -x "$PG_BIN/pg_config" ] && [ -d /usr/include/postgresql/15/server ]; then
    return
  fi
  log "installing postgresql-15 and postgresql-server-dev-15 from Debian"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 postgresql-server-dev-15 >&2
}

install_pgvector() {
  local share
  share="$("$PG_BIN/pg_config" --sharedir)"
  if [ -f "$share/extension/vector.control" ]; then return; fi
  if [ ! -f "$VENDOR/vector.control" ]; then
    log "pgvector is not installed and its source is not at $VENDOR (set PGVECTOR_SOURCE)"
    exit 1
  fi
  local build
  build="$(mktemp -d)"
  log "building pgvector from $VENDOR"
  cp -r "$VENDOR/." "$build/"
  # OPTFLAGS="" leaves out -march=native, so the build runs on any x86-64 machine.
  make -s -C "$build" PG_CONFIG="$PG_BIN/pg_config" OPTFLAGS="" >&2
  make -s -C "$build" PG_CONFIG="$PG_BIN/pg_config" install >&2
  rm -rf "$build"
}

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

as_postgres() {
  # From / : the caller's directory may be private (a CI clone in mktemp -d is 0700).
  if [ "$(id -u)" = "0" ]; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

start() {
  install_postgres
  install_pgvector
  local dir port
  dir="$(mktemp -d -t engram-pg-XXXXXX)"
  chmod 0755 "$dir"
  mkdir "$dir/data"
  if [ "$(id -u)" = "0" ]; then chown -R postgres:postgres "$dir"; fi
  port="$(free_port)"
  log "initdb in $dir/data"
  as_postgres "$PG_BIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c maintenance_work_mem=3GB" \
    start >&2
  as_postgres "$PG_BIN/psql" -q -h "$dir" -p "$port" -U postgres -d postgres -c "CREATE DATABASE engram_test" >&2
  as_postgres "$PG_BIN/psql" -q -h "$dir" -p "$port" -U postgres -d engram_test -c "CREATE EXTENSION vector" >&2
  log "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') with pgvector on 127.0.0.1:$port"
  echo "export ENGRAM_TEST_PG_URL='postgres://postgres@127.0.0.1:$port/engram_test'"
  echo "export ENGRAM_TEST_PG_DIR='$dir'"
}

stop() {
  local dir="${1:-${ENGRAM_TEST_PG_DIR:-}}"
  if [ -z "$dir" ] || [ ! -d "$dir/data" ]; then
    log "no server directory given (pass the ENGRAM_TEST_PG_DIR that start printed)"
    exit 1
  fi
  as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  *)
    echo "usage: $0 start | stop <dir>" >&2
    exit 2
    ;;
esac
