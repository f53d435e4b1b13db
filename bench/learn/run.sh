#!/usr/bin/env bash
# Learning-engine benchmark: salescast's gradient boosting against XGBoost and scikit-learn's
# HistGradientBoostingRegressor on the same synthetic data with the same settings.
#
#   bash bench/learn/run.sh [ROWS] [COLS]        (default 1000000 40; the test set has ROWS/5 rows)
#
# Measures train seconds, predict rows/s on the test set, test RMSE and peak RSS of each engine's
# whole process (`/usr/bin/time -v`), then updates the learning-engine section of
# docs/BENCHMARKS.md through bench/learn/report.mjs. Data and raw outputs go to
# ${BENCH_OUT:-.bench-out/learn}/ROWSxCOLS (git-ignored). The full size takes minutes and both
# cores: run it on a quiet machine. On a busy one the figures mean little, XGBoost's and
# scikit-learn's least of all: their OpenMP threads spin-wait, and slow down by orders of magnitude
# when the cores are oversubscribed. The report records the load average.
set -euo pipefail

ROWS=${1:-1000000}
COLS=${2:-40}
TEST_ROWS=$((ROWS / 5))
TREES=200
LEAVES=63
LR=0.1
THREADS=2

cd "$(dirname "$0")/../.."
# OpenMP engines (scikit-learn, XGBoost) otherwise take every core.
export OMP_NUM_THREADS=$THREADS
OUT="${BENCH_OUT:-.bench-out/learn}/${ROWS}x${COLS}"
mkdir -p "$OUT"

# The Python engines come from Debian and install into Debian's interpreter, not the first
# python3 on PATH, so everything here calls /usr/bin/python3.
missing=()
/usr/bin/python3 -c 'import xgboost' 2>/dev/null || missing+=(python3-xgboost)
/usr/bin/python3 -c 'import sklearn' 2>/dev/null || missing+=(python3-sklearn)
[ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} with apt-get" >&2
  SUDO=$([ "$(id -u)" -eq 0 ] && echo "" || echo sudo)
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >&2
fi

echo "building salescast" >&2
# tsc still emits JavaScript when a file has type errors; benchmark that rather than stop.
npx tsc -p tsconfig.build.json || echo "warning: type errors above; benchmarking the emitted JavaScript" >&2

if ! grep -q "\"nTrain\":${ROWS},\"nTest\":${TEST_ROWS},\"nCols\":${COLS}," "$OUT/meta.json" 2>/dev/null; then
  echo "generating ${ROWS} + ${TEST_ROWS} rows × ${COLS} columns in $OUT" >&2
  node bench/learn/make-data.mjs "$OUT" "$ROWS" "$COLS" "$TEST_ROWS"
fi

# Runs one engine under /usr/bin/time; its last stdout line (a JSON object) goes to OUT/ENGINE.json.
run_engine() {
  local engine=$1
  shift
  echo "running $engine" >&2
  /usr/bin/time -v -o "$OUT/$engine.time" "$@" > "$OUT/$engine.stdout"
  tail -n 1 "$OUT/$engine.stdout" > "$OUT/$engine.json"
}

run_engine xgboost /usr/bin/python3 bench/learn/python_bench.py xgboost "$OUT" "$TREES" "$LEAVES" "$LR" "$THREADS"
run_engine sklearn /usr/bin/python3 bench/learn/python_bench.py sklearn "$OUT" "$TREES" "$LEAVES" "$LR" "$THREADS"
run_engine salescast node dist/cli/main.js learn \
  --train "$OUT/train.csv" --test "$OUT/test.csv" --target y \
  --model gbm --trees "$TREES" --leaves "$LEAVES" --lr "$LR" --threads "$THREADS" --json

node bench/learn/report.mjs "$OUT"
