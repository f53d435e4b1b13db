#!/usr/bin/env bash
# The learning engine's two histogram builders side by side (not a test): the JavaScript one (used
# past the WebAssembly memory's 2 GiB) and the WebAssembly one (everything else), on the same bins,
# rows and gradients, one thread each; checks that their sums are bit-identical.
#   bash bench/learn/histogram-kernels/run.sh [rows] [features]      (after npm run build)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
node "$HERE/compare.mjs" "${1:-300000}" "${2:-40}"
