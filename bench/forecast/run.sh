#!/usr/bin/env bash
# Forecasting benchmark: salescast against seasonal naive, R's forecast package (ets, stlf) and a
# global XGBoost, on the shared retail datasets and the demo retailer. Writes its table into
# docs/BENCHMARKS.md between <!-- bench:forecast:start --> and <!-- bench:forecast:end -->.
#
#   bash bench/forecast/run.sh [--datasets LIST] [--models LIST] [--no-report]
#
# datasets: walmart45, store1, demo (default), store-item, rossmann (the full files; slow)
# models:   naive, ets, stlf, xgb, salescast, salescast_gbm, salescast_ets (default: all)
# Scratch goes to .bench-out/forecast (git-ignored; override with BENCH_OUT). Results accumulate
# in $BENCH_OUT/results.jsonl, the latest per dataset × model wins, so datasets can run apart.
# The shared data and acceptance scripts are read from $SALESCAST_SHARED (default: the shared/ folder beside the repository).
# Run from anywhere; builds salescast first unless SKIP_BUILD=1.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/bench/forecast
SHARED=${SALESCAST_SHARED:-$ROOT/../shared}
ACC=$SHARED/acceptance/lib
DATA=$SHARED/data
OUT=${BENCH_OUT:-$ROOT/.bench-out/forecast}
PY=/usr/bin/python3 # Debian's python with python3-xgboost, not a pyenv python on PATH
CLI=$ROOT/dist/cli/main.js
DEMO_FLAGS=(--stores 5 --products 10 --days 730 --seed 1)

datasets=walmart45,store1,demo
models=naive,ets,stlf,xgb,salescast,salescast_gbm,salescast_ets
report=1
while [[ $# -gt 0 ]]; do
  case $1 in
    --datasets) datasets=$2; shift 2 ;;
    --models) models=$2; shift 2 ;;
    --no-report) report=0; shift ;;
    -h | --help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

IFS=, read -r -a ds_list <<<"$datasets"
IFS=, read -r -a model_list <<<"$models"
for m in "${model_list[@]}"; do
  [[ ,naive,ets,stlf,xgb,salescast,salescast_gbm,salescast_ets, == *,$m,* ]] || { echo "unknown model: $m" >&2; exit 2; }
done
for ds in "${ds_list[@]}"; do
  [[ ,walmart45,store1,demo,store-item,rossmann, == *,$ds,* ]] || { echo "unknown dataset: $ds" >&2; exit 2; }
done

# Peers come from Debian packages; install them when missing (needs root, as on the bench machine).
ensure_peers() {
  local missing=()
  Rscript -e 'suppressPackageStartupMessages(library(forecast))' >/dev/null 2>&1 || missing+=(r-cran-forecast)
  $PY -c 'import xgboost, pandas, numpy' >/dev/null 2>&1 || missing+=(python3-xgboost python3-pandas python3-numpy)
  if [[ ${#missing[@]} -gt 0 ]]; then
    echo "installing ${missing[*]}"
    if [[ $(id -u) != 0 ]]; then echo "need root to apt-get install ${missing[*]}" >&2; exit 1; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null ||
      { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; }
  fi
}

# prepare DATASET: writes $OUT/DATASET/{train,future,truth}.csv and sets H, SEASON, SOURCE.
prepare() {
  local ds=$1 dir=$OUT/$1 long
  mkdir -p "$dir"
  case $ds in
    walmart45) long=$DATA/walmart45/long.csv; H=8; SEASON=52; SOURCE="walmart45/long.csv" ;;
    store1) long=$DATA/store-item-demand/store1.csv; H=90; SEASON=7; SOURCE="store-item-demand/store1.csv" ;;
    store-item) long=$DATA/store-item-demand/long.csv; H=90; SEASON=7; SOURCE="store-item-demand/long.csv" ;;
    rossmann) long=$DATA/rossmann/long.csv; H=42; SEASON=7; SOURCE="rossmann/long.csv" ;;
    demo)
      H=28; SEASON=7; SOURCE="salescast demo-data ${DEMO_FLAGS[*]}, ingested; y = units, drivers price, discount, promotion, holiday, payday, weather"
      rm -rf "$dir/raw" "$dir/panel"
      nice node "$CLI" demo-data --out "$dir/raw" "${DEMO_FLAGS[@]}" >/dev/null
      nice node "$CLI" ingest --sources "$dir/raw" --out "$dir/panel" >/dev/null
      node "$HERE/panel-to-long.mjs" "$dir/panel/panel.parquet" "$dir/long.csv"
      long=$dir/long.csv
      ;;
    *) echo "unknown dataset: $ds" >&2; exit 2 ;;
  esac
  node "$ACC/split.mjs" "$long" "$H" "$dir" >"$dir/split.json"
}

ensure_peers
if [[ ${SKIP_BUILD:-0} != 1 ]]; then (cd "$ROOT" && npx tsc -p tsconfig.build.json >/dev/null) || echo "warning: the build reported errors; using dist as built" >&2; fi
mkdir -p "$OUT"
RESULTS=$OUT/results.jsonl
touch "$RESULTS"

for ds in "${ds_list[@]}"; do
  prepare "$ds"
  dir=$OUT/$ds
  series=$(node -e "console.log(JSON.parse(require('fs').readFileSync(process.argv[1],'utf8')).series)" "$dir/split.json")
  for m in "${model_list[@]}"; do
    [[ $m == ets && $SEASON -gt 24 ]] && { echo "$ds $m: skipped (R's ets allows seasons up to 24)"; continue; }
    rm -f "$dir/$m.csv"
    status=0
    load=$(cut -d' ' -f1 /proc/loadavg)
    nice /usr/bin/time -f '%e %U %S' -o "$dir/$m.time" bash "$HERE/model.sh" "$m" "$dir" "$H" "$SEASON" \
      >"$dir/$m.log" 2>&1 || status=$?
    read -r wall user sys < <(tail -n 1 "$dir/$m.time")
    base=$(node -e 'const [d,m,h,s,n,src,w,u,y,l]=process.argv.slice(1); console.log(JSON.stringify({dataset:d,model:m,h:+h,season:+s,series:+n,source:src,wall_s:+w,cpu_s:Math.round((+u + +y)*100)/100,load_before:+l,measured_at:new Date().toISOString()}))' \
      "$ds" "$m" "$H" "$SEASON" "$series" "$SOURCE" "${wall:-NaN}" "${user:-NaN}" "${sys:-NaN}" "$load")
    if [[ $status == 0 ]] && score=$(node "$ACC/score.mjs" "$dir/truth.csv" "$dir/$m.csv" "$dir/train.csv" "$SEASON" 2>"$dir/$m.score.err"); then
      line=$(node -e 'console.log(JSON.stringify({...JSON.parse(process.argv[1]), ...JSON.parse(process.argv[2])}))' "$base" "$score")
    else
      why=$(tail -n 1 "$dir/$m.log" "$dir/$m.score.err" 2>/dev/null | grep -v '^==>' | grep -v '^$' | tail -n 1 | cut -c1-120)
      line=$(node -e 'console.log(JSON.stringify({...JSON.parse(process.argv[1]), error: process.argv[2]}))' "$base" "${why:-exit $status}")
    fi
    echo "$line" >>"$RESULTS"
    echo "$line"
  done
done

if [[ $report == 1 ]]; then node "$HERE/report.mjs" "$RESULTS" "$ROOT/docs/BENCHMARKS.md"; fi
