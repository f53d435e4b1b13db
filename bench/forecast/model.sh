#!/usr/bin/env bash
# model.sh MODEL DIR H SEASON: one benchmark forecast, DIR/train.csv + DIR/future.csv -> DIR/MODEL.csv.
# Called by run.sh under /usr/bin/time, so the time covers the whole model run and nothing else.
set -euo pipefail
m=$1 dir=$2 H=$3 SEASON=$4
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/bench/forecast
ACC=${SALESCAST_SHARED:-$ROOT/../shared}/acceptance/lib
CLI=$ROOT/dist/cli/main.js
case $m in
  naive) node "$ACC/naive.mjs" "$dir/train.csv" "$dir/future.csv" "$SEASON" "$dir/naive.csv" ;;
  ets | stlf) Rscript "$HERE/ets.R" "$dir/train.csv" "$dir/future.csv" "$SEASON" "$m" "$dir/$m.csv" ;;
  # Debian's python (python3-xgboost), not a pyenv python on PATH.
  xgb) /usr/bin/python3 "$HERE/xgb_global.py" "$dir/train.csv" "$dir/future.csv" "$SEASON" "$dir/xgb.csv" --threads 1 ;;
  salescast | salescast_gbm | salescast_ets)
    choice=auto
    [[ $m == salescast_gbm ]] && choice=gbm
    [[ $m == salescast_ets ]] && choice=ets
    # One thread, as XGBoost gets: the comparison is of work done, not of cores used.
    node "$CLI" forecast --data "$dir/train.csv" --future "$dir/future.csv" --horizon "$H" \
      --quantiles 0.1,0.5,0.9 --model "$choice" --threads 1 --out "$dir/$m.csv"
    ;;
  *) echo "unknown model: $m" >&2; exit 2 ;;
esac
