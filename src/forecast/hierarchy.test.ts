import { describe, expect, it } from 'vitest';
import { SalescastError } from '../core/errors.js';
import { createRng } from '../core/rng.js';
import {
  aggregateBottom,
  type BottomSeries,
  buildHierarchy,
  type Hierarchy,
  nodeSizes,
  RECONCILIATION_METHODS,
  reconcile,
  shrinkCovariance,
  summingMatrix,
} from './hierarchy.js';

function grid(nStores: number, nProducts: number): BottomSeries[] {
  const out: BottomSeries[] = [];
  for (let s = 0; s < nStores; s++) {
    for (let p = 0; p < nProducts; p++) out.push({ id: `s${s}_p${p}`, store: `s${s}`, product: `p${p}` });
  }
  return out;
}

/** Largest |aggregate − sum of its bottom series| over nodes and steps, from S itself. */
function incoherence(h: Hierarchy, y: Float64Array, steps: number): number {
  const S = summingMatrix(h);
  let worst = 0;
  for (let i = 0; i < h.nNodes; i++) {
    for (let t = 0; t < steps; t++) {
      let sum = 0;
      for (let b = 0; b < h.nBottom; b++) sum += S[i * h.nBottom + b] * y[(h.nAggregates + b) * steps + t];
      worst = Math.max(worst, Math.abs(y[i * steps + t] - sum));
    }
  }
  return worst;
}

/** Slow reference: Gauss–Jordan inverse of a row-major n × n matrix. */
function invert(A: Float64Array, n: number): Float64Array {
  const a = A.slice();
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) inv[i * n + i] = 1;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r * n + c]) > Math.abs(a[p * n + c])) p = r;
    for (let k = 0; k < n; k++) {
      [a[c * n + k], a[p * n + k]] = [a[p * n + k], a[c * n + k]];
      [inv[c * n + k], inv[p * n + k]] = [inv[p * n + k], inv[c * n + k]];
    }
    const d = a[c * n + c];
    for (let k = 0; k < n; k++) {
      a[c * n + k] /= d;
      inv[c * n + k] /= d;
    }
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r * n + c];
      for (let k = 0; k < n; k++) {
        a[r * n + k] -= f * a[c * n + k];
        inv[r * n + k] -= f * inv[c * n + k];
      }
    }
  }
  return inv;
}

function matMul(A: Float64Array, B: Float64Array, n: number, k: number, m: number): Float64Array {
  const C = new Float64Array(n * m);
  for (let i = 0; i < n; i++)
    for (let l = 0; l < k; l++) for (let j = 0; j < m; j++) C[i * m + j] += A[i * k + l] * B[l * m + j];
  return C;
}

function transpose(A: Float64Array, n: number, m: number): Float64Array {
  const T = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) T[j * n + i] = A[i * m + j];
  return T;
}

/** Slow reference: S (Sᵀ W⁻¹ S)⁻¹ Sᵀ W⁻¹ ŷ, straight from the textbook formula. */
function referenceReconcile(h: Hierarchy, W: Float64Array, base: Float64Array, steps: number): Float64Array {
  const n = h.nNodes;
  const m = h.nBottom;
  const S = summingMatrix(h);
  const St = transpose(S, n, m);
  const Winv = invert(W, n);
  const StWinv = matMul(St, Winv, m, n, n);
  const G = matMul(invert(matMul(StWinv, S, m, n, m), m), StWinv, m, m, n);
  return matMul(matMul(S, G, n, m, n), base, n, n, steps);
}

describe('buildHierarchy and the summing matrix', () => {
  it('orders nodes total, stores, products, bottom and sums accordingly', () => {
    const h = buildHierarchy(grid(2, 2));
    expect(h.labels).toEqual([
      'total',
      'store:s0',
      'store:s1',
      'product:p0',
      'product:p1',
      's0_p0',
      's0_p1',
      's1_p0',
      's1_p1',
    ]);
    expect(h.levels.slice(0, 4)).toEqual(['total', 'store', 'store', 'product']);
    expect(Array.from(summingMatrix(h))).toEqual([
      ...[1, 1, 1, 1],
      ...[1, 1, 0, 0],
      ...[0, 0, 1, 1],
      ...[1, 0, 1, 0],
      ...[0, 1, 0, 1],
      ...[1, 0, 0, 0],
      ...[0, 1, 0, 0],
      ...[0, 0, 1, 0],
      ...[0, 0, 0, 1],
    ]);
    expect(Array.from(nodeSizes(h))).toEqual([4, 2, 2, 2, 2, 1, 1, 1, 1]);
  });

  it('rejects a repeated store × product pair and an empty list', () => {
    expect(() =>
      buildHierarchy([
        { id: 'a', store: 's', product: 'p' },
        { id: 'b', store: 's', product: 'p' },
      ]),
    ).toThrow(SalescastError);
    expect(() => buildHierarchy([])).toThrow(SalescastError);
  });

  it('aggregateBottom reproduces the sums of bottom series', () => {
    const h = buildHierarchy(grid(2, 3));
    const bottom = Float64Array.from({ length: 6 * 2 }, (_, i) => i + 1);
    const all = aggregateBottom(h, bottom, 2);
    // bottom rows (t=0): 1 3 5 7 9 11; (t=1): 2 4 6 8 10 12
    expect(all[0]).toBe(36);
    expect(all[1]).toBe(42);
    expect([all[2], all[4]]).toEqual([1 + 3 + 5, 7 + 9 + 11]);
    expect([all[6], all[7]]).toEqual([1 + 7, 2 + 8]);
    expect(incoherence(h, all, 2)).toBe(0);
  });
});

