/**
 * Forecast reconciliation over the store × product hierarchy: the bottom series (one per store ×
 * product) sum to one series per store, one per product and one total. Store and product cross,
 * so this is a grouped structure; the methods below do not need it to be a tree.
 *
 * Node order, used by every matrix here: total, then the stores, then the products, then the
 * bottom series. Forecasts and residuals are series-major: value (node i, step t) is
 * `data[i * steps + t]`.
 *
 * Reconciliation uses the projection form of Wickramasuriya, Athanasopoulos & Hyndman (2019),
 * ỹ = ŷ − W U (Uᵀ W U)⁻¹ Uᵀ ŷ, where Uᵀ y = 0 states the aggregation constraints (aggregate minus
 * the sum of its bottom series). It equals the usual S (Sᵀ W⁻¹ S)⁻¹ Sᵀ W⁻¹ ŷ but only solves a
 * system with one unknown per aggregate node and never inverts W. The methods differ in W:
 * - `ols`: W = I;
 * - `wls_struct`: W = diag(number of bottom series under each node);
 * - `mint_shrink`: W = the Schäfer–Strimmer shrinkage of the residual covariance towards its
 *   diagonal, as `shrink.estim` in R's hts computes it.
 * `bottom_up` ignores every forecast above the bottom level and sums the bottom ones.
 */
import { SalescastError } from '../core/errors.js';
import { solveSymmetricPositive } from '../ml/linear/cholesky.js';

export type ReconciliationMethod = 'bottom_up' | 'ols' | 'wls_struct' | 'mint_shrink';

export const RECONCILIATION_METHODS: readonly ReconciliationMethod[] = [
  'bottom_up',
  'ols',
  'wls_struct',
  'mint_shrink',
];

/** One bottom series: its identifier and the store and product it belongs to. */
export interface BottomSeries {
  readonly id: string;
  readonly store: string;
  readonly product: string;
}

export type NodeLevel = 'total' | 'store' | 'product' | 'bottom';

export interface Hierarchy {
  /** Distinct stores, in order of first appearance. */
  readonly stores: readonly string[];
  /** Distinct products, in order of first appearance. */
  readonly products: readonly string[];
  /** Store index of each bottom series. */
  readonly storeOf: Int32Array;
  /** Product index of each bottom series. */
  readonly productOf: Int32Array;
  readonly nBottom: number;
  /** 1 + stores + products. */
  readonly nAggregates: number;
  /** nAggregates + nBottom. */
  readonly nNodes: number;
  /** Node labels: "total", "store:<id>", "product:<id>", then the bottom ids. */
  readonly labels: readonly string[];
  readonly levels: readonly NodeLevel[];
}

/**
 * Builds the hierarchy of the given bottom series (in the given order, which becomes the order of
 * the bottom nodes). Throws INVALID_DATA when two series share an id or a store × product pair.
 */
export function buildHierarchy(bottom: readonly BottomSeries[]): Hierarchy {
  if (bottom.length === 0) {
    throw new SalescastError('INVALID_DATA', 'A hierarchy needs at least one bottom series.');
  }
  const storeIndex = new Map<string, number>();
  const productIndex = new Map<string, number>();
  const storeOf = new Int32Array(bottom.length);
  const productOf = new Int32Array(bottom.length);
  const ids = new Set<string>();
  const pairs = new Set<string>();
  bottom.forEach((b, i) => {
    const pair = `${b.store}\u0000${b.product}`;
    if (ids.has(b.id) || pairs.has(pair)) {
      throw new SalescastError(
        'INVALID_DATA',
        `Bottom series '${b.id}' (store '${b.store}', product '${b.product}') is listed twice.`,
      );
    }
    ids.add(b.id);
    pairs.add(pair);
    if (!storeIndex.has(b.store)) storeIndex.set(b.store, storeIndex.size);
    if (!productIndex.has(b.product)) productIndex.set(b.product, productIndex.size);
    storeOf[i] = storeIndex.get(b.store)!;
    productOf[i] = productIndex.get(b.product)!;
  });
  const stores = [...storeIndex.keys()];
  const products = [...productIndex.keys()];
  const nAggregates = 1 + stores.length + products.length;
  return {
    stores,
    products,
    storeOf,
    productOf,
    nBottom: bottom.length,
    nAggregates,
    nNodes: nAggregates + bottom.length,
    labels: [
      'total',
      ...stores.map((s) => `store:${s}`),
      ...products.map((p) => `product:${p}`),
      ...bottom.map((b) => b.id),
    ],
    levels: [
      'total',
      ...stores.map((): NodeLevel => 'store'),
      ...products.map((): NodeLevel => 'product'),
      ...bottom.map((): NodeLevel => 'bottom'),
    ],
  };
}

