import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NotFittedError, SalescastError } from '../core/errors.js';
import { createRng } from '../core/rng.js';
import { type FeatureMatrix, matrixFromColumns } from './estimator.js';
import { deserializeGradientBoosting, GradientBoosting } from './gradient-boosting.js';
import { decodeArtifact, encodeArtifact } from './serialize.js';

/** n rows of p uniform features in [0, 1) and y = f(row). */
function dataset(
  n: number,
  p: number,
  seed: number,
  f: (x: number[]) => number,
  noise = 0,
): { X: FeatureMatrix; y: Float64Array } {
  const rng = createRng(seed);
  const cols = Array.from({ length: p }, () => new Float64Array(n));
  const y = new Float64Array(n);
  const row = new Array<number>(p);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) row[j] = cols[j][i] = rng.next();
    y[i] = f(row) + noise * rng.normal();
  }
  return { X: matrixFromColumns(cols), y };
}

function rmse(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s / a.length);
}

function bytesOf(a: Float64Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

const additive = (x: number[]) => 3 * x[0] + Math.sin(6 * x[1]) + 2 * (x[2] > 0.5 ? 1 : 0);

describe('GradientBoosting: learning known functions', () => {
  it('learns a step function exactly with one split', () => {
    // Fewer distinct values than bins, so the boundary between them is a bin boundary.
    const { X, y } = dataset(200, 3, 1, (x) => (x[1] > 0.4 ? 5 : -1));
    const m = new GradientBoosting({ nEstimators: 60, learningRate: 0.5, maxLeaves: 2, nThreads: 1 }).fit(
      X,
      y,
    );
    expect(rmse(m.predict(X), y)).toBeLessThan(1e-3);
    const view = m.treeEnsemble();
    expect(view.trees[0].feature(0)).toBe(1);
    expect(view.trees[0].goesLeft(0, 0.39)).toBe(true);
    expect(view.trees[0].goesLeft(0, 0.41)).toBe(false);
    const gain = m.featureImportance('gain');
    expect(gain[1]).toBeGreaterThan(0);
    expect(gain[0] + gain[2]).toBe(0);
  });

  it('learns an additive function and an interaction on held-out data', () => {
    const interaction = (x: number[]) => 4 * x[0] * x[1] + (x[2] > 0.5 && x[3] > 0.5 ? 2 : 0);
    for (const f of [additive, interaction]) {
      const train = dataset(3000, 5, 2, f, 0.1);
      const test = dataset(1000, 5, 3, f);
      const m = new GradientBoosting({ nEstimators: 150, maxLeaves: 15, nThreads: 1 }).fit(train.X, train.y);
      const baseline = rmse(new Float64Array(1000).fill(train.y.reduce((s, v) => s + v, 0) / 3000), test.y);
      expect(rmse(m.predict(test.X), test.y)).toBeLessThan(0.1 * baseline + 0.1);
    }
  });

  it('finds the informative features: importance by gain and by split count', () => {
    const { X, y } = dataset(2000, 6, 4, additive, 0.1);
    const m = new GradientBoosting({ nEstimators: 50, nThreads: 1 }).fit(X, y);
    const gain = m.featureImportance('gain');
    const splits = m.featureImportance('split');
    const signal = gain[0] + gain[1] + gain[2];
    expect(signal / gain.reduce((s, v) => s + v, 0)).toBeGreaterThan(0.95);
    expect(splits.reduce((s, v) => s + v, 0)).toBe(
      m.treeEnsemble().trees.reduce((s, t) => s + (t.nNodes - 1) / 2, 0),
    );
  });

  it('learns a signal carried only by a categorical feature exactly', () => {
    const effects = [3, -2, 7, 0, 1, -5, 4, 2, -1, 6];
    const rng = createRng(5);
    const n = 2000;
    const cat = Float64Array.from({ length: n }, () => rng.int(10));
    const noise = Float64Array.from({ length: n }, () => rng.next());
    const y = Float64Array.from(cat, (c) => effects[c]);
    const X = matrixFromColumns([noise, cat], { categorical: [1] });
    const m = new GradientBoosting({ nEstimators: 100, learningRate: 0.3, maxLeaves: 8, nThreads: 1 }).fit(
      X,
      y,
    );
    expect(rmse(m.predict(X), y)).toBeLessThan(1e-3);
    expect(m.featureImportance('split')[0]).toBe(0);
    // Codes never seen in training and NaN route somewhere without failing.
    const unseen = m.predictRow(Float64Array.of(0.5, 99));
    expect(Number.isFinite(unseen)).toBe(true);
    expect(Number.isFinite(m.predictRow(Float64Array.of(0.5, Number.NaN)))).toBe(true);
  });

  it('learns the direction of missing values when missingness carries the signal', () => {
    const rng = createRng(6);
    const n = 2000;
    const x = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const missing = rng.next() < 0.3;
      x[i] = missing ? Number.NaN : rng.next();
      // Missing behaves like a large value.
      y[i] = missing ? 10 : x[i] > 0.5 ? 10 : 0;
    }
    const m = new GradientBoosting({ nEstimators: 50, learningRate: 0.5, maxLeaves: 2, nThreads: 1 }).fit(
      matrixFromColumns([x]),
      y,
    );
    expect(m.predictRow(Float64Array.of(Number.NaN))).toBeCloseTo(10, 3);
    expect(m.predictRow(Float64Array.of(0.2))).toBeCloseTo(0, 3);
    expect(m.treeEnsemble().trees[0].goesLeft(0, Number.NaN)).toBe(false);
  });

  it('honours monotone constraints: predictions never decrease in a +1 feature (property test)', () => {
    // y falls in x0 over a stretch, which an unconstrained model would follow.
    const f = (x: number[]) => 5 * x[0] - 3 * Math.exp(-(((x[0] - 0.5) / 0.1) ** 2)) + 2 * x[1];
    const { X, y } = dataset(2000, 3, 7, f, 0.3);
    const m = new GradientBoosting({
      nEstimators: 60,
      maxLeaves: 15,
      minDataInLeaf: 5,
      monotoneConstraints: [1, -1, 0],
      nThreads: 1,
    }).fit(X, y);
    const free = new GradientBoosting({ nEstimators: 60, maxLeaves: 15, minDataInLeaf: 5, nThreads: 1 }).fit(
      X,
      y,
    );
    const row = new Float64Array(3);
    const at = (model: GradientBoosting, a: number, b: number, c: number) => {
      row[0] = a;
      row[1] = b;
      row[2] = c;
      return model.predictRow(row);
    };
    // The free model does follow the dip, so the property below is not vacuous.
    expect(at(free, 0.5, 0.5, 0.5)).toBeLessThan(at(free, 0.38, 0.5, 0.5));
    const unit = fc.double({ min: -0.2, max: 1.2, noNaN: true });
    fc.assert(
      fc.property(unit, unit, unit, unit, (a, b, c, d) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(at(m, lo, c, d)).toBeLessThanOrEqual(at(m, hi, c, d));
        expect(at(m, c, lo, d)).toBeGreaterThanOrEqual(at(m, c, hi, d));
      }),
      { numRuns: 300, seed: 42 },
    );
  });
});

