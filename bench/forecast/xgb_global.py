#!/usr/bin/python3
"""Peer baseline for the forecasting benchmark: one global XGBoost model over all series.

    /usr/bin/python3 xgb_global.py TRAIN.csv FUTURE.csv SEASON OUT.csv [--threads N]

Run it with Debian's python3 (python3-xgboost, python3-pandas), not a pyenv python.

Features, the same families as salescast's default feature set: target lags (salescast's default
lags for the frequency), rolling means of the target ending one period back, calendar fields, the
series as a category code, and every exogenous column of the contract (text columns become
category codes). Series are laid on a common date grid (NaN where a series has no row), so a lag
means the same calendar distance for every series. The target is raw units, squared error.

Strategy: recursive. The model predicts one period ahead; its prediction becomes the lag of the
next step, up to the horizon.

Quantiles: XGBoost 1.7 has no quantile objective, so q0.1/q0.5/q0.9 come from a backtest. A first
model is trained without each series' last H periods and forecasts them recursively; its errors,
divided by the series' mean absolute level, give empirical quantiles per horizon step (pooled over
all steps when there are fewer than 100 series, too few to estimate a quantile per step). The
final model, trained on everything, adds those quantiles times the series' level to its forecast.
"""
import argparse
import os
import sys

import numpy as np
import pandas as pd
import xgboost as xgb

DAILY_LAGS = [1, 2, 3, 4, 5, 6, 7, 14, 21, 28, 56, 363, 364, 365]
WEEKLY_LAGS = [1, 2, 3, 4, 8, 13, 26, 51, 52, 53]
DAILY_WINDOWS = [7, 14, 28, 56, 364]
WEEKLY_WINDOWS = [2, 4, 8, 52]
PARAMS = {
    "objective": "reg:squarederror",
    "tree_method": "hist",
    "eta": 0.05,
    "max_depth": 8,
    "min_child_weight": 20,
    "subsample": 0.8,
    "colsample_bytree": 0.8,
    "lambda": 1.0,
    "seed": 0,
}
ROUNDS = 400
QUANTILES = (0.1, 0.5, 0.9)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("train")
    ap.add_argument("future")
    ap.add_argument("season", type=int)
    ap.add_argument("out")
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    params = dict(PARAMS, nthread=a.threads)

    train = pd.read_csv(a.train, dtype={"series_id": str, "date": str})
    future = pd.read_csv(a.future, dtype={"series_id": str, "date": str})
    exog = [c for c in future.columns if c not in ("series_id", "date")]
    both = pd.concat([train, future], ignore_index=True)
    both["date"] = pd.to_datetime(both["date"])
    for c in exog:
        if both[c].dtype == object:
            both[c] = both[c].astype("category").cat.codes.astype(float)

    dates = np.sort(both["date"].unique())
    step = int(np.min(np.diff(dates)) / np.timedelta64(1, "D"))
    weekly = step >= 7
    grid = pd.date_range(dates[0], dates[-1], freq=f"{step}D")
    series = sorted(both["series_id"].unique())
    sidx = {s: i for i, s in enumerate(series)}
    both["s"] = both["series_id"].map(sidx)
    both["t"] = ((both["date"] - grid[0]) / np.timedelta64(step, "D")).astype(int)

    n_s, n_t = len(series), len(grid)
    y = np.full((n_s, n_t), np.nan)
    is_train = both["y"].notna().to_numpy()
    tr = both[is_train]
    y[tr["s"].to_numpy(), tr["t"].to_numpy()] = tr["y"].to_numpy()
    x_exog = np.full((len(exog), n_s, n_t), np.nan)
    for k, c in enumerate(exog):
        x_exog[k, both["s"].to_numpy(), both["t"].to_numpy()] = both[c].to_numpy(dtype=float)

    lags = WEEKLY_LAGS if weekly else DAILY_LAGS
    windows = WEEKLY_WINDOWS if weekly else DAILY_WINDOWS
    cal = calendar(grid, weekly)
    fut = both[~is_train]
    fut_s, fut_t = fut["s"].to_numpy(), fut["t"].to_numpy()
    horizon = int(pd.Series(fut_t).groupby(fut_s).count().max())

    # Backtest: hide each series' last H observed periods, forecast them, keep the scaled errors.
    last_obs = np.array([np.max(np.nonzero(~np.isnan(y[i]))[0]) for i in range(n_s)])
    cut = last_obs - horizon + 1
    y_bt = y.copy()
    for i in range(n_s):
        y_bt[i, cut[i]:] = np.nan
    bt_s = np.repeat(np.arange(n_s), horizon)
    bt_t = (cut[:, None] + np.arange(horizon)[None, :]).ravel()
    bt_pred = fit_forecast(y_bt, x_exog, cal, lags, windows, params, bt_s, bt_t)
    bt_scale = level(y_bt, cut, a.season)[bt_s]
    bt_err = (y[bt_s, bt_t] - bt_pred) / bt_scale
    bt_step = np.tile(np.arange(horizon), n_s)
    ok = ~np.isnan(bt_err)
    per_step = n_s >= 100
    qtab = np.empty((len(QUANTILES), horizon))
    for k, q in enumerate(QUANTILES):
        for h in range(horizon):
            sel = ok & (bt_step == h) if per_step else ok
            qtab[k, h] = np.quantile(bt_err[sel], q)

    pred = fit_forecast(y, x_exog, cal, lags, windows, params, fut_s, fut_t)
    scale = level(y, last_obs + 1, a.season)[fut_s]
    first = np.array([fut_t[fut_s == i].min() if np.any(fut_s == i) else 0 for i in range(n_s)])
    h_of = np.minimum(fut_t - first[fut_s], horizon - 1)
    out = pd.DataFrame({"series_id": fut["series_id"].to_numpy(), "date": fut["date"].dt.strftime("%Y-%m-%d")})
    out["yhat"] = pred
    qs = np.sort(np.stack([pred + qtab[k, h_of] * scale for k in range(len(QUANTILES))]), axis=0)
    for k, q in enumerate(QUANTILES):
        out[f"q{q}"] = qs[k]
    out.to_csv(a.out + ".tmp", index=False)
    os.replace(a.out + ".tmp", a.out)
    print(f"xgb: {n_s} series, {horizon} steps, {len(lags)} lags, {len(exog)} exogenous", file=sys.stderr)


