#!/usr/bin/env bash
# A three-node MariaDB Galera cluster on this machine, for the cluster tests and for trying a
# multi-primary setup (docs/scaling.md):
#   scripts/galera.sh start    initialise (first time) and start nodes 1-3; prints the URLs
#   scripts/galera.sh stop     stop the three nodes (their data stays)
#   scripts/galera.sh status   the cluster size each node reports
#   scripts/galera.sh urls     the nodes' database URLs, one per line
# Nodes listen on 127.0.0.1:3311-3313 (root, no password), Galera on 4571-4573, incremental state
# transfer on 4581-4583, full state transfer (rsync) on 4591-4593. Data, sockets and logs live
# in $VOLIXTA_GALERA_DIR (default target/galera). Node 1 bootstraps the cluster; the others join it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

DIR="${VOLIXTA_GALERA_DIR:-$ROOT/target/galera}"
NODES=(1 2 3)
PROVIDER=/usr/lib/galera/libgalera_smm.so

port() { echo $((3310 + $1)); }

config() {
  local n=$1 d="$DIR/node$1"
  cat <<EOF
[mariadbd]
datadir=$d/data
socket=$d/mysqld.sock
pid-file=$d/mysqld.pid
port=$(port "$n")
bind-address=127.0.0.1
log-error=$d/error.log
skip-name-resolve
max_connections=400
innodb_buffer_pool_size=128M
innodb_log_file_size=48M
innodb_flush_log_at_trx_commit=2
binlog_format=ROW
default_storage_engine=InnoDB
innodb_autoinc_lock_mode=2
wsrep_on=ON
wsrep_provider=$PROVIDER
wsrep_cluster_name=volixta_test
wsrep_node_name=node$n
wsrep_node_address=127.0.0.1:$((4570 + n))
wsrep_cluster_address=gcomm://127.0.0.1:4571,127.0.0.1:4572,127.0.0.1:4573
wsrep_provider_options="base_port=$((4570 + n));gmcast.listen_addr=tcp://127.0.0.1:$((4570 + n));ist.recv_addr=127.0.0.1:$((4580 + n))"
wsrep_sst_method=rsync
wsrep_sst_receive_address=127.0.0.1:$((4590 + n))
EOF
}

cluster_size() {
  mariadb --protocol=TCP -h127.0.0.1 -P"$(port "$1")" -uroot -N -e "SHOW STATUS LIKE 'wsrep_cluster_size'" 2>/dev/null | awk '{print $2}'
}

node_ready() {
  [[ "$(mariadb --protocol=TCP -h127.0.0.1 -P"$(port "$1")" -uroot -N -e "SHOW STATUS LIKE 'wsrep_ready'" 2>/dev/null | awk '{print $2}')" == ON ]]
}

start_node() {
  local n=$1 d="$DIR/node$1"
  if pid_alive "$d/mysqld.pid"; then return 0; fi
  mkdir -p "$d"
  config "$n" >"$d/my.cnf"
  if [[ ! -d $d/data/mysql ]]; then
    mariadb-install-db --defaults-file="$d/my.cnf" --user=mysql --auth-root-authentication-method=normal \
      --skip-test-db >"$d/install.log" 2>&1 || { cat "$d/install.log" >&2; die "node $n did not initialise"; }
  fi
  chown -R mysql:mysql "$d"
  local extra=()
  # The first node starts a new cluster; it must also be safe to bootstrap after a clean stop.
  if ((n == 1)); then
    extra=(--wsrep-new-cluster)
    [[ ! -f $d/data/grastate.dat ]] || sed -i 's/^safe_to_bootstrap: 0/safe_to_bootstrap: 1/' "$d/data/grastate.dat"
  fi
  setsid mariadbd --defaults-file="$d/my.cnf" --user=mysql "${extra[@]}" >>"$d/stdout.log" 2>&1 </dev/null &
  wait_for "galera node $n" 90 node_ready "$n" || { tail -30 "$d/error.log" >&2; die "galera node $n did not become ready"; }
}

start() {
  [[ -x $PROVIDER ]] || [[ -f $PROVIDER ]] || die "$PROVIDER is missing (apt-get install galera-4)"
  command -v rsync >/dev/null || die "rsync is missing (apt-get install rsync)"
  for n in "${NODES[@]}"; do start_node "$n"; done
  for n in "${NODES[@]}"; do
    wait_for "galera node $n to see 3 nodes" 60 test "$(cluster_size "$n")" = 3 || die "node $n sees $(cluster_size "$n") nodes"
  done
  # The tests connect as root over TCP from 127.0.0.1; a fresh node only knows root@localhost.
  mariadb --protocol=TCP -h127.0.0.1 -P"$(port 1)" -uroot -e \
    "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1'; GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;" 2>/dev/null || true
  say "galera cluster of 3 nodes:"
  urls
}

stop() {
  # Joined nodes first, the bootstrap node last, so it is the safe one to bootstrap next time.
  for n in 3 2 1; do
    local pidfile="$DIR/node$n/mysqld.pid"
    if pid_alive "$pidfile"; then
      local pid
      pid=$(cat "$pidfile")
      kill "$pid"
      wait_for "galera node $n to stop" 60 bash -c "! kill -0 $pid" || kill -9 "$pid" 2>/dev/null || true
    fi
  done
}

status() {
  for n in "${NODES[@]}"; do
    printf 'node %s (port %s): cluster size %s\n' "$n" "$(port "$n")" "$(cluster_size "$n" || echo '-')"
  done
}

urls() {
  for n in "${NODES[@]}"; do echo "mysql://root@127.0.0.1:$(port "$n")"; done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  urls) urls ;;
  *) die "usage: $0 start|stop|status|urls" ;;
esac