describe('GradientBoosting: losses', () => {
  it('quantile loss: about alpha of the training targets lie below the predictions', () => {
    const { X, y } = dataset(3000, 2, 8, (x) => 2 * x[0], 1);
    for (const alpha of [0.1, 0.9]) {
      const pred = new GradientBoosting({ loss: 'quantile', alpha, nEstimators: 100, nThreads: 1 })
        .fit(X, y)
        .predict(X);
      const below = y.filter((v, i) => v < pred[i]).length / y.length;
      expect(Math.abs(below - alpha)).toBeLessThan(0.04);
    }
  });

  it('absolute loss resists outliers that pull squared loss', () => {
    const { X, y } = dataset(2000, 2, 9, (x) => x[0], 0.05);
    const clean = Float64Array.from(y);
    for (let i = 0; i < y.length; i += 10) y[i] += 100;
    const test = dataset(500, 2, 10, (x) => x[0]);
    const l1 = new GradientBoosting({ loss: 'absolute', nEstimators: 80, nThreads: 1 }).fit(X, y);
    const l2 = new GradientBoosting({ loss: 'squared', nEstimators: 80, nThreads: 1 }).fit(X, y);
    expect(rmse(l1.predict(test.X), test.y)).toBeLessThan(0.1);
    expect(rmse(l2.predict(test.X), test.y)).toBeGreaterThan(5);
    expect(clean.length).toBe(y.length);
  });

  it('poisson and tweedie use a log link: positive predictions near the rate', () => {
    const rng = createRng(11);
    const n = 4000;
    const x = Float64Array.from({ length: n }, () => rng.next());
    const y = Float64Array.from(x, (v) => rng.poisson(Math.exp(1 + v)));
    for (const loss of ['poisson', 'tweedie'] as const) {
      const m = new GradientBoosting({ loss, nEstimators: 100, maxLeaves: 4, nThreads: 1 }).fit(
        matrixFromColumns([x]),
        y,
      );
      expect(m.treeEnsemble().link).toBe('log');
      for (const v of [0.1, 0.5, 0.9])
        expect(m.predictRow(Float64Array.of(v)) / Math.exp(1 + v)).toBeCloseTo(1, 0);
    }
  });

  it('huber loss fits the bulk of the data', () => {
    const { X, y } = dataset(1500, 2, 12, (x) => 4 * x[0], 0.1);
    const m = new GradientBoosting({ loss: 'huber', huberDelta: 0.5, nEstimators: 150, nThreads: 1 }).fit(
      X,
      y,
    );
    expect(rmse(m.predict(X), y)).toBeLessThan(0.2);
  });
});

