#!/usr/bin/env bash
# Installs what `make demo` (install-deps.sh demo) or `make test` (install-deps.sh test) needs and
# is missing on a Debian 12 machine, as root: Debian packages, a MariaDB answering on
# 127.0.0.1:3306 (installed and started only if nothing answers there), and the Node packages of
# tests/e2e (maildev, playwright-core). Safe to run again: it only installs what is missing.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mode=${1:-test}
missing=()

# need PACKAGE CHECK...: queue PACKAGE when CHECK fails.
need() { local pkg=$1; shift; "$@" >/dev/null 2>&1 || missing+=("$pkg"); }
has() { command -v "$1"; }
php_ext() { has php && php -m | grep -qix "$1"; }

need curl has curl
need wordpress test -f "$WP_ROOT/wp-load.php"
need wordpress-theme-twentytwentythree test -d "$WP_ROOT/wp-content/themes/twentytwentythree"
need php-cli has php
need php-mysql php_ext mysqli
need php-curl php_ext curl
need php-xml php_ext dom
need php-mbstring php_ext mbstring
need nodejs has node
need npm has npm
# The invoice PDFs embed DejaVu Sans (docs/invoices.md).
need fonts-dejavu-core test -f /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf
if [[ $mode == test ]]; then
  need phpunit has phpunit
  need chromium test -x /usr/bin/chromium
  need poppler-utils has pdftotext
  # The cluster tests start a three-node Galera cluster of their own (scripts/galera.sh).
  need mariadb-server has mariadbd
  need mariadb-server has mariadb-install-db
  need mariadb-client has mariadb
  need galera-4 test -f /usr/lib/galera/libgalera_smm.so
  need rsync has rsync
fi

mariadb_missing=false
if ! port_open 127.0.0.1 3306; then
  mariadb_missing=true
  need mariadb-server has mariadbd
  need mariadb-client has mariadb
fi

apt_install() {
  [[ $(id -u) == 0 ]] || die "installing $* needs root (run as root, or install them yourself)"
  say "apt-get update"
  apt-get update -qq
  say "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

if ((${#missing[@]})); then
  # shellcheck disable=SC2046
  apt_install $(printf '%s\n' "${missing[@]}" | sort -u)
else
  say "Debian packages: all present"
fi

if $mariadb_missing; then
  say "nothing answers on 127.0.0.1:3306: starting MariaDB"
  if [[ -x /etc/init.d/mariadb ]]; then
    /etc/init.d/mariadb start >/dev/null || true
  fi
  if ! wait_for MariaDB 5 port_open 127.0.0.1 3306; then
    install -d -o mysql -g mysql /run/mysqld
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  fi
  wait_for MariaDB 60 port_open 127.0.0.1 3306 || die "MariaDB did not start (see /var/log/mysql/)"
  # Debian's root logs in by socket only; the service and the tests connect over TCP as root
  # with an empty password (a development machine only).
  mariadb -uroot -e "ALTER USER root@localhost IDENTIFIED VIA mysql_native_password USING PASSWORD('') OR unix_socket; FLUSH PRIVILEGES;" \
    || warn "could not allow root over TCP; set VOLIXTA_WP_DB_USER/PASSWORD and the DATABASE_URLs yourself"
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
((node_major >= 20)) || warn "Node $(node --version) is older than 20: maildev and playwright-core want 20 or later"

# maildev (demo and tests) and playwright-core (tests) come from tests/e2e/package-lock.json.
e2e="$ROOT/tests/e2e"
stamp="$e2e/node_modules/.volixta-lock"
if ! cmp -s "$e2e/package-lock.json" "$stamp" 2>/dev/null; then
  say "npm ci in tests/e2e"
  (cd "$e2e" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$e2e/package-lock.json" "$stamp"
else
  say "tests/e2e node_modules: up to date"
fi