def calendar(grid, weekly):
    cols = [grid.month.to_numpy(), grid.isocalendar().week.to_numpy(dtype=float), grid.dayofyear.to_numpy()]
    if not weekly:
        cols += [grid.dayofweek.to_numpy(), grid.day.to_numpy()]
    return np.stack(cols).astype(float)


def level(y, end, season):
    """Mean |y| over the last max(season, 28) observed periods before `end`; 1 when zero."""
    w = max(season, 28)
    out = np.empty(y.shape[0])
    for i in range(y.shape[0]):
        v = np.abs(y[i, max(0, end[i] - w) : end[i]])
        m = np.nanmean(v) if np.any(~np.isnan(v)) else 0.0
        out[i] = m if m > 0 else 1.0
    return out


def features(y, x_exog, cal, lags, windows, s, t):
    """Feature rows for (series s[k], period t[k]) reading only y before t."""
    n_t = y.shape[1]
    cols = [s.astype(float)]
    for lag in lags:
        tt = t - lag
        v = np.full(len(t), np.nan)
        m = tt >= 0
        v[m] = y[s[m], tt[m]]
        cols.append(v)
    filled = np.nan_to_num(y)
    csum = np.concatenate([np.zeros((y.shape[0], 1)), np.cumsum(filled, axis=1)], axis=1)
    ccnt = np.concatenate([np.zeros((y.shape[0], 1)), np.cumsum(~np.isnan(y), axis=1)], axis=1)
    for w in windows:
        hi = np.minimum(t, n_t)
        lo = np.maximum(t - w, 0)
        cnt = ccnt[s, hi] - ccnt[s, lo]
        with np.errstate(invalid="ignore", divide="ignore"):
            cols.append(np.where(cnt > 0, (csum[s, hi] - csum[s, lo]) / cnt, np.nan))
    cols += [cal[k, t] for k in range(cal.shape[0])]
    cols += [x_exog[k, s, t] for k in range(x_exog.shape[0])]
    return np.column_stack(cols)


def fit_forecast(y, x_exog, cal, lags, windows, params, out_s, out_t):
    """Trains on every observed (series, period) and forecasts (out_s, out_t) recursively."""
    # Period 0 has no history at all: every lag feature would be missing.
    obs_s, obs_t = np.nonzero(~np.isnan(y))
    keep = obs_t >= 1
    obs_s, obs_t = obs_s[keep], obs_t[keep]
    dtrain = xgb.DMatrix(features(y, x_exog, cal, lags, windows, obs_s, obs_t), label=y[obs_s, obs_t])
    booster = xgb.train(params, dtrain, num_boost_round=ROUNDS)
    work = y.copy()
    pred = np.empty(len(out_t))
    order = np.argsort(out_t, kind="stable")
    for t in np.unique(out_t):
        idx = order[out_t[order] == t]
        p = booster.predict(xgb.DMatrix(features(work, x_exog, cal, lags, windows, out_s[idx], out_t[idx])))
        pred[idx] = p
        work[out_s[idx], out_t[idx]] = p
    return pred


if __name__ == "__main__":
    main()
