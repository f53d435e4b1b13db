#!/usr/bin/env bash
# What a hand-written WebAssembly histogram kernel would buy the learning engine (not a test).
# Installs wabt into .bench-out/wabt to compile kernel.wat, then times the engine's JavaScript
# kernel against it on the same bins, rows and gradients, and checks that their sums are equal.
#   bash bench/learn/wasm-histogram/run.sh [rows] [features]
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
WABT_DIR=$ROOT/.bench-out/wabt
if [[ ! -d $WABT_DIR/node_modules/wabt ]]; then
  npm install --prefix "$WABT_DIR" --no-save --no-audit --no-fund wabt@1.0.36 >&2
fi
NODE_PATH=$WABT_DIR/node_modules node "$HERE/compare.mjs" "$HERE/kernel.wat" "$WABT_DIR" "${1:-300000}" "${2:-40}"
