#!/usr/bin/env bash
# Server CPU per request of a constant route by the shape of its answer (response-shape.mjs),
# ROUNDS (default 3) alternated rounds of 5 s per route, 10 connections, after a 2-s warm-up each.
# Usage: bench/realtime/response-shape.sh, after npm run build (installs autocannon into
# .bench-out/autocannon).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
AC_DIR=$ROOT/.bench-out/autocannon
if [[ ! -x $AC_DIR/node_modules/.bin/autocannon ]]; then
  npm install --prefix "$AC_DIR" --no-save --no-audit --no-fund autocannon >&2
fi
AC=$AC_DIR/node_modules/.bin/autocannon
coproc SERVER { exec node "$ROOT/bench/realtime/response-shape.mjs" --dist "$ROOT/dist"; }
PID=$SERVER_PID
trap 'kill -TERM "$PID" 2>/dev/null || true' EXIT
read -r URL <&"${SERVER[0]}"
TICKS=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
for round in $(seq "${ROUNDS:-3}"); do
  for route in small body headers both; do
    "$AC" -c 10 -d 2 -m POST -H 'content-type: application/json' -b '{}' "$URL/$route" >/dev/null 2>&1
    before=$(cpu_ticks)
    total=$("$AC" -j -c 10 -d 5 -m POST -H 'content-type: application/json' -b '{}' "$URL/$route" 2>/dev/null |
      node -e "console.log(JSON.parse(require('fs').readFileSync(0, 'utf8')).requests.total)")
    echo "round $round $route: $total requests, $(node -e "console.log(((($(cpu_ticks) - $before) / $TICKS) / $total * 1e6).toFixed(1))") µs of server CPU each"
  done
done