describe('GradientBoosting: engineering properties', () => {
  const train = dataset(3000, 6, 13, additive, 0.2);
  const test = dataset(300, 6, 14, additive);
  test.X.data[5] = Number.NaN;
  const params = { nEstimators: 30, maxLeaves: 15, subsample: 0.8, colsampleByTree: 0.7, seed: 9 } as const;

  it('does not depend on the number of threads, and the same seed gives the same model', () => {
    const one = new GradientBoosting({ ...params, nThreads: 1 }).fit(train.X, train.y);
    const two = new GradientBoosting({ ...params, nThreads: 2 }).fit(train.X, train.y);
    const again = new GradientBoosting({ ...params, nThreads: 2 }).fit(train.X, train.y);
    expect(bytesOf(two.predict(test.X)).equals(bytesOf(one.predict(test.X)))).toBe(true);
    expect(Buffer.from(again.serialize()).equals(Buffer.from(two.serialize()))).toBe(true);
    const other = new GradientBoosting({ ...params, seed: 10, nThreads: 1 }).fit(train.X, train.y);
    expect(bytesOf(other.predict(test.X)).equals(bytesOf(one.predict(test.X)))).toBe(false);
  });

  it('does not depend on the order of the training rows', () => {
    const n = train.X.nRows;
    const perm = Array.from({ length: n }, (_, i) => n - 1 - i);
    const cols = Array.from({ length: train.X.nCols }, (_, j) =>
      Float64Array.from(perm, (i) => train.X.data[j * n + i]),
    );
    const yPerm = Float64Array.from(perm, (i) => train.y[i]);
    const p = { nEstimators: 30, maxLeaves: 15, nThreads: 1 };
    const a = new GradientBoosting(p).fit(train.X, train.y).predict(test.X);
    const b = new GradientBoosting(p).fit(matrixFromColumns(cols), yPerm).predict(test.X);
    for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i], 8);
  });

  it('predictRow equals predict bit for bit', () => {
    const m = new GradientBoosting({ ...params, nThreads: 1 }).fit(train.X, train.y);
    const batch = m.predict(test.X);
    const row = new Float64Array(test.X.nCols);
    for (let i = 0; i < test.X.nRows; i++) {
      for (let j = 0; j < row.length; j++) row[j] = test.X.data[j * test.X.nRows + i];
      expect(Object.is(m.predictRow(row), batch[i])).toBe(true);
    }
  });

  it('round-trips through serialize with bit-identical predictions', () => {
    for (const loss of ['squared', 'poisson'] as const) {
      const y = loss === 'poisson' ? Float64Array.from(train.y, (v) => Math.max(0, v)) : train.y;
      const m = new GradientBoosting({ ...params, loss, nThreads: 1 }).fit(train.X, y);
      const back = deserializeGradientBoosting(m.serialize());
      expect(bytesOf(back.predict(test.X)).equals(bytesOf(m.predict(test.X)))).toBe(true);
      expect(back.params).toEqual(m.params);
      expect(Array.from(back.featureImportance('gain'))).toEqual(Array.from(m.featureImportance('gain')));
    }
  });

  it('rejects corrupt and foreign artifacts with INVALID_ARTIFACT', () => {
    const bytes = new GradientBoosting({ nEstimators: 3, nThreads: 1 }).fit(train.X, train.y).serialize();
    const truncated = bytes.slice(0, bytes.length - 9);
    const badVersion = bytes.slice();
    badVersion[4] = 99;
    for (const b of [truncated, badVersion, new Uint8Array(3)]) {
      expect(() => deserializeGradientBoosting(b)).toThrow(
        expect.objectContaining({ code: 'INVALID_ARTIFACT' }),
      );
    }
  });

  it('rejects an artifact whose tree structure is corrupt', () => {
    const m = new GradientBoosting({ nEstimators: 2, nThreads: 1 }).fit(train.X, train.y);
    const artifact = decodeArtifact(m.serialize());
    // Point the root's left child back at the root: a walk would never end.
    (artifact.arrays['tree.left'] as Int32Array)[0] = 0;
    const bytes = encodeArtifact(artifact);
    expect(() => deserializeGradientBoosting(bytes)).toThrow(/node 0 of tree 0 is malformed/);
  });

  it('rejects an artifact whose split shares one child for both sides', () => {
    const m = new GradientBoosting({ nEstimators: 2, nThreads: 1 }).fit(train.X, train.y);
    const artifact = decodeArtifact(m.serialize());
    const left = artifact.arrays['tree.left'] as Int32Array;
    const right = artifact.arrays['tree.right'] as Int32Array;
    right[0] = left[0];
    const bytes = encodeArtifact(artifact);
    expect(() => deserializeGradientBoosting(bytes)).toThrow(
      `Invalid model artifact: node ${left[0]} of tree 0 has 2 parents, not 1.`,
    );
  });

  it('stops early when the evaluation loss stops improving and keeps the best round', () => {
    const valid = dataset(500, 6, 15, additive, 0.2);
    const m = new GradientBoosting({
      nEstimators: 2000,
      learningRate: 0.5,
      maxLeaves: 31,
      minDataInLeaf: 2,
      earlyStoppingRounds: 5,
      nThreads: 1,
    }).fit(train.X, train.y, { evalSet: valid });
    expect(m.bestIteration).toBeLessThan(200);
    expect(m.treeEnsemble().trees.length).toBe(m.bestIteration);
  });

  it('accepts sample weights: zero-weight rows do not influence the fit', () => {
    const n = train.X.nRows;
    const y = Float64Array.from(train.y);
    const w = new Float64Array(n).fill(1);
    for (let i = 0; i < n; i += 2) {
      y[i] = 1000;
      w[i] = 0;
    }
    const m = new GradientBoosting({ nEstimators: 40, minSumHessianInLeaf: 1, nThreads: 1 }).fit(train.X, y, {
      sampleWeight: w,
    });
    expect(rmse(m.predict(test.X), test.y)).toBeLessThan(0.6);
  });

  it('validates hyperparameters at fit with the shared message shape', () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [
        { learningRate: -1 },
        /The 'learningRate' parameter of GradientBoosting must be a number in \(0, ∞\); got -1 instead\./,
      ],
      [{ maxBins: 300 }, /'maxBins' parameter of GradientBoosting must be an integer in \[2, 255\]; got 300/],
      [{ loss: 'hinge' }, /'loss' parameter of GradientBoosting must be one of 'squared'/],
      [
        { maxDepth: 0 },
        /'maxDepth' parameter of GradientBoosting must be an integer ≥ 1, or -1 for no limit; got 0/,
      ],
      [
        { monotoneConstraints: [1, 0] },
        /'monotoneConstraints' parameter of GradientBoosting must be empty or of length 6/,
      ],
      [
        { earlyStoppingRounds: 5 },
        /'earlyStoppingRounds' parameter of GradientBoosting must be null when no evalSet/,
      ],
      [{ alpha: 1 }, /'alpha' parameter of GradientBoosting must be a number in \(0, 1\)/],
    ];
    for (const [p, message] of cases) {
      const m = new GradientBoosting(p as never);
      expect(() => m.fit(train.X, train.y)).toThrow(message);
      expect(() => m.fit(train.X, train.y)).toThrow(SalescastError);
    }
  });

  it('throws NotFittedError before fit and checks feature counts at predict', () => {
    const m = new GradientBoosting({ nEstimators: 3, nThreads: 1 });
    expect(() => m.predict(test.X)).toThrow(NotFittedError);
    expect(() => m.predictRow(new Float64Array(6))).toThrow(NotFittedError);
    expect(() => m.treeEnsemble()).toThrow(NotFittedError);
    expect(() => m.featureImportance('gain')).toThrow(NotFittedError);
    expect(() => m.serialize()).toThrow(NotFittedError);
    m.fit(train.X, train.y);
    expect(() => m.predictRow(new Float64Array(5))).toThrow(
      /5 features, but GradientBoosting was fitted with 6/,
    );
  });

  it('exposes a tree-ensemble view whose sums reproduce the predictions', () => {
    const m = new GradientBoosting({ ...params, nThreads: 1 }).fit(train.X, train.y);
    const view = m.treeEnsemble();
    expect(view.nFeatures).toBe(6);
    expect(view.link).toBe('identity');
    const row = new Float64Array(6);
    for (let i = 0; i < 20; i++) {
      for (let j = 0; j < 6; j++) row[j] = test.X.data[j * test.X.nRows + i];
      let sum = view.baseScore;
      for (const t of view.trees) {
        let node = 0;
        while (!t.isLeaf(node)) {
          expect(t.cover(node)).toBeGreaterThan(0);
          node = t.goesLeft(node, row[t.feature(node)]) ? t.left(node) : t.right(node);
        }
        sum += t.value(node);
      }
      expect(sum).toBe(m.predictRow(row));
    }
  });
});