/** The aggregate nodes (total, its store, its product) that bottom series `b` adds into. */
function parentsOf(h: Hierarchy, b: number): [number, number, number] {
  return [0, 1 + h.storeOf[b], 1 + h.stores.length + h.productOf[b]];
}

/** Summing matrix S, row-major nNodes × nBottom, with S[i][b] = 1 when node i contains series b. */
export function summingMatrix(h: Hierarchy): Float64Array {
  const S = new Float64Array(h.nNodes * h.nBottom);
  for (let b = 0; b < h.nBottom; b++) {
    for (const a of parentsOf(h, b)) S[a * h.nBottom + b] = 1;
    S[(h.nAggregates + b) * h.nBottom + b] = 1;
  }
  return S;
}

/** Number of bottom series under each node (the row sums of S), the WLS-struct weights. */
export function nodeSizes(h: Hierarchy): Float64Array {
  const sizes = new Float64Array(h.nNodes);
  for (let b = 0; b < h.nBottom; b++) {
    for (const a of parentsOf(h, b)) sizes[a]++;
    sizes[h.nAggregates + b] = 1;
  }
  return sizes;
}

/**
 * Sums bottom-level values into every node: S · bottom.
 *
 * @param bottom series-major nBottom × steps
 * @returns series-major nNodes × steps, bottom rows copied as they are
 */
export function aggregateBottom(h: Hierarchy, bottom: Float64Array, steps: number): Float64Array {
  requireShape('bottom', bottom, h.nBottom, steps);
  const out = new Float64Array(h.nNodes * steps);
  for (let b = 0; b < h.nBottom; b++) {
    const row = bottom.subarray(b * steps, (b + 1) * steps);
    for (const a of parentsOf(h, b)) for (let t = 0; t < steps; t++) out[a * steps + t] += row[t];
    out.set(row, (h.nAggregates + b) * steps);
  }
  return out;
}

/**
 * Uncentred covariance of residuals shrunk towards its diagonal (Schäfer & Strimmer 2005), as used
 * by MinT-shrink: W = λ diag(Σ̂) + (1 − λ) Σ̂ with Σ̂ = R Rᵀ / T and λ chosen from the estimated
 * variance of the sample correlations, clipped to [0, 1]. A series whose residuals are all zero is
 * treated as uncorrelated with the others.
 *
 * @param residuals series-major nSeries × nObs, finite (e.g. one-step in-sample or backtest errors)
 * @returns covariance row-major nSeries × nSeries and the shrinkage intensity λ
 */
