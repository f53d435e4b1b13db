"""Peer engines for the learning-engine benchmark: XGBoost and scikit-learn's HistGradientBoosting.

    /usr/bin/python3 bench/learn/python_bench.py ENGINE DATA_DIR TREES LEAVES LR THREADS

ENGINE is "xgboost" or "sklearn". Reads DATA_DIR/{meta.json,train.f64,test.f64} written by
make-data.mjs, trains with the settings the benchmark holds fixed for every engine, and prints
one JSON object: train seconds, predict seconds and rows/s on the test set, and test RMSE.
Integer-coded columns are treated as numeric by every engine, so that all split the same data.
Run with Debian's /usr/bin/python3, where python3-xgboost and python3-sklearn install.
"""

import json
import os
import sys
import time

import numpy as np


def load(data_dir, name, n_rows, n_cols):
    flat = np.fromfile(os.path.join(data_dir, f"{name}.f64"), dtype="<f8")
    table = flat.reshape(n_rows, n_cols + 1)
    # C-contiguous X: both engines copy or bin it anyway, so the layout does not favour either.
    return np.ascontiguousarray(table[:, :n_cols]), table[:, n_cols].copy()


def main():
    if len(sys.argv) != 7:
        sys.exit("usage: python_bench.py xgboost|sklearn DATA_DIR TREES LEAVES LR THREADS")
    engine, data_dir = sys.argv[1], sys.argv[2]
    trees, leaves, lr, threads = int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
    with open(os.path.join(data_dir, "meta.json")) as f:
        meta = json.load(f)
    x_train, y_train = load(data_dir, "train", meta["nTrain"], meta["nCols"])
    x_test, y_test = load(data_dir, "test", meta["nTest"], meta["nCols"])

    if engine == "xgboost":
        import xgboost as xgb

        version = xgb.__version__
        params = {
            "objective": "reg:squarederror",
            "tree_method": "hist",
            "grow_policy": "lossguide",
            "max_leaves": leaves,
            "max_depth": 0,
            "max_bin": 255,
            "learning_rate": lr,
            "nthread": threads,
            # Everything else at XGBoost's defaults (min_child_weight=1, lambda=1), as in the
            # documented settings of the benchmark.
        }
        started = time.perf_counter()
        dtrain = xgb.DMatrix(x_train, label=y_train, missing=np.nan, nthread=threads)
        booster = xgb.train(params, dtrain, num_boost_round=trees)
        train_seconds = time.perf_counter() - started
        started = time.perf_counter()
        predictions = booster.predict(xgb.DMatrix(x_test, missing=np.nan, nthread=threads))
        predict_seconds = time.perf_counter() - started
    elif engine == "sklearn":
        # OMP_NUM_THREADS must be set before scikit-learn loads OpenMP; run.sh sets it too.
        os.environ.setdefault("OMP_NUM_THREADS", str(threads))
        import sklearn
        from sklearn.ensemble import HistGradientBoostingRegressor

        version = sklearn.__version__
        model = HistGradientBoostingRegressor(
            max_iter=trees,
            max_leaf_nodes=leaves,
            learning_rate=lr,
            max_bins=255,
            early_stopping=False,
            random_state=0,
        )
        started = time.perf_counter()
        model.fit(x_train, y_train)
        train_seconds = time.perf_counter() - started
        started = time.perf_counter()
        predictions = model.predict(x_test)
        predict_seconds = time.perf_counter() - started
    else:
        sys.exit(f"unknown engine {engine!r}; use xgboost or sklearn")

    rmse = float(np.sqrt(np.mean((np.asarray(predictions, dtype=np.float64) - y_test) ** 2)))
    print(
        json.dumps(
            {
                "engine": engine,
                "version": version,
                "trainSeconds": train_seconds,
                "predictSeconds": predict_seconds,
                "predictRowsPerSecond": meta["nTest"] / predict_seconds,
                "rmse": rmse,
            }
        )
    )


if __name__ == "__main__":
    main()
