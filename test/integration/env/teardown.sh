#!/usr/bin/env bash
# Stops exactly the daemons setup.sh started (dockerd, the registry, PostgreSQL), by the PIDs it recorded.
# Keeps images and data for the next run (fast start); `--purge` removes them as well.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
STATE_DIR="${BERTH_IT_STATE_DIR:-$REPO_ROOT/.integration}"
PID_DIR="$STATE_DIR/pids"
PURGE=false
[[ "${1:-}" == "--purge" ]] && PURGE=true

log() { printf '[integration teardown] %s\n' "$*" >&2; }

# stop <name> <expected process name> <signal>: signal the recorded PID if it still is that daemon, then wait.
stop() {
  local name="$1" comm="$2" signal="$3" file="$PID_DIR/$1.pid"
  [[ -f "$file" ]] || return 0
  local pid; pid="$(cat "$file")"
  if ! kill -0 "$pid" 2>/dev/null; then
    log "$name (pid $pid) is not running"
  elif [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" != "$comm" ]]; then
    log "pid $pid is no longer $name: left alone"
  else
    log "stopping $name (pid $pid)"
    kill "-$signal" "$pid"
    local deadline=$((SECONDS + 30))
    while kill -0 "$pid" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
      log "$name (pid $pid) still running after 30s: killing it"
      kill -KILL "$pid"
    fi
  fi
  rm -f "$file"
}

rm -f "$STATE_DIR/env"
stop registry docker-registry TERM
stop postgres postgres INT # SIGINT is PostgreSQL's "fast" shutdown
stop dockerd dockerd TERM  # dockerd stops its containers and its own containerd

# Mount points the stopped engine left under our own directories (dockerd keeps its netns bind mount).
unmount_under() {
  local dir="$1" target
  [[ -n "$dir" && -d "$dir" ]] || return 0
  for target in $(findmnt -rn -o TARGET | grep -F "$dir/" | sort -r); do
    umount "$target" 2>/dev/null || umount -l "$target"
  done
}

if $PURGE; then
  RUN_DIR="$(cat "$STATE_DIR/run-dir" 2>/dev/null || true)"
  log "removing $STATE_DIR${RUN_DIR:+ and $RUN_DIR}"
  if [[ -n "$RUN_DIR" && "$RUN_DIR" == /tmp/berth-it-* ]]; then
    unmount_under "$RUN_DIR"
    rm -rf "$RUN_DIR"
  fi
  unmount_under "$STATE_DIR"
  rm -rf "$STATE_DIR"
fi