export function shrinkCovariance(
  residuals: Float64Array,
  nSeries: number,
  nObs: number,
): { covariance: Float64Array; lambda: number } {
  requireShape('residuals', residuals, nSeries, nObs);
  if (nObs < 2) {
    throw new SalescastError(
      'INVALID_DATA',
      `MinT-shrink needs at least 2 residuals per series; got ${nObs}.`,
    );
  }
  const cov = new Float64Array(nSeries * nSeries);
  for (let i = 0; i < nSeries; i++) {
    const ri = residuals.subarray(i * nObs, (i + 1) * nObs);
    for (let j = 0; j <= i; j++) {
      const rj = residuals.subarray(j * nObs, (j + 1) * nObs);
      let s = 0;
      for (let t = 0; t < nObs; t++) s += ri[t] * rj[t];
      cov[i * nSeries + j] = cov[j * nSeries + i] = s / nObs;
    }
  }
  // Standardised residuals x_it / σ_i, and their squares, for the variance of each correlation.
  const xs = new Float64Array(nSeries * nObs);
  for (let i = 0; i < nSeries; i++) {
    const sd = Math.sqrt(cov[i * nSeries + i]);
    if (sd > 0) for (let t = 0; t < nObs; t++) xs[i * nObs + t] = residuals[i * nObs + t] / sd;
  }
  const xs2 = xs.map((v) => v * v);
  let sumVar = 0;
  let sumSq = 0;
  for (let i = 0; i < nSeries; i++) {
    for (let j = 0; j < i; j++) {
      let cross = 0;
      let crossSq = 0;
      for (let t = 0; t < nObs; t++) {
        cross += xs[i * nObs + t] * xs[j * nObs + t];
        crossSq += xs2[i * nObs + t] * xs2[j * nObs + t];
      }
      sumVar += (crossSq - (cross * cross) / nObs) / (nObs * (nObs - 1));
      const corr = cross / nObs;
      sumSq += corr * corr;
    }
  }
  // No correlation at all: the sample covariance already is its diagonal, so any λ gives it.
  const lambda = sumSq > 0 ? Math.min(1, Math.max(0, sumVar / sumSq)) : 1;
  for (let i = 0; i < nSeries; i++) {
    for (let j = 0; j < nSeries; j++) if (i !== j) cov[i * nSeries + j] *= 1 - lambda;
  }
  return { covariance: cov, lambda };
}

export interface ReconcileOptions {
  readonly method: ReconciliationMethod;
  /** Series-major nNodes × nObs base-model residuals of every node; required by `mint_shrink`. */
  readonly residuals?: Float64Array;
  readonly nObs?: number;
}

export interface Reconciled {
  /** Coherent forecasts, series-major nNodes × steps. */
  readonly forecasts: Float64Array;
  /** Shrinkage intensity used by `mint_shrink`. */
  readonly lambda?: number;
}

/**
 * Reconciles base forecasts of every node into coherent ones: each aggregate equals the sum of its
 * bottom series at every step.
 *
 * @param base series-major nNodes × steps base forecasts (node order as in `Hierarchy.labels`)
 */
export function reconcile(
  h: Hierarchy,
  base: Float64Array,
  steps: number,
  options: ReconcileOptions,
): Reconciled {
  requireShape('base forecasts', base, h.nNodes, steps);
  for (let i = 0; i < base.length; i++) {
    if (!Number.isFinite(base[i])) {
      throw new SalescastError(
        'INVALID_DATA',
        `The base forecast of '${h.labels[Math.floor(i / steps)]}' is not finite at step ${i % steps}.`,
      );
    }
  }
  switch (options.method) {
    case 'bottom_up':
      return { forecasts: aggregateBottom(h, base.subarray(h.nAggregates * steps), steps) };
    case 'ols':
      return { forecasts: project(h, base, steps, diagonal(new Float64Array(h.nNodes).fill(1))) };
    case 'wls_struct':
      return { forecasts: project(h, base, steps, diagonal(nodeSizes(h))) };
    case 'mint_shrink': {
      const { residuals, nObs } = options;
      if (!residuals || nObs === undefined) {
        throw new SalescastError(
          'INVALID_ARGUMENT',
          "Reconciliation 'mint_shrink' needs residuals of every node.",
        );
      }
      for (let i = 0; i < residuals.length; i++) {
        if (!Number.isFinite(residuals[i])) {
          throw new SalescastError(
            'INVALID_DATA',
            `The residual of '${h.labels[Math.floor(i / nObs)]}' is not finite at observation ${i % nObs}.`,
          );
        }
      }
      const { covariance, lambda } = shrinkCovariance(residuals, h.nNodes, nObs);
      // A node with all-zero residuals gives W a zero row, and a constraint among such nodes only
      // would leave Uᵀ W U singular and that constraint unenforced; a ridge far below any real
      // variance keeps every constraint active without moving the other results measurably.
      let maxVariance = 0;
      for (let i = 0; i < h.nNodes; i++) maxVariance = Math.max(maxVariance, covariance[i * h.nNodes + i]);
      const ridge = maxVariance > 0 ? maxVariance * 1e-10 : 1;
      for (let i = 0; i < h.nNodes; i++) covariance[i * h.nNodes + i] += ridge;
      return { forecasts: project(h, base, steps, { kind: 'dense', W: covariance }), lambda };
    }
    default:
      throw new SalescastError(
        'INVALID_ARGUMENT',
        `The reconciliation method must be one of ${RECONCILIATION_METHODS.join(', ')}; got '${String(options.method)}'.`,
      );
  }
}

