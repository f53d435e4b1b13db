/**
 * Regression losses for gradient boosting. Each works on the raw score (before the inverse link)
 * and gives the per-row loss, its gradient and hessian with respect to the raw score, the constant
 * initial raw score, and, for the quantile family, the leaf-value re-estimation rule.
 */
import { SalescastError } from '../core/errors.js';

/** Loss names accepted by `GradientBoosting`'s `loss` parameter. */
export const LOSS_NAMES = ['squared', 'absolute', 'huber', 'quantile', 'poisson', 'tweedie'] as const;
export type LossName = (typeof LOSS_NAMES)[number];

export interface Loss {
  readonly name: LossName;
  /** How a raw score becomes a prediction: identity, or exp for the log-link losses. */
  readonly link: 'identity' | 'log';
  /** The loss of one row (up to a term that does not depend on `raw`). */
  loss(y: number, raw: number): number;
  /**
   * Fills `grad[i]` and `hess[i]` with the weighted first and second derivatives of the loss at
   * `raw[i]`. For absolute, quantile and the linear part of Huber the true second derivative is 0;
   * they use the surrogate 1 (as LightGBM does), so that a leaf's Newton step is a weighted mean.
   */
  gradients(
    y: Float64Array,
    raw: Float64Array,
    weight: Float64Array | undefined,
    grad: Float64Array,
    hess: Float64Array,
  ): void;
  /** The constant raw score that minimises the weighted loss. */
  initScore(y: Float64Array, weight: Float64Array | undefined): number;
  /**
   * The level of the residual quantile a leaf value is re-estimated with after the tree is grown
   * (absolute: 0.5, quantile: alpha), or undefined when the Newton step is already accurate.
   */
  readonly leafQuantile: number | undefined;
  /** Whether the (unweighted) hessian is exactly 1 for every row. */
  readonly unitHessian: boolean;
  /** Inverse link: raw score → prediction. */
  inverseLink(raw: number): number;
  /** Throws INVALID_DATA when a target value is outside the loss's domain (e.g. y < 0 for Poisson). */
  checkTarget(y: Float64Array): void;
}

export interface LossOptions {
  /** Huber: residual size where the loss turns from quadratic to linear (> 0). */
  readonly huberDelta?: number;
  /** Quantile: the level in (0, 1). */
  readonly alpha?: number;
  /** Tweedie: variance power in [1, 2). */
  readonly tweedieVariancePower?: number;
}

/** The loss called `name`, with its options. */
export function createLoss(name: LossName, options: LossOptions = {}): Loss {
  switch (name) {
    case 'squared':
      return squaredLoss;
    case 'absolute':
      return quantileLoss(0.5, 'absolute');
    case 'huber':
      return huberLoss(options.huberDelta ?? 1);
    case 'quantile':
      return quantileLoss(options.alpha ?? 0.5, 'quantile');
    case 'poisson':
      return tweedieLoss(1, 'poisson');
    case 'tweedie':
      return tweedieLoss(options.tweedieVariancePower ?? 1.5, 'tweedie');
  }
}

const identity = (raw: number): number => raw;

function checkFinite(y: Float64Array): void {
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i])) {
      throw new SalescastError('INVALID_DATA', `The target has a non-finite value (${y[i]}) at row ${i}.`);
    }
  }
}

function weightedMean(y: Float64Array, weight: Float64Array | undefined): number {
  let s = 0;
  let sw = 0;
  for (let i = 0; i < y.length; i++) {
    const w = weight ? weight[i] : 1;
    s += w * y[i];
    sw += w;
  }
  return sw > 0 ? s / sw : 0;
}

const squaredLoss: Loss = {
  name: 'squared',
  link: 'identity',
  leafQuantile: undefined,
  unitHessian: true,
  loss: (y, raw) => 0.5 * (raw - y) * (raw - y),
  gradients(y, raw, weight, grad, hess) {
    for (let i = 0; i < y.length; i++) {
      const w = weight ? weight[i] : 1;
      grad[i] = w * (raw[i] - y[i]);
      hess[i] = w;
    }
  },
  initScore: weightedMean,
  inverseLink: identity,
  checkTarget: checkFinite,
};

function huberLoss(delta: number): Loss {
  return {
    name: 'huber',
    link: 'identity',
    leafQuantile: undefined,
    unitHessian: true,
    loss(y, raw) {
      const r = Math.abs(raw - y);
      return r <= delta ? 0.5 * r * r : delta * (r - 0.5 * delta);
    },
    gradients(y, raw, weight, grad, hess) {
      for (let i = 0; i < y.length; i++) {
        const w = weight ? weight[i] : 1;
        const r = raw[i] - y[i];
        grad[i] = w * Math.min(delta, Math.max(-delta, r));
        hess[i] = w;
      }
    },
    initScore: (y, weight) => huberLocation(y, weight, delta),
    inverseLink: identity,
    checkTarget: checkFinite,
  };
}

