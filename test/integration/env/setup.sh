#!/usr/bin/env bash
# Starts what the integration tests need, on loopback only: a Docker engine (no bridge network: containers
# use the host network), a local OCI registry and PostgreSQL with TLS; imports shell-less node base images.
# Idempotent: anything already running is kept. Writes .integration/env for the tests; teardown.sh stops
# exactly what this started, by PID. Needs root (apt-get, dockerd, running PostgreSQL as `postgres`).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
STATE_DIR="${BERTH_IT_STATE_DIR:-$REPO_ROOT/.integration}"
# Sockets live under a short /tmp path (unix socket paths are limited to 108 bytes); PostgreSQL's data
# too, because the `postgres` user must be able to reach it whatever the permissions of the checkout.
RUN_DIR="/tmp/berth-it-$(printf '%s' "$STATE_DIR" | sha256sum | cut -c1-12)"
ENV_FILE="$STATE_DIR/env"
PID_DIR="$STATE_DIR/pids"
LOG_DIR="$STATE_DIR/logs"
DOCKER_SOCK="$RUN_DIR/docker.sock"
export DOCKER_HOST="unix://$DOCKER_SOCK"
BUILD_IMAGE="berth-it/node-build:20"
RUNTIME_IMAGE="berth-it/node-runtime:20"
RUNTIME_NODE_DIR="/nodejs/bin" # the distroless layout, so the Dockerfile's default NODE_BIN_DIR is exercised
PG_USER="berth"

log() { printf '[integration setup] %s\n' "$*" >&2; }
die() { printf '[integration setup] ERROR: %s\n' "$*" >&2; exit 1; }

# Waits for a command to succeed: wait_until <seconds> <what> <command...>
wait_until() {
  local seconds="$1" what="$2"; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    (( SECONDS < deadline )) || die "$what did not come up within ${seconds}s (logs: $LOG_DIR, $RUN_DIR)"
    sleep 0.5
  done
}

is_running() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

pg_bin_dir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