type Weights = { kind: 'diagonal'; w: Float64Array } | { kind: 'dense'; W: Float64Array };

function diagonal(w: Float64Array): Weights {
  return { kind: 'diagonal', w };
}

/** ỹ = ŷ − W U (Uᵀ W U)⁻¹ Uᵀ ŷ, one solve per step. */
function project(h: Hierarchy, base: Float64Array, steps: number, weights: Weights): Float64Array {
  const { nNodes, nAggregates: nA, nBottom } = h;
  // Aggregate a's constraint row of Uᵀ is +1 at node a and −1 at each bottom node under it.
  const children: number[][] = Array.from({ length: nA }, () => []);
  for (let b = 0; b < nBottom; b++) for (const a of parentsOf(h, b)) children[a].push(nA + b);

  // WU, column-major nNodes × nA: column a is W[:, a] − Σ_children W[:, child].
  const WU = new Float64Array(nNodes * nA);
  for (let a = 0; a < nA; a++) {
    const col = WU.subarray(a * nNodes, (a + 1) * nNodes);
    if (weights.kind === 'diagonal') {
      col[a] = weights.w[a];
      for (const c of children[a]) col[c] = -weights.w[c];
    } else {
      const W = weights.W;
      for (let i = 0; i < nNodes; i++) {
        let s = W[i * nNodes + a];
        for (const c of children[a]) s -= W[i * nNodes + c];
        col[i] = s;
      }
    }
  }
  // M = Uᵀ W U, row-major nA × nA: M[a][k] = WU[a][k] − Σ_children WU[child][k].
  const M = new Float64Array(nA * nA);
  for (let a = 0; a < nA; a++) {
    for (let k = 0; k < nA; k++) {
      let s = WU[k * nNodes + a];
      for (const c of children[a]) s -= WU[k * nNodes + c];
      M[a * nA + k] = s;
    }
  }

  const out = base.slice();
  const gap = new Float64Array(nA);
  for (let t = 0; t < steps; t++) {
    for (let a = 0; a < nA; a++) {
      let s = base[a * steps + t];
      for (const c of children[a]) s -= base[c * steps + t];
      gap[a] = s;
    }
    const x = solveSymmetricPositive(M, gap, nA);
    for (let a = 0; a < nA; a++) {
      if (x[a] === 0) continue;
      const col = WU.subarray(a * nNodes, (a + 1) * nNodes);
      for (let i = 0; i < nNodes; i++) out[i * steps + t] -= col[i] * x[a];
    }
  }
  return out;
}

function requireShape(name: string, data: Float64Array, rows: number, cols: number): void {
  if (!Number.isInteger(cols) || cols < 0 || data.length !== rows * cols) {
    throw new SalescastError(
      'INVALID_ARGUMENT',
      `${name}: expected ${rows} series × ${cols} values (${rows * cols}); got ${data.length} values.`,
    );
  }
}
