/**
 * Poisson regression (log link) fitted by iteratively reweighted least squares, with
 * heteroskedasticity-robust (sandwich) standard errors. It is the estimator behind the price
 * elasticity: E[units] = exp(xᵀβ) is exactly the multiplicative demand model, zero-unit days are
 * ordinary observations, and the Poisson score equations stay consistent for β when the counts are
 * overdispersed (quasi-likelihood); the sandwich covariance accounts for that overdispersion.
 *
 * Each IRLS step solves XᵀWX δ = Xᵀ(y − μ) with the shared Cholesky solver of `src/ml/linear`.
 */
import { SalescastError } from '../../core/errors.js';
import type { FeatureMatrix } from '../estimator.js';
import { solveSymmetricPositive } from './cholesky.js';

export interface PoissonRegressionOptions {
  /** IRLS iterations at most; default 50. */
  readonly maxIterations?: number;
  /** Convergence: relative change of the deviance below this; default 1e-10. */
  readonly tolerance?: number;
}

export interface PoissonRegressionFit {
  /** Intercept (log of the expected count at all-zero features). */
  readonly intercept: number;
  /** One per column of X. */
  readonly coefficients: Float64Array;
  /** Sandwich standard error per column of X. */
  readonly standardErrors: Float64Array;
  /** Poisson deviance at the solution. */
  readonly deviance: number;
  readonly iterations: number;
  readonly converged: boolean;
}

/**
 * Fits log E[y] = β₀ + Xβ. `X`: column-major, nRows × nFeatures, finite; `y`: counts ≥ 0 (need not
 * be integers). Columns the data do not determine (constant or collinear) get coefficient 0 and
 * standard error NaN. Throws INVALID_DATA for empty or non-finite input or an all-zero `y`.
 */
export function fitPoissonRegression(
  X: FeatureMatrix,
  y: Float64Array,
  options: PoissonRegressionOptions = {},
): PoissonRegressionFit {
  const { maxIterations = 50, tolerance = 1e-10 } = options;
  const n = X.nRows;
  const p = X.nCols + 1;
  if (n === 0 || y.length !== n) {
    throw new SalescastError(
      'INVALID_DATA',
      `Poisson regression needs rows and one y per row; got ${n} rows and ${y.length} values.`,
    );
  }
  let ySum = 0;
  for (let i = 0; i < n; i++) {
    if (!(Number.isFinite(y[i]) && y[i] >= 0)) {
      throw new SalescastError(
        'INVALID_DATA',
        `y holds ${y[i]} at row ${i}; Poisson regression needs counts ≥ 0.`,
        { field: 'y' },
      );
    }
    ySum += y[i];
  }
  for (let k = 0; k < X.data.length; k++) {
    if (!Number.isFinite(X.data[k])) {
      throw new SalescastError(
        'INVALID_DATA',
        `X holds ${X.data[k]} at row ${k % n}, column ${Math.floor(k / n)}.`,
      );
    }
  }
  if (ySum === 0)
    throw new SalescastError('INVALID_DATA', 'y is 0 on every row; a log-link model has no finite fit.');

  // Row-major design with the intercept as column 0: the IRLS loops then walk contiguous memory.
  const Z = new Float64Array(n * p);
  for (let i = 0; i < n; i++) {
    Z[i * p] = 1;
    for (let j = 1; j < p; j++) Z[i * p + j] = X.data[(j - 1) * n + i];
  }
  const beta = new Float64Array(p);
  beta[0] = Math.log(ySum / n);
  const eta = new Float64Array(n).fill(beta[0]);
  let deviance = poissonDeviance(y, eta);
  let iterations = 0;
  let converged = false;
  const trial = new Float64Array(n);
  const gram = new Float64Array(p * p);
  const score = new Float64Array(p);
  for (; iterations < maxIterations && !converged; iterations++) {
    gram.fill(0);
    score.fill(0);
    for (let i = 0; i < n; i++) {
      const mu = Math.exp(eta[i]);
      const r = y[i] - mu;
      const row = Z.subarray(i * p, (i + 1) * p);
      for (let a = 0; a < p; a++) {
        const wa = mu * row[a];
        score[a] += row[a] * r;
        for (let b = 0; b <= a; b++) gram[a * p + b] += wa * row[b];
      }
    }
    for (let a = 0; a < p; a++) for (let b = 0; b < a; b++) gram[b * p + a] = gram[a * p + b];
    const step = solveSymmetricPositive(gram, score, p);
    // Step halving keeps the deviance decreasing when a full Newton step overshoots.
    let scale = 1;
    let next = deviance;
    for (let halvings = 0; halvings < 30; halvings++) {
      for (let i = 0; i < n; i++) {
        let e = 0;
        for (let a = 0; a < p; a++) e += (beta[a] + scale * step[a]) * Z[i * p + a];
        trial[i] = e;
      }
      next = poissonDeviance(y, trial);
      if (next <= deviance * (1 + 1e-12)) break;
      scale /= 2;
    }
    for (let a = 0; a < p; a++) beta[a] += scale * step[a];
    eta.set(trial);
    converged = Math.abs(deviance - next) <= tolerance * Math.max(1, Math.abs(next));
    deviance = next;
  }

  // Sandwich covariance (XᵀWX)⁻¹ (Σ xᵢxᵢᵀ (yᵢ − μᵢ)²) (XᵀWX)⁻¹ at the solution.
  gram.fill(0);
  const meat = new Float64Array(p * p);
  for (let i = 0; i < n; i++) {
    const mu = Math.exp(eta[i]);
    const r2 = (y[i] - mu) ** 2;
    const row = Z.subarray(i * p, (i + 1) * p);
    for (let a = 0; a < p; a++) {
      for (let b = 0; b <= a; b++) {
        gram[a * p + b] += mu * row[a] * row[b];
        meat[a * p + b] += r2 * row[a] * row[b];
      }
    }
  }
  for (let a = 0; a < p; a++) {
    for (let b = 0; b < a; b++) {
      gram[b * p + a] = gram[a * p + b];
      meat[b * p + a] = meat[a * p + b];
    }
  }
  const inverse = new Float64Array(p * p);
  const unit = new Float64Array(p);
  const determined = new Uint8Array(p);
  for (let a = 0; a < p; a++) {
    unit.fill(0);
    unit[a] = 1;
    const column = solveSymmetricPositive(gram, unit, p);
    determined[a] = column[a] > 0 ? 1 : 0;
    for (let b = 0; b < p; b++) inverse[b * p + a] = column[b];
  }
  const standardErrors = new Float64Array(p - 1);
  for (let j = 1; j < p; j++) {
    // Variance of β_j = v_jᵀ M v_j with v_j the j-th row of the inverse.
    let v = 0;
    for (let a = 0; a < p; a++) {
      let s = 0;
      for (let b = 0; b < p; b++) s += meat[a * p + b] * inverse[j * p + b];
      v += inverse[j * p + a] * s;
    }
    standardErrors[j - 1] = determined[j] ? Math.sqrt(Math.max(0, v)) : Number.NaN;
  }
  return {
    intercept: beta[0],
    coefficients: beta.slice(1),
    standardErrors,
    deviance,
    iterations,
    converged,
  };
}

/** Poisson deviance 2 Σ [y log(y/μ) − (y − μ)] for log-means `eta`. */
function poissonDeviance(y: Float64Array, eta: Float64Array): number {
  let d = 0;
  for (let i = 0; i < y.length; i++) {
    const mu = Math.exp(eta[i]);
    d += (y[i] > 0 ? y[i] * (Math.log(y[i]) - eta[i]) : 0) - (y[i] - mu);
  }
  return 2 * d;
}
