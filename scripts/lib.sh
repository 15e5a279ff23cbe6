# Shared helpers for the demo and test scripts. Source it: `. "$(dirname "$0")/lib.sh"`.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_DIR="${VOLIXTA_CACHE_DIR:-$ROOT/.cache}"
CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/volixta-target}"
export CARGO_TARGET_DIR
SERVICE_BIN="${VOLIXTA_SERVICE_BIN:-$CARGO_TARGET_DIR/debug/volixta-service}"
WP_ROOT=/usr/share/wordpress

say()  { printf '==> %s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die()  { printf 'error: %s\n' "$*" >&2; exit 1; }

# port_open HOST PORT: true when something accepts TCP connections there.
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# wait_for NAME SECONDS COMMAND...: retry COMMAND every 0.25 s until it succeeds.
wait_for() {
  local name=$1 secs=$2; shift 2
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      warn "$name did not answer within ${secs}s"
      return 1
    fi
    sleep 0.25
  done
}

http_ok() { curl -fsS -o /dev/null --max-time 5 "$1"; }

# pid_alive FILE: the process whose id FILE holds is running.
pid_alive() { [[ -s $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

# start_bg NAME PIDFILE LOGFILE COMMAND...: start COMMAND in its own session (so stop_bg can end
# its whole process group: php -S forks workers) with output to LOGFILE.
start_bg() {
  local name=$1 pidfile=$2 log=$3; shift 3
  mkdir -p "$(dirname "$pidfile")" "$(dirname "$log")"
  setsid "$@" >>"$log" 2>&1 < /dev/null &
  echo $! >"$pidfile"
  say "started $name (pid $(cat "$pidfile"), log $log)"
}

# stop_bg NAME PIDFILE: end the process group started by start_bg, politely then firmly.
stop_bg() {
  local name=$1 pidfile=$2 pid
  if ! pid_alive "$pidfile"; then
    rm -f "$pidfile"
    return 0
  fi
  pid=$(cat "$pidfile")
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$pidfile"
  say "stopped $name (pid $pid)"
}
