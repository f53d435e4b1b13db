#!/usr/bin/env bash
# Real-time serving benchmark (not a test). Compiles src into a scratch folder, installs autocannon
# there (it is not a dependency), starts bench/realtime/server.mjs (the API with a demo production
# model, and a bare Fastify route returning a constant, in one process), and measures with the load
# generator on this same machine:
#   1. max throughput of the bare route and of POST /v1/forecast (cached), same connections,
#      alternated PAIRS times (env, default 5): the ratio is the median pair's. Each round also runs
#      the bare route after WORK_US (env, default 20) µs of busy work per request, to show what a
#      route costing that much more than the bare one reaches on this machine; then the cached
#      forecast asking for every series in turn (spread.mjs), as real traffic fills the cache;
#   2. p50/p99 of POST /v1/forecast at 1,000 req/s, cached and with the cache disabled: with
#      autocannon --overallRate (which sends each second's requests as one burst over its 20
#      connections) and with paced.mjs (open loop, one request due every millisecond, latency
#      counted from when it was due), the bare route under the same paced load beside it;
#   3. POST /v1/forecast/batch rows/s for every series at h = 28, on the demo retailer (121 series)
#      with the forecast threads (the default) and on the request thread only, and on a larger
#      retailer (40 stores × 30 products, 1,200 series), with the server's CPU time per batch (all
#      its threads), so that rows per CPU-second can be compared across runs on a loaded machine.
#      Two batches warm up first (the first starts the threads; its time is reported apart).
# An authenticated platform route (GET /v1/usage) is measured too, to show what the platform
# costs per call before any forecast work.
# Usage: bench/realtime/run.sh [seconds per run, default 10]. Results: .bench-out/realtime/results.json
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=$ROOT/.bench-out/realtime
DUR=${1:-10}
mkdir -p "$OUT"
cd "$ROOT"

echo "compiling src into $OUT/dist" >&2
# Emitted even when a file being edited elsewhere has type errors; the bench only needs the JS.
npx tsc -p tsconfig.build.json --outDir "$OUT/dist" >"$OUT/tsc.log" 2>&1 || echo "tsc reported errors (see $OUT/tsc.log); using the emitted JS" >&2
AC_DIR=$ROOT/.bench-out/autocannon
if [[ ! -x $AC_DIR/node_modules/.bin/autocannon ]]; then
  npm install --prefix "$AC_DIR" --no-save --no-audit --no-fund autocannon >&2
fi
AC=$AC_DIR/node_modules/.bin/autocannon

