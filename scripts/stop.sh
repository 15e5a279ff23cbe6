#!/usr/bin/env bash
# `make stop`: stops what `make demo` started (WordPress, volixta-service, maildev).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

for name in wordpress service maildev; do
  stop_bg "$name" "$CACHE_DIR/demo/$name.pid"
done
say "demo stopped"