install_packages() {
  local missing=()
  command -v dockerd >/dev/null || missing+=(docker.io)
  command -v docker-registry >/dev/null || missing+=(docker-registry)
  [[ -n "$(pg_bin_dir)" && -x "$(pg_bin_dir)/initdb" ]] || missing+=(postgresql)
  command -v psql >/dev/null || missing+=(postgresql-client)
  command -v openssl >/dev/null || missing+=(openssl)
  command -v curl >/dev/null || missing+=(curl)
  (( ${#missing[@]} == 0 )) && return 0
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >"$LOG_DIR/apt.log" 2>&1 || die "apt-get update failed (see $LOG_DIR/apt.log)"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >>"$LOG_DIR/apt.log" 2>&1 ||
    die "apt-get install ${missing[*]} failed (see $LOG_DIR/apt.log)"
}

start_dockerd() {
  if is_running "$PID_DIR/dockerd.pid" && docker version >/dev/null 2>&1; then
    log "dockerd already running (pid $(cat "$PID_DIR/dockerd.pid"))"
    return 0
  fi
  log "starting dockerd"
  mkdir -p "$STATE_DIR/docker" "$RUN_DIR/exec"
  # No bridge, no iptables: nothing but loopback is ever addressed; containers run with --network host.
  setsid dockerd \
    --data-root "$STATE_DIR/docker" \
    --exec-root "$RUN_DIR/exec" \
    --pidfile "$PID_DIR/dockerd.pid" \
    -H "unix://$DOCKER_SOCK" \
    --bridge=none --iptables=false --ip-forward=false --ip-masq=false \
    --userland-proxy=false --shutdown-timeout=5 \
    >"$LOG_DIR/dockerd.log" 2>&1 </dev/null &
  wait_until 60 "dockerd" docker version
}

start_registry() {
  if is_running "$PID_DIR/registry.pid" && [[ -f "$STATE_DIR/registry/address" ]] &&
    curl -fsS "http://$(cat "$STATE_DIR/registry/address")/v2/" >/dev/null 2>&1; then
    log "registry already running (pid $(cat "$PID_DIR/registry.pid"))"
    return 0
  fi
  local port; port="$(free_port)"
  log "starting registry on 127.0.0.1:$port"
  mkdir -p "$STATE_DIR/registry/data"
  # Our own minimal config: the packaged one enables htpasswd auth and listens on every interface.
  cat >"$STATE_DIR/registry/config.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $STATE_DIR/registry/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
EOF
  echo "127.0.0.1:$port" >"$STATE_DIR/registry/address"
  setsid bash -c 'echo $$ >"$1"; exec docker-registry serve "$2"' _ \
    "$PID_DIR/registry.pid" "$STATE_DIR/registry/config.yml" >"$LOG_DIR/registry.log" 2>&1 </dev/null &
  wait_until 30 "registry" curl -fsS "http://127.0.0.1:$port/v2/"
}

start_postgres() {
  local bin; bin="$(pg_bin_dir)"
  local pg_dir="$RUN_DIR/pg" # owned by postgres: data, socket and log
  local data="$pg_dir/data"
  if is_running "$PID_DIR/postgres.pid" && [[ -f "$STATE_DIR/postgres/port" ]] &&
    PGPASSWORD="$(cat "$STATE_DIR/postgres/password")" psql -h 127.0.0.1 -p "$(cat "$STATE_DIR/postgres/port")" \
      -U "$PG_USER" -d postgres -Atc 'select 1' >/dev/null 2>&1; then
    log "postgres already running (pid $(cat "$PID_DIR/postgres.pid"))"
    return 0
  fi
  mkdir -p "$STATE_DIR/postgres" "$pg_dir/sock"
  chown postgres: "$pg_dir" "$pg_dir/sock"
  chmod 700 "$pg_dir"
  if [[ ! -f "$data/PG_VERSION" || ! -f "$STATE_DIR/postgres/password" ]]; then
    log "initialising a PostgreSQL cluster in $data"
    rm -rf "$data"
    mkdir -p "$data"
    chown postgres: "$data"
    chmod 700 "$data"
    openssl rand -hex 16 >"$STATE_DIR/postgres/password"
    install -o postgres -m 600 "$STATE_DIR/postgres/password" "$pg_dir/pwfile"
    runuser -u postgres -- "$bin/initdb" -D "$data" -U "$PG_USER" --pwfile="$pg_dir/pwfile" \
      --auth=scram-sha-256 -E UTF8 --locale=C >"$LOG_DIR/initdb.log" 2>&1 || die "initdb failed (see $LOG_DIR/initdb.log)"
    rm -f "$pg_dir/pwfile"
    # A self-signed certificate, so the services' default DB_SSL=require is what the tests exercise.
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=localhost" \
      -keyout "$data/server.key" -out "$data/server.crt" >"$LOG_DIR/openssl.log" 2>&1
    chown postgres: "$data/server.key" "$data/server.crt"
    chmod 600 "$data/server.key"
  fi
  local port; port="$(free_port)"
  log "starting postgres on 127.0.0.1:$port"
  runuser -u postgres -- "$bin/pg_ctl" -D "$data" -l "$pg_dir/postgres.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$pg_dir/sock -c ssl=on -c fsync=off" \
    start >"$LOG_DIR/pg_ctl.log" 2>&1 || die "postgres did not start (see $pg_dir/postgres.log)"
  head -n 1 "$data/postmaster.pid" >"$PID_DIR/postgres.pid"
  echo "$port" >"$STATE_DIR/postgres/port"
}

# Copies a binary and the shared libraries it needs into a root filesystem, at the same paths.
copy_with_libs() {
  local root="$1" binary="$2" target="$3"
  mkdir -p "$root$(dirname "$target")"
  cp -L "$binary" "$root$target"
  local lib
  for lib in $(ldd "$binary" | grep -o '/[^ ]*' | sort -u); do
    [[ -e "$root$lib" ]] || cp -L --parents "$lib" "$root"
  done
}

base_rootfs() {
  local root="$1"
  mkdir -p "$root"/{etc/ssl/certs,tmp,root,home/nonroot}
  chmod 1777 "$root/tmp"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnonroot:x:65532:\n' >"$root/etc/group"
  # The host's CA bundle: it is what lets npm reach the registry through this network's TLS proxy.
  cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
}

import_base_images() {
  local node_bin; node_bin="$(readlink -f "$(command -v node)")"
  local work; work="$(mktemp -d "$RUN_DIR/rootfs.XXXXXX")"
  if ! docker image inspect "$RUNTIME_IMAGE" >/dev/null 2>&1; then
    log "importing $RUNTIME_IMAGE (node $(node --version), no shell)"
    base_rootfs "$work/runtime"
    copy_with_libs "$work/runtime" "$node_bin" "$RUNTIME_NODE_DIR/node"
    [[ ! -e "$work/runtime/bin/sh" ]] || die "runtime rootfs must not contain /bin/sh"
    tar -C "$work/runtime" -c . | docker import \
      --change "ENTRYPOINT [\"$RUNTIME_NODE_DIR/node\"]" \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
      - "$RUNTIME_IMAGE" >/dev/null
  fi
  if ! docker image inspect "$BUILD_IMAGE" >/dev/null 2>&1; then
    log "importing $BUILD_IMAGE (node $(node --version), npm, sh)"
    local npm_dir; npm_dir="$(cd "$(dirname "$(readlink -f "$(command -v npm)")")/.." && pwd)"
    base_rootfs "$work/build"
    copy_with_libs "$work/build" "$node_bin" /usr/local/bin/node
    copy_with_libs "$work/build" "$(readlink -f /bin/sh)" /bin/sh
    copy_with_libs "$work/build" "$(readlink -f "$(command -v env)")" /usr/bin/env
    mkdir -p "$work/build/usr/local/lib/node_modules"
    cp -a "$npm_dir" "$work/build/usr/local/lib/node_modules/npm"
    ln -s ../lib/node_modules/npm/bin/npm-cli.js "$work/build/usr/local/bin/npm"
    ln -s ../lib/node_modules/npm/bin/npx-cli.js "$work/build/usr/local/bin/npx"
    tar -C "$work/build" -c . | docker import \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'ENV HOME=/root' \
      --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
      - "$BUILD_IMAGE" >/dev/null
  fi
  rm -rf "$work"
  # Earlier runs' service images, superseded by the tag each run rewrites.
  docker image prune --force >/dev/null
}

write_env_file() {
  local tmp="$ENV_FILE.tmp"
  cat >"$tmp" <<EOF
# Written by test/integration/env/setup.sh; read by test/integration/helpers/integrationEnv.ts.
DOCKER_HOST=$DOCKER_HOST
BERTH_IT_REGISTRY=$(cat "$STATE_DIR/registry/address")
BERTH_IT_PG_HOST=127.0.0.1
BERTH_IT_PG_PORT=$(cat "$STATE_DIR/postgres/port")
BERTH_IT_PG_USER=$PG_USER
BERTH_IT_PG_PASSWORD=$(cat "$STATE_DIR/postgres/password")
BERTH_IT_BUILD_IMAGE=$BUILD_IMAGE
BERTH_IT_RUNTIME_IMAGE=$RUNTIME_IMAGE
BERTH_IT_RUNTIME_NODE_DIR=$RUNTIME_NODE_DIR
EOF
  mv "$tmp" "$ENV_FILE"
}

main() {
  [[ "$(id -u)" == 0 ]] || die "run as root: it installs packages and starts dockerd and PostgreSQL"
  mkdir -p "$STATE_DIR" "$PID_DIR" "$LOG_DIR" "$RUN_DIR"
  chmod 755 "$RUN_DIR"
  echo "$RUN_DIR" >"$STATE_DIR/run-dir"
  install_packages
  start_dockerd
  start_registry
  start_postgres
  import_base_images
  write_env_file
  log "ready: env in $ENV_FILE; stop with: bash test/integration/env/teardown.sh"
}

main "$@"