/**
 * The constant minimising the weighted Huber loss: Newton steps from the median (robust to the
 * outliers Huber is chosen for), each step averaging the clipped residuals over the quadratic zone.
 */
function huberLocation(y: Float64Array, weight: Float64Array | undefined, delta: number): number {
  let c = weightedQuantile(y, weight, 0.5);
  for (let iter = 0; iter < 100; iter++) {
    let num = 0;
    let den = 0;
    let total = 0;
    for (let i = 0; i < y.length; i++) {
      const w = weight ? weight[i] : 1;
      const r = y[i] - c;
      num += w * Math.min(delta, Math.max(-delta, r));
      if (Math.abs(r) <= delta) den += w;
      total += w;
    }
    const step = num / (den > 0 ? den : total);
    c += step;
    if (Math.abs(step) <= 1e-12 * (1 + Math.abs(c))) break;
  }
  return c;
}

function quantileLoss(alpha: number, name: 'absolute' | 'quantile'): Loss {
  return {
    name,
    link: 'identity',
    leafQuantile: alpha,
    unitHessian: true,
    // Pinball loss; alpha = 0.5 is half the absolute error (same minimiser, same gradients' signs).
    loss(y, raw) {
      const r = y - raw;
      return r >= 0 ? alpha * r : (alpha - 1) * r;
    },
    gradients(y, raw, weight, grad, hess) {
      for (let i = 0; i < y.length; i++) {
        const w = weight ? weight[i] : 1;
        grad[i] = w * (raw[i] > y[i] ? 1 - alpha : -alpha);
        hess[i] = w;
      }
    },
    initScore: (y, weight) => weightedQuantile(y, weight, alpha),
    inverseLink: identity,
    checkTarget: checkFinite,
  };
}

/** Tweedie deviance with log link; power 1 is Poisson. */
function tweedieLoss(power: number, name: 'poisson' | 'tweedie'): Loss {
  const a = 1 - power;
  const b = 2 - power;
  return {
    name,
    link: 'log',
    leafQuantile: undefined,
    unitHessian: false,
    loss(y, raw) {
      if (a === 0) return Math.exp(raw) - y * raw;
      return (-y * Math.exp(a * raw)) / a + Math.exp(b * raw) / b;
    },
    gradients(y, raw, weight, grad, hess) {
      for (let i = 0; i < y.length; i++) {
        const w = weight ? weight[i] : 1;
        const ea = a === 0 ? 1 : Math.exp(a * raw[i]);
        const eb = Math.exp(b * raw[i]);
        grad[i] = w * (eb - y[i] * ea);
        hess[i] = w * (b * eb - a * y[i] * ea);
      }
    },
    initScore(y, weight) {
      const m = weightedMean(y, weight);
      return Math.log(Math.max(m, 1e-12));
    },
    inverseLink: Math.exp,
    checkTarget(y) {
      checkFinite(y);
      let sum = 0;
      for (let i = 0; i < y.length; i++) {
        if (y[i] < 0) {
          throw new SalescastError(
            'INVALID_DATA',
            `The ${name} loss needs a non-negative target; row ${i} has ${y[i]}.`,
          );
        }
        sum += y[i];
      }
      if (y.length > 0 && sum === 0) {
        throw new SalescastError('INVALID_DATA', `The ${name} loss needs a target that is not all zero.`);
      }
    },
  };
}

/**
 * The weighted `alpha`-quantile of `values` (lower quantile: the smallest v with cumulative weight
 * ≥ alpha · total). Sorts a copy; `values` is not modified.
 */
export function weightedQuantile(
  values: Float64Array,
  weight: Float64Array | undefined,
  alpha: number,
): number {
  const n = values.length;
  if (n === 0) return 0;
  if (!weight) {
    const sorted = Float64Array.from(values).sort();
    return sorted[Math.min(n - 1, Math.max(0, Math.ceil(alpha * n) - 1))];
  }
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((p, q) => values[p] - values[q] || p - q);
  let total = 0;
  for (let i = 0; i < n; i++) total += weight[i];
  const target = alpha * total;
  let acc = 0;
  for (let k = 0; k < n; k++) {
    acc += weight[order[k]];
    if (acc >= target && weight[order[k]] > 0) return values[order[k]];
  }
  return values[order[n - 1]];
}
