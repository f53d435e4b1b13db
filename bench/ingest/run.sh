#!/usr/bin/env bash
# Ingestion benchmark: `salescast ingest` end to end on the demo retailer with about 1,000,000
# sales rows (20 stores × 50 products × 1,000 days; prices and inventory have as many rows again).
#
#   bash bench/ingest/run.sh [STORES] [PRODUCTS] [DAYS]        (default 20 50 1000)
#
# The sources come from `salescast demo-data` (about 30 s at this size on a busy 2-core machine;
# generated once and kept in ${BENCH_OUT:-.bench-out/ingest}, git-ignored). The timed run is the
# built CLI under `/usr/bin/time -v`: process start, reading and hashing the eight files, validation,
# cleaning, the panel join, the Parquet write and report.json. bench/ingest/report.mjs then writes
# sales rows/s, input rows/s and peak RSS into the ingestion section of docs/BENCHMARKS.md, with the
# load average, because on a busy machine the figures mean little. A second, untimed run through
# bench/ingest/phases.mjs splits wall and CPU time by phase (OUT/phases.txt, also in the section).
set -euo pipefail

STORES=${1:-20}
PRODUCTS=${2:-50}
DAYS=${3:-1000}

cd "$(dirname "$0")/../.."
OUT="${BENCH_OUT:-.bench-out/ingest}/${STORES}x${PRODUCTS}x${DAYS}"
mkdir -p "$OUT"

if [ ! -x /usr/bin/time ]; then
  echo "installing time with apt-get" >&2
  SUDO=$([ "$(id -u)" -eq 0 ] && echo "" || echo sudo)
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y time >&2
fi

echo "building salescast" >&2
# tsc still emits JavaScript when a file has type errors; benchmark that rather than stop.
npx tsc -p tsconfig.build.json || echo "warning: type errors above; benchmarking the emitted JavaScript" >&2

if [ ! -f "$OUT/sources/truth.json" ]; then
  echo "generating the demo retailer (${STORES} stores × ${PRODUCTS} products × ${DAYS} days) in $OUT/sources" >&2
  node dist/cli/main.js demo-data --out "$OUT/sources" --stores "$STORES" --products "$PRODUCTS" \
    --days "$DAYS" --seed 1 --json > "$OUT/demo-data.json"
fi

echo "running salescast ingest" >&2
rm -rf "$OUT/panel"
/usr/bin/time -v -o "$OUT/ingest.time" \
  node dist/cli/main.js ingest --sources "$OUT/sources" --out "$OUT/panel" --json > "$OUT/ingest.stdout"
tail -n 1 "$OUT/ingest.stdout" > "$OUT/ingest.json"

echo "timing each phase (a second run, in-process)" >&2
node bench/ingest/phases.mjs "$OUT/sources" "$OUT/panel-phases" > "$OUT/phases.txt"

node bench/ingest/report.mjs "$OUT" "bash bench/ingest/run.sh $STORES $PRODUCTS $DAYS"