describe('reconcile', () => {
  const h = buildHierarchy(grid(3, 4));
  const steps = 5;
  const nObs = 40;
  const rng = createRng(11);
  const base = Float64Array.from({ length: h.nNodes * steps }, () => 50 + 20 * rng.normal());
  // Residuals with a shared component, so the sample covariance has real correlation.
  const common = Float64Array.from({ length: nObs }, () => rng.normal());
  const residuals = Float64Array.from({ length: h.nNodes * nObs }, (_, k) => {
    const i = Math.floor(k / nObs);
    return (1 + (i % 3)) * (rng.normal() + 0.7 * common[k % nObs]);
  });

  it.each(RECONCILIATION_METHODS)('%s gives coherent forecasts at every level', (method) => {
    const { forecasts } = reconcile(h, base, steps, { method, residuals, nObs });
    expect(forecasts).toHaveLength(base.length);
    expect(incoherence(h, forecasts, steps)).toBeLessThan(1e-9);
    expect(incoherence(h, base, steps)).toBeGreaterThan(1);
  });

  it('bottom-up keeps the bottom forecasts and sums them', () => {
    const { forecasts } = reconcile(h, base, steps, { method: 'bottom_up' });
    const bottom = base.subarray(h.nAggregates * steps);
    expect(Array.from(forecasts.subarray(h.nAggregates * steps))).toEqual(Array.from(bottom));
    expect(Array.from(forecasts)).toEqual(Array.from(aggregateBottom(h, bottom, steps)));
  });

  it.each(['ols', 'wls_struct', 'mint_shrink'] as const)(
    '%s leaves coherent forecasts unchanged',
    (method) => {
      const coherent = aggregateBottom(h, base.subarray(h.nAggregates * steps), steps);
      const { forecasts } = reconcile(h, coherent, steps, { method, residuals, nObs });
      for (let i = 0; i < coherent.length; i++) expect(forecasts[i]).toBeCloseTo(coherent[i], 9);
    },
  );

  it('OLS matches a hand-computed example', () => {
    // One store, two products: nodes total, store, p0, p1, b0, b1 with S rows
    // [1 1], [1 1], [1 0], [0 1], [1 0], [0 1]; SᵀS = [[4 2] [2 4]], Sᵀŷ = [34 32] → b = [6 5].
    const small = buildHierarchy([
      { id: 'b0', store: 's', product: 'p0' },
      { id: 'b1', store: 's', product: 'p1' },
    ]);
    const { forecasts } = reconcile(small, Float64Array.from([12, 12, 5, 4, 5, 4]), 1, { method: 'ols' });
    const expected = [11, 11, 6, 5, 6, 5];
    for (const [i, v] of expected.entries()) expect(forecasts[i]).toBeCloseTo(v, 12);
  });

  it('WLS-struct and MinT-shrink equal the textbook S(SᵀW⁻¹S)⁻¹SᵀW⁻¹ŷ', () => {
    const n = h.nNodes;
    const wls = new Float64Array(n * n);
    nodeSizes(h).forEach((v, i) => {
      wls[i * n + i] = v;
    });
    const got = reconcile(h, base, steps, { method: 'wls_struct' }).forecasts;
    const want = referenceReconcile(h, wls, base, steps);
    for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(want[i], 8);

    const mint = reconcile(h, base, steps, { method: 'mint_shrink', residuals, nObs });
    const { covariance, lambda } = shrinkCovariance(residuals, n, nObs);
    expect(mint.lambda).toBe(lambda);
    const wantMint = referenceReconcile(h, covariance, base, steps);
    for (let i = 0; i < got.length; i++) expect(mint.forecasts[i]).toBeCloseTo(wantMint[i], 6);
  });

  it('rejects missing residuals, an unknown method and a wrong shape', () => {
    expect(() => reconcile(h, base, steps, { method: 'mint_shrink' })).toThrow(/needs residuals/);
    expect(() => reconcile(h, base, steps, { method: 'nope' as 'ols' })).toThrow(SalescastError);
    expect(() => reconcile(h, base, steps + 1, { method: 'ols' })).toThrow(SalescastError);
    const bad = base.slice();
    bad[3] = Number.NaN;
    expect(() => reconcile(h, bad, steps, { method: 'ols' })).toThrow(/'total' is not finite at step 3/);
  });
});

describe('shrinkCovariance', () => {
  it('matches a hand-computed intensity', () => {
    // σ² = 1 for both; ρ = 4/6; Var(ρ̂) = (6 − 16/6) / 30 = 1/9; λ = (1/9) / (4/9) = 1/4.
    const r = Float64Array.from([1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, 1]);
    const { covariance, lambda } = shrinkCovariance(r, 2, 6);
    expect(lambda).toBeCloseTo(0.25, 12);
    expect(Array.from(covariance).map((v) => Number(v.toFixed(12)))).toEqual([1, 0.5, 0.5, 1]);
  });

  it('keeps perfectly correlated residuals (λ = 0) and uses the diagonal for uncorrelated ones', () => {
    const perfect = shrinkCovariance(Float64Array.from([1, -1, 1, -1, 2, -2, 2, -2]), 2, 4);
    expect(perfect.lambda).toBe(0);
    expect(Array.from(perfect.covariance)).toEqual([1, 2, 2, 4]);
    const none = shrinkCovariance(Float64Array.from([1, 1, -1, -1, 1, -1, 1, -1]), 2, 4);
    expect(none.lambda).toBe(1);
    expect(Array.from(none.covariance)).toEqual([1, 0, 0, 1]);
  });
});
