"""Writes xgboost-shap.json, the fixture that checks salescast's TreeSHAP against XGBoost's own
(`pred_contribs=True`, exact path-dependent TreeSHAP in C++).

    /usr/bin/python3 src/ml/testdata/make-xgboost-shap.py > src/ml/testdata/xgboost-shap.json

Feature values are multiples of 1/64 so that XGBoost's float32 split comparisons and salescast's
float64 ones route every row the same way. One column has missing values.
"""

import json

import numpy as np
import xgboost as xgb

rng = np.random.default_rng(7)
n, p = 400, 5
X = np.floor(rng.random((n, p)) * 64) / 64
y = 10 * np.sin(np.pi * X[:, 0] * X[:, 1]) + 20 * (X[:, 2] - 0.5) ** 2 + 10 * X[:, 3] + rng.normal(size=n)
X[rng.random(n) < 0.1, 3] = np.nan
params = {"max_depth": 5, "learning_rate": 0.3, "base_score": 0.5, "tree_method": "exact", "nthread": 1}
booster = xgb.train(params, xgb.DMatrix(X, label=y, missing=np.nan), num_boost_round=6)

rows = np.concatenate([X[:8], X[np.isnan(X[:, 3])][:4]])
contribs = booster.predict(xgb.DMatrix(rows, missing=np.nan), pred_contribs=True)
raw = booster.predict(xgb.DMatrix(rows, missing=np.nan), output_margin=True)
print(
    json.dumps(
        {
            "xgboostVersion": xgb.__version__,
            "baseScore": 0.5,
            "nFeatures": p,
            "trees": [json.loads(t) for t in booster.get_dump(dump_format="json", with_stats=True)],
            "rows": [[None if np.isnan(v) else float(v) for v in r] for r in rows],
            "margin": [float(v) for v in raw],
            # Per row: one SHAP value per feature, then the bias (XGBoost's expected value).
            "contribs": [[float(v) for v in r] for r in contribs],
        }
    )
)
