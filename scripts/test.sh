#!/usr/bin/env bash
# `make test`: runs every suite even when an earlier one fails, then prints one summary:
#   rust  cargo test --workspace        (MariaDB at VOLIXTA_TEST_DATABASE_URL)
#   php   phpunit -c wp-plugin/volixta/phpunit.xml.dist
#   e2e   node --test tests/e2e/        (service + WordPress + Chromium + maildev)
#   cluster  the cluster tests (service/tests/api/cluster.rs) on a three-node Galera cluster that
#            scripts/galera.sh starts and stops for them (about a minute; alone: make test-cluster)
# Exits non-zero when any suite fails. Expects scripts/install-deps.sh test to have run.
# Run a subset with: scripts/test.sh rust e2e
set -uo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

LOG_DIR="$ROOT/target/test-logs"
mkdir -p "$LOG_DIR"
export VOLIXTA_TEST_DATABASE_URL="${VOLIXTA_TEST_DATABASE_URL:-mysql://root@127.0.0.1:3306}"
suites=("$@")
((${#suites[@]})) || suites=(rust php e2e cluster)

run_rust() {
  cargo test --workspace --color never
}

run_php() {
  local config=wp-plugin/volixta/phpunit.xml.dist
  [[ -f $config ]] || { echo "missing $config"; return 1; }
  phpunit -c "$config" --colors=never
}

run_e2e() {
  cargo build -p volixta-service --color never || return 1
  VOLIXTA_SERVICE_BIN="$SERVICE_BIN" node --test --test-reporter=spec tests/e2e/ tests/woocommerce-sim/
}

# The cluster lives in its own folder and is stopped and removed when this script ends, so a run
# leaves the machine as it found it (run_cluster runs in a pipeline's subshell: the trap is here).
export VOLIXTA_GALERA_DIR="${VOLIXTA_GALERA_DIR:-$ROOT/target/galera}"
stop_cluster() {
  [[ -d $VOLIXTA_GALERA_DIR ]] || return 0
  scripts/galera.sh stop || true
  rm -rf "$VOLIXTA_GALERA_DIR"
}
trap stop_cluster EXIT

# cluster_tests FILTER [TEST ARGS...]: the ignored cluster tests matching FILTER, on the cluster.
cluster_tests() {
  local filter=$1; shift
  VOLIXTA_CLUSTER_URLS="$(scripts/galera.sh urls | paste -sd,)" \
    cargo test -p volixta-service --test api --color never "$filter" -- --ignored "$@"
}

run_cluster() {
  scripts/galera.sh start || return 1
  cluster_tests cluster::
}

# A test that fails once and passes when run again alone is reported as flaky, by name, in the
# summary; one that fails twice fails the suite. Only Rust and e2e rerun: their tests talk to
# real processes (MariaDB, WordPress, Chromium) on a shared machine, where a lost connection or a
# slow start can fail a run that the code did not cause.
# failed_tests SUITE LOG: what to run again (test names for Rust, test files for e2e).
failed_tests() {
  local log=$2
  case $1 in
    rust | cluster) sed -E 's/\x1b\[[0-9;]*m//g' "$log" | awk '/^test .* \.\.\. FAILED$/ { print $2 }' | sort -u ;;
    e2e) sed -E 's/\x1b\[[0-9;]*m//g' "$log" | grep -oE '^test at tests/e2e/[A-Za-z0-9_.-]+\.test\.mjs' | sed 's/^test at //' | sort -u ;;
  esac
}

rerun_rust() {
  cargo test --workspace --color never -- --exact "$@"
}

rerun_cluster() {
  local name
  for name in "$@"; do cluster_tests "$name" --exact || return 1; done
}

rerun_e2e() {
  VOLIXTA_SERVICE_BIN="$SERVICE_BIN" node --test --test-reporter=spec "$@"
}

# count SUITE LOG: echo "passed failed skipped" read off the runner's own closing lines.
count() {
  local log=$2
  case $1 in
    rust | cluster)
      sed -E 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^test result: ' | awk '
        { for (i = 1; i <= NF; i++) { if ($(i) ~ /^passed/) p += $(i-1); if ($(i) ~ /^failed/) f += $(i-1); if ($(i) ~ /^ignored/) s += $(i-1) } }
        END { printf "%d %d %d\n", p, f, s }' ;;
    php)
      php -r '
        $t = file_get_contents($argv[1]);
        if (preg_match("/^OK \((\d+) tests?,/m", $t, $m)) { echo "$m[1] 0 0\n"; exit; }
        preg_match("/^Tests: (\d+),.*$/m", $t, $m) or exit(print("0 0 0\n"));
        $n = fn($k) => preg_match("/$k: (\d+)/", $m[0], $x) ? (int) $x[1] : 0;
        $f = $n("Failures") + $n("Errors"); $s = $n("Skipped") + $n("Incomplete");
        printf("%d %d %d\n", (int) $m[1] - $f - $s, $f, $s);' "$log" ;;
    e2e)
      sed -E 's/\x1b\[[0-9;]*m//g' "$log" | awk '
        /^(# |ℹ )pass / { p = $3 } /^(# |ℹ )(fail|cancelled) / { f += $3 } /^(# |ℹ )(skipped|todo) / { s += $3 }
        END { printf "%d %d %d\n", p, f, s }' ;;
  esac
}

declare -A status counts seconds flaky
total_p=0 total_f=0 total_s=0 failed_suites=()
for suite in "${suites[@]}"; do
  log="$LOG_DIR/$suite.log"
  printf '\n==================== %s ====================\n' "$suite"
  start=$SECONDS
  "run_$suite" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  seconds[$suite]=$((SECONDS - start))
  read -r p f s < <(count "$suite" "$log")
  # A runner that died before reporting (a build error, a crash) still counts as a failure.
  if ((rc != 0 && f == 0)); then f=1; fi
  if ((rc != 0)) && declare -F "rerun_$suite" >/dev/null; then
    mapfile -t again < <(failed_tests "$suite" "$log")
    if ((${#again[@]})); then
      printf '\n==================== %s: running again: %s ====================\n' "$suite" "${again[*]}"
      if "rerun_$suite" "${again[@]}" 2>&1 | tee "$LOG_DIR/$suite.rerun.log" && ((PIPESTATUS[0] == 0)); then
        flaky[$suite]="${again[*]}"
        p=$((p + f)) f=0 rc=0
      fi
    fi
  fi
  status[$suite]=$([[ $rc == 0 ]] && echo ok || echo FAILED)
  # A suite that ran nothing has not shown anything works.
  if ((rc == 0 && p == 0)); then rc=1; f=1; status[$suite]="NO TESTS"; fi
  ((rc == 0)) || failed_suites+=("$suite")
  counts[$suite]="$p passed, $f failed, $s skipped"
  total_p=$((total_p + p)) total_f=$((total_f + f)) total_s=$((total_s + s))
done

printf '\n==================== summary ====================\n'
for suite in "${suites[@]}"; do
  printf '  %-5s %-8s %-36s %4ss  log: %s\n' "$suite" "${status[$suite]}" "${counts[$suite]}" "${seconds[$suite]}" "target/test-logs/$suite.log"
  [[ -z ${flaky[$suite]:-} ]] || printf '        flaky (failed, then passed alone; log: target/test-logs/%s.rerun.log): %s\n' "$suite" "${flaky[$suite]}"
done
if ((${#failed_suites[@]})); then
  echo "make test: FAILED (${failed_suites[*]})"
else
  echo "make test: all suites passed"
fi
echo "total: $total_p passed, $total_f failed, $total_s skipped"
((${#failed_suites[@]} == 0))