start_server() { # $1 = cache TTL ms, then any server.mjs options; sets PID and INFO
  local ttl=$1
  shift
  coproc SERVER { exec node "$ROOT/bench/realtime/server.mjs" --dist "$OUT/dist" --cache-ttl-ms "$ttl" "$@"; }
  PID=$SERVER_PID
  read -r INFO <&"${SERVER[0]}"
}
stop_server() { kill -TERM "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; }
field() { node -e "const o=JSON.parse(process.argv[1]);console.log(o[process.argv[2]])" "$INFO" "$1"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; } # the server's user + system time
TICKS=$(getconf CLK_TCK)
BATCH_RUNS=20
PAIRS=${PAIRS:-5}
batch_runs() { # $1 = name: 2 warm-up batches of every series at h = 28, then $BATCH_RUNS timed
  local before
  # The first batch starts the forecast threads and sends them the model; it is kept apart.
  curl -s -o /dev/null -w '%{time_total}\n' -X POST -H "$JSON_CT" -H "$AUTH" \
    -d '{"h":28}' "$API/v1/forecast/batch" >"$OUT/batch-$1.first"
  curl -s -o /dev/null -X POST -H "$JSON_CT" -H "$AUTH" -d '{"h":28}' "$API/v1/forecast/batch"
  : >"$OUT/batch-$1.txt"
  before=$(cpu_ticks)
  for _ in $(seq "$BATCH_RUNS"); do
    curl -s -o "$OUT/batch-$1.ndjson" -w '%{time_total}\n' -X POST -H "$JSON_CT" -H "$AUTH" \
      -d '{"h":28}' "$API/v1/forecast/batch" >>"$OUT/batch-$1.txt"
  done
  echo "$(($(cpu_ticks) - before)) $TICKS $(($(wc -l <"$OUT/batch-$1.ndjson") - 1))" >"$OUT/batch-$1.cpu"
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
WORK_US=${WORK_US:-20}
start_server 60000 --work-us "$WORK_US"
trap stop_server EXIT
API=$(field api); BARE=$(field bare); KEY=$(field key)
SERIES=$(node -e "console.log(JSON.parse(process.argv[1]).series[0])" "$INFO")
BODY="{\"series_id\":\"$SERIES\",\"h\":7}"
AUTH="authorization: Bearer $KEY"
JSON_CT="content-type: application/json"

echo "warming up" >&2
"$AC" -j -c 10 -d 2 -m POST -H "$JSON_CT" -H "$AUTH" -b "$BODY" "$API/v1/forecast" >/dev/null 2>&1
# This machine's speed drifts by a third from one run to the next, for the bare route as for the
# forecast, so a single pair of runs says little: the ratio is the median of PAIRS alternated pairs.
echo "max throughput: bare route, /v1/forecast (cached), bare route after ${WORK_US} µs of busy work; 10 connections, ${DUR}s each, $PAIRS rounds" >&2
for pair in $(seq "$PAIRS"); do
  t0=$(cpu_ticks)
  "$AC" -j -c 10 -d "$DUR" -m POST -H "$JSON_CT" -b '{}' "$BARE/constant" >"$OUT/bare-$pair.json" 2>/dev/null
  t1=$(cpu_ticks)
  "$AC" -j -c 10 -d "$DUR" -m POST -H "$JSON_CT" -H "$AUTH" -b "$BODY" "$API/v1/forecast" >"$OUT/forecast-max-$pair.json" 2>/dev/null
  t2=$(cpu_ticks)
  "$AC" -j -c 10 -d "$DUR" -m POST -H "$JSON_CT" -b '{}' "$BARE/constant-after-work" >"$OUT/work-$pair.json" 2>/dev/null
  echo "$((t1 - t0)) $((t2 - t1)) $TICKS $(($(cpu_ticks) - t2))" >"$OUT/pair-$pair.cpu"
done
# Every series in turn: the prediction cache holds an entry per series, as under real traffic
# (the first pass, over the warm-up, fills it). The load generator builds each request's body, so
# the server's CPU per request is the figure to compare with the one-series run.
echo "max throughput: /v1/forecast (cached), every series in turn" >&2
node "$ROOT/bench/realtime/spread.mjs" --autocannon "$AC_DIR" --info "$INFO" --seconds 2 >/dev/null
t0=$(cpu_ticks)
node "$ROOT/bench/realtime/spread.mjs" --autocannon "$AC_DIR" --info "$INFO" --seconds "$DUR" >"$OUT/forecast-spread.json"
echo "$(($(cpu_ticks) - t0)) $TICKS" >"$OUT/forecast-spread.cpu"
# The platform's own cost per authenticated call (API-key lookup, API-call metering, rate limit),
# which every /v1 route pays before its handler runs.
"$AC" -j -c 10 -d "$DUR" -H "$AUTH" "$API/v1/usage" >"$OUT/usage-max.json" 2>/dev/null
echo "latency at 1,000 req/s: /v1/forecast (cached)" >&2
"$AC" -j -c 20 -R 1000 -d "$DUR" -m POST -H "$JSON_CT" -H "$AUTH" -b "$BODY" "$API/v1/forecast" >"$OUT/forecast-1000.json" 2>/dev/null
paced() { # $1 = output file, $2 = url, then paced.mjs options
  local out=$1 url=$2
  shift 2
  node "$ROOT/bench/realtime/paced.mjs" --url "$url" --rate 1000 --seconds "$DUR" "$@" >"$OUT/$out"
}
echo "paced open-loop load at 1,000 req/s: bare route, then /v1/forecast (cached)" >&2
paced paced-bare-1000.json "$BARE/constant" --method POST --header "$JSON_CT" --body '{}'
paced paced-forecast-1000.json "$API/v1/forecast" --method POST --header "$JSON_CT" --header "$AUTH" --body "$BODY"
echo "batch: every series, h = 28, $BATCH_RUNS runs" >&2
batch_runs demo
stop_server
trap - EXIT

echo "batch on the request thread only (no forecast threads)" >&2
start_server 60000 --forecast-workers 0
trap stop_server EXIT
API=$(field api); KEY=$(field key)
AUTH="authorization: Bearer $KEY"
batch_runs demo-1thread
stop_server
trap - EXIT

echo "latency at 1,000 req/s with the prediction cache disabled (every request computes)" >&2
start_server 0
trap stop_server EXIT
API=$(field api); KEY=$(field key)
AUTH="authorization: Bearer $KEY"
"$AC" -j -c 10 -d 2 -m POST -H "$JSON_CT" -H "$AUTH" -b "$BODY" "$API/v1/forecast" >/dev/null 2>&1
"$AC" -j -c 20 -R 1000 -d "$DUR" -m POST -H "$JSON_CT" -H "$AUTH" -b "$BODY" "$API/v1/forecast" >"$OUT/forecast-nocache-1000.json" 2>/dev/null
paced paced-forecast-nocache-1000.json "$API/v1/forecast" --method POST --header "$JSON_CT" --header "$AUTH" --body "$BODY"
"$AC" -j -c 10 -d "$DUR" -m POST -H "$JSON_CT" -H "$AUTH" -b "$BODY" "$API/v1/forecast" >"$OUT/forecast-nocache-max.json" 2>/dev/null
stop_server
trap - EXIT

echo "batch at scale: 1,200 series (training the model takes a minute or two)" >&2
start_server 60000 --stores 40 --products 30
trap stop_server EXIT
API=$(field api); KEY=$(field key)
AUTH="authorization: Bearer $KEY"
batch_runs large
stop_server
trap - EXIT
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

node - "$OUT" "$LOAD_BEFORE" "$LOAD_AFTER" "$(nproc)" "$PAIRS" "$WORK_US" <<'NODE'
const [out, loadBefore, loadAfter, cores, nPairs, workUs] = process.argv.slice(2);
const fs = require('node:fs');
const read = (f) => JSON.parse(fs.readFileSync(`${out}/${f}`, 'utf8'));
const sum = (name, r) => ({
  run: name,
  req_per_s: Math.round(r.requests.average),
  p50_ms: r.latency.p50,
  p99_ms: r.latency.p99,
  non2xx: r.non2xx,
  errors: r.errors,
});
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
// Each pair: both runs' req/s, and the server's CPU per request (µs) over each run.
const pairs = Array.from({ length: Number(nPairs) }, (_, i) => {
  const bare = read(`bare-${i + 1}.json`);
  const forecast = read(`forecast-max-${i + 1}.json`);
  const work = read(`work-${i + 1}.json`);
  const [bareTicks, forecastTicks, perSecond, workTicks] = fs
    .readFileSync(`${out}/pair-${i + 1}.cpu`, 'utf8').trim().split(' ').map(Number);
  const cpuUs = (ticks, r) => Math.round((ticks / perSecond / r.requests.total) * 1e7) / 10;
  return {
    bare,
    forecast,
    bare_req_per_s: Math.round(bare.requests.average),
    forecast_req_per_s: Math.round(forecast.requests.average),
    ratio: Math.round((forecast.requests.average / bare.requests.average) * 1000) / 1000,
    bare_cpu_us_per_request: cpuUs(bareTicks, bare),
    forecast_cpu_us_per_request: cpuUs(forecastTicks, forecast),
    work_req_per_s: Math.round(work.requests.average),
    work_ratio: Math.round((work.requests.average / bare.requests.average) * 1000) / 1000,
    work_cpu_us_per_request: cpuUs(workTicks, work),
  };
});
// The pair whose ratio is the median stands for the max-throughput runs in the table.
const middle = pairs.find((p) => p.ratio === median(pairs.map((q) => q.ratio)));
const runs = [
  sum(`bare route, max throughput (pair with the median ratio of ${pairs.length})`, middle.bare),
  sum('POST /v1/forecast cached, max throughput (same pair)', middle.forecast),
  sum('POST /v1/forecast cached, every series in turn, max throughput', read('forecast-spread.json')),
  sum('GET /v1/usage (authenticated platform route), max throughput', read('usage-max.json')),
  sum('POST /v1/forecast cached, 1,000 req/s', read('forecast-1000.json')),
  sum('POST /v1/forecast uncached, 1,000 req/s', read('forecast-nocache-1000.json')),
  sum('POST /v1/forecast uncached, max throughput', read('forecast-nocache-max.json')),
];
const paced = [
  ['bare route, paced 1,000 req/s', 'paced-bare-1000.json'],
  ['POST /v1/forecast cached, paced 1,000 req/s', 'paced-forecast-1000.json'],
  ['POST /v1/forecast uncached, paced 1,000 req/s', 'paced-forecast-nocache-1000.json'],
].map(([run, f]) => {
  const r = read(f);
  return { run, req_per_s: r.rate_achieved, p50_ms: r.p50_ms, p99_ms: r.p99_ms, max_ms: r.max_ms, non2xx: r.non2xx, errors: r.errors };
});
const batch = (name) => {
  const times = fs.readFileSync(`${out}/batch-${name}.txt`, 'utf8').trim().split('\n').map(Number);
  const [ticks, perSecond, series] = fs.readFileSync(`${out}/batch-${name}.cpu`, 'utf8').trim().split(' ').map(Number);
  const rows = series * 28;
  const medianS = median(times);
  const cpuS = ticks / perSecond / times.length;
  return {
    series,
    h: 28,
    rows,
    runs: times.length,
    median_s: medianS,
    rows_per_s: Math.round(rows / medianS),
    server_cpu_s_per_batch: Math.round(cpuS * 1000) / 1000,
    rows_per_cpu_s: Math.round(rows / cpuS),
    first_batch_s: Number(fs.readFileSync(`${out}/batch-${name}.first`, 'utf8').trim()),
  };
};
const spreadTicks = fs.readFileSync(`${out}/forecast-spread.cpu`, 'utf8').trim().split(' ').map(Number);
const spread = read('forecast-spread.json');
const result = {
  cores: Number(cores),
  load_before: loadBefore,
  load_after: loadAfter,
  runs,
  paced,
  throughput_ratio: middle.ratio,
  spread_cpu_us_per_request: Math.round((spreadTicks[0] / spreadTicks[1] / spread.requests.total) * 1e7) / 10,
  // A bare route that busy-waits work_us per request, against the bare route of the same round.
  work_us: Number(workUs),
  work_ratio: median(pairs.map((p) => p.work_ratio)),
  throughput_pairs: pairs.map(({ bare, forecast, ...p }) => p),
  batch: batch('demo'),
  batch_single_thread: batch('demo-1thread'),
  batch_large: batch('large'),
};
fs.writeFileSync(`${out}/results.json`, `${JSON.stringify(result, null, 2)}\n`);
console.log('| run | req/s | p50 ms | p99 ms | non-2xx |');
console.log('|---|--:|--:|--:|--:|');
for (const r of [...runs, ...paced])
  console.log(`| ${r.run} | ${r.req_per_s} | ${r.p50_ms} | ${r.p99_ms} | ${r.non2xx} |`);
console.log(
  `\nthroughput ratio (cached forecast / bare route), median of ${pairs.length} pairs: ${result.throughput_ratio}; pairs: ${pairs
    .map((p) => `${p.forecast_req_per_s}/${p.bare_req_per_s} = ${p.ratio} (CPU ${p.forecast_cpu_us_per_request}/${p.bare_cpu_us_per_request} µs per request)`)
    .join('; ')}`,
);
console.log(
  `cached forecast, every series in turn: ${Math.round(spread.requests.average)} req/s, server CPU ${result.spread_cpu_us_per_request} µs per request`,
);
console.log(
  `bare route after ${workUs} µs of busy work per request / bare route, median of ${pairs.length} rounds: ${result.work_ratio}; rounds: ${pairs
    .map((p) => `${p.work_req_per_s}/${p.bare_req_per_s} = ${p.work_ratio} (CPU ${p.work_cpu_us_per_request} µs per request)`)
    .join('; ')}`,
);
for (const [name, b] of [['threads', result.batch], ['request thread only', result.batch_single_thread], ['threads', result.batch_large]])
  console.log(
    `batch (${name}): ${b.rows} rows (${b.series} series × 28) in ${b.median_s} s (median of ${b.runs}): ${b.rows_per_s} rows/s; server CPU ${b.server_cpu_s_per_batch} s per batch: ${b.rows_per_cpu_s} rows per CPU-second; first batch ${b.first_batch_s} s`,
  );
console.log(`load average before ${loadBefore}, after ${loadAfter}; ${cores} cores`);
NODE
