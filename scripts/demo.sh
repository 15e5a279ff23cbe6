#!/usr/bin/env bash
# `make demo`: starts maildev, volixta-service and WordPress (php -S) in the background, installs
# WordPress with the plugin, and loads the demo data through the service. Expects the packages
# (scripts/install-deps.sh demo) and the service binary (cargo build). Safe to run again: what
# runs keeps running (the service restarts when its binary is newer), what exists is kept.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

DEMO_DIR="$CACHE_DIR/demo"
WP_PORT=${VOLIXTA_DEMO_WP_PORT:-8080}
SERVICE_PORT=${VOLIXTA_DEMO_SERVICE_PORT:-8787}
SMTP_PORT=${VOLIXTA_DEMO_SMTP_PORT:-1025}
MAIL_WEB_PORT=${VOLIXTA_DEMO_MAIL_WEB_PORT:-1080}
DB=${VOLIXTA_DEMO_DB:-wordpress}
SITE="http://127.0.0.1:$WP_PORT"
SERVICE_URL="http://127.0.0.1:$SERVICE_PORT"
mkdir -p "$DEMO_DIR"

[[ -x $SERVICE_BIN ]] || die "no service binary at $SERVICE_BIN (run: make build)"
port_open 127.0.0.1 3306 || die "nothing answers on 127.0.0.1:3306 (run: scripts/install-deps.sh demo)"

# The secret shared by the plugin and the service, and the service's own key for what it seals
# (gift codes): each made once (32 random bytes as 64 lowercase hex characters) and kept in
# .cache/demo.env. A demo made before the data key existed gets one now, and its running service
# is restarted to use it.
random_hex() { od -An -N32 -tx1 /dev/urandom | tr -d ' \n'; }
DEMO_ENV="$CACHE_DIR/demo.env"
[[ -e $DEMO_ENV ]] || (umask 077 && : >"$DEMO_ENV")
if ! grep -q '^VOLIXTA_SHARED_SECRET=' "$DEMO_ENV"; then
  printf 'VOLIXTA_SHARED_SECRET=%s\n' "$(random_hex)" >>"$DEMO_ENV"
  say "generated the shared secret in $DEMO_ENV"
fi
new_data_key=
if ! grep -q '^VOLIXTA_DATA_KEY=' "$DEMO_ENV"; then
  printf 'VOLIXTA_DATA_KEY=%s\n' "$(random_hex)" >>"$DEMO_ENV"
  say "generated the service's data key in $DEMO_ENV (keep it with the database: sealed gift codes need it)"
  new_data_key=1
fi
# shellcheck disable=SC1091
. "$DEMO_ENV"

# ensure_started NAME PORT COMMAND...: start COMMAND unless our earlier one still runs.
ensure_started() {
  local name=$1 port=$2; shift 2
  local pidfile="$DEMO_DIR/$name.pid"
  if pid_alive "$pidfile"; then
    say "$name already running (pid $(cat "$pidfile"))"
    return 0
  fi
  port_open 127.0.0.1 "$port" && die "port $port is taken by another program: stop it or set VOLIXTA_DEMO_*_PORT"
  start_bg "$name" "$pidfile" "$DEMO_DIR/$name.log" "$@"
}

# 1. Mail catcher, first: WordPress and the service send mail to it.
ensure_started maildev "$MAIL_WEB_PORT" "$ROOT/tests/e2e/node_modules/.bin/maildev" \
  --smtp "$SMTP_PORT" --web "$MAIL_WEB_PORT" --ip 127.0.0.1 --web-ip 127.0.0.1 \
  --mail-directory "$DEMO_DIR/mail"
wait_for maildev 30 http_ok "http://127.0.0.1:$MAIL_WEB_PORT/api/email" || die "see $DEMO_DIR/maildev.log"

# 2. WordPress: database, configuration, plugin, page, users.
say "installing WordPress ($SITE, database $DB)"
VOLIXTA_WP_SMTP_PORT="$SMTP_PORT" php "$ROOT/scripts/wp-install.php" --url="$SITE" --db="$DB" --service-url="$SERVICE_URL" \
  --secret="$VOLIXTA_SHARED_SECRET" >"$DEMO_DIR/wp-install.json"

# 3. The service (applies its migrations at start). Restarted when the binary was rebuilt.
if pid_alive "$DEMO_DIR/service.pid" && [[ $SERVICE_BIN -nt $DEMO_DIR/service.pid || -n $new_data_key ]]; then
  stop_bg service "$DEMO_DIR/service.pid"
fi
(
  cd "$ROOT"
  export VOLIXTA_SHARED_SECRET VOLIXTA_DATA_KEY
  export VOLIXTA_DATABASE_URL="mysql://root@127.0.0.1:3306/$DB"
  export VOLIXTA_LISTEN="127.0.0.1:$SERVICE_PORT"
  export VOLIXTA_SMTP_URL="smtp://127.0.0.1:$SMTP_PORT"
  export RUST_LOG="${RUST_LOG:-info}"
  ensure_started service "$SERVICE_PORT" "$SERVICE_BIN" serve
)
# A service that refuses to start (bad migration, port taken) says why on its last line.
deadline=$((SECONDS + 60))
until http_ok "$SERVICE_URL/readyz" 2>/dev/null; do
  pid_alive "$DEMO_DIR/service.pid" ||
    die "volixta-service stopped: $(tail -n 1 "$DEMO_DIR/service.log") (log: $DEMO_DIR/service.log)"
  ((SECONDS < deadline)) || die "volixta-service did not answer within 60s; see $DEMO_DIR/service.log"
  sleep 0.25
done

# 4. WordPress under PHP's built-in server (4 workers: WordPress calls itself).
(
  export VOLIXTA_WP_DB_NAME="$DB" VOLIXTA_WP_SMTP_PORT="$SMTP_PORT" PHP_CLI_SERVER_WORKERS=4
  ensure_started wordpress "$WP_PORT" php -S "127.0.0.1:$WP_PORT" -t "$WP_ROOT" "$ROOT/scripts/wp/router.php"
)
wait_for WordPress 30 http_ok "$SITE/wp-login.php" || die "see $DEMO_DIR/wordpress.log"

# 5. Demo data, through the service with the plugin's signed client.
say "loading demo data through volixta-service"
VOLIXTA_WP_SMTP_PORT="$SMTP_PORT" php "$ROOT/scripts/demo-data.php" --url="$SITE" --db="$DB" >"$DEMO_DIR/demo-data.json"

account_url=$(php -r 'echo json_decode(file_get_contents($argv[1]), true)["account_url"];' "$DEMO_DIR/wp-install.json")
balance=$(php -r 'echo json_decode(file_get_contents($argv[1]), true)["wallet_balance"] ?? "?";' "$DEMO_DIR/demo-data.json")
cat <<MSG

Volixta demo is running.

  Site                $SITE/
  My account (portal) $account_url
  wp-admin            $SITE/wp-admin/
  Mail (maildev)      http://127.0.0.1:$MAIL_WEB_PORT/
  volixta-service     $SERVICE_URL/healthz   (API description: $SERVICE_URL/openapi.json)

  Logins (user / password):
    client  / client    Ada Lovelace, a client with a wallet balance of $balance
    manager / manager   a manager
    admin   / admin     the site administrator

  Logs and pids: $DEMO_DIR/   Stop everything: make stop
MSG
