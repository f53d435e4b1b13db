import { describe, expect, it } from 'vitest';
import { NotFittedError } from '../core/errors.js';
import { createRng } from '../core/rng.js';
import { matrixFromColumns } from './estimator.js';
import { deserializeRandomForest, RandomForest } from './random-forest.js';

const rng = createRng(21);
const n = 2000;
const cols = Array.from({ length: 5 }, () => Float64Array.from({ length: n }, () => rng.next()));
const f = (i: number, c: Float64Array[]) => 4 * c[0][i] + (c[1][i] > 0.5 ? 2 : 0) + Math.sin(5 * c[2][i]);
const X = matrixFromColumns(cols);
const y = Float64Array.from({ length: n }, (_, i) => f(i, cols) + 0.2 * rng.normal());
const testCols = Array.from({ length: 5 }, () => Float64Array.from({ length: 300 }, () => rng.next()));
const Xtest = matrixFromColumns(testCols);
const ytest = Float64Array.from({ length: 300 }, (_, i) => f(i, testCols));

function rmse(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s / a.length);
}

const bytes = (a: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe('RandomForest', () => {
  it('fits a nonlinear function far better than the mean, and averaging beats one tree', () => {
    const forest = new RandomForest({ nEstimators: 40, maxLeaves: 64, nThreads: 1, seed: 1 }).fit(X, y);
    const single = new RandomForest({ nEstimators: 1, maxLeaves: 64, nThreads: 1, seed: 1 }).fit(X, y);
    const mean = y.reduce((s, v) => s + v, 0) / n;
    const base = rmse(new Float64Array(300).fill(mean), ytest);
    const err = rmse(forest.predict(Xtest), ytest);
    expect(err).toBeLessThan(0.3 * base);
    expect(err).toBeLessThan(rmse(single.predict(Xtest), ytest));
  });

  it('averages its trees: leaf values are divided by the number of trees, link identity', () => {
    const m = new RandomForest({ nEstimators: 4, maxLeaves: 2, maxFeatures: 1, nThreads: 1 }).fit(X, y);
    const view = m.treeEnsemble();
    expect(view.trees).toHaveLength(4);
    expect(view.link).toBe('identity');
    // Every tree splits x0 first (the strongest feature); each leaf is a quarter of a bootstrap mean.
    for (const t of view.trees) {
      expect(t.feature(0)).toBe(0);
      const left = t.value(t.left(0)) * 4 + view.baseScore;
      const right = t.value(t.right(0)) * 4 + view.baseScore;
      expect(left).toBeLessThan(right);
      // Cover counts the bootstrap draws, which add up to n.
      expect(t.cover(0)).toBe(n);
      expect(t.cover(t.left(0)) + t.cover(t.right(0))).toBe(n);
    }
  });

  it('respects maxLeaves and maxDepth', () => {
    const m = new RandomForest({ nEstimators: 3, maxLeaves: 5, nThreads: 1 }).fit(X, y);
    for (const t of m.treeEnsemble().trees) expect((t.nNodes + 1) / 2).toBeLessThanOrEqual(5);
    const d = new RandomForest({ nEstimators: 3, maxLeaves: 100, maxDepth: 2, nThreads: 1 }).fit(X, y);
    for (const t of d.treeEnsemble().trees) expect((t.nNodes + 1) / 2).toBeLessThanOrEqual(4);
  });

  it('is deterministic in its seed, independent of threads, and round-trips bit-identically', () => {
    const p = { nEstimators: 10, maxLeaves: 31, seed: 5, featureSampling: 'tree', maxFeatures: 0.6 } as const;
    const a = new RandomForest({ ...p, nThreads: 1 }).fit(X, y);
    const b = new RandomForest({ ...p, nThreads: 2 }).fit(X, y);
    expect(bytes(b.predict(Xtest)).equals(bytes(a.predict(Xtest)))).toBe(true);
    const c = new RandomForest({ ...p, seed: 6, nThreads: 1 }).fit(X, y);
    expect(bytes(c.predict(Xtest)).equals(bytes(a.predict(Xtest)))).toBe(false);
    const back = deserializeRandomForest(a.serialize());
    expect(bytes(back.predict(Xtest)).equals(bytes(a.predict(Xtest)))).toBe(true);
    const row = new Float64Array(5);
    for (let j = 0; j < 5; j++) row[j] = Xtest.data[j * 300];
    expect(back.predictRow(row)).toBe(a.predict(Xtest)[0]);
  });

  it('validates hyperparameters and refuses to predict before fit', () => {
    expect(() => new RandomForest({ maxFeatures: 0 }).fit(X, y)).toThrow(
      "The 'maxFeatures' parameter of RandomForest must be a number in (0, 1]; got 0 instead.",
    );
    expect(() => new RandomForest({ featureSampling: 'edge' as never }).fit(X, y)).toThrow(
      /'featureSampling'/,
    );
    expect(() => new RandomForest().predict(Xtest)).toThrow(NotFittedError);
    const gain = new RandomForest({ nEstimators: 5, nThreads: 1 }).fit(X, y).featureImportance('gain');
    expect(gain[0]).toBeGreaterThan(gain[3]);
    expect(gain[0]).toBeGreaterThan(gain[4]);
  });
});
