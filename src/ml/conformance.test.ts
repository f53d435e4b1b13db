/**
 * scikit-learn's `check_estimator` for salescast: every learner must pass every check below.
 * Add a learner by adding a factory to LEARNERS.
 */

import { describe, expect, it } from 'vitest';
import { NotFittedError, SalescastError } from '../core/errors.js';
import { createRng } from '../core/rng.js';
import { type FeatureMatrix, matrixFromColumns, type Regressor } from './estimator.js';
import { deserializeLearner, GradientBoosting, RandomForest, Ridge, VotingRegressor } from './index.js';

interface LearnerFactory {
  readonly name: string;
  /** A small, fast configuration; `seed` feeds every random step the learner has. */
  make(seed: number): Regressor;
  /** Configurations that `fit` must reject with INVALID_HYPERPARAMETER. */
  invalid(): Regressor[];
}

const LEARNERS: readonly LearnerFactory[] = [
  {
    name: 'GradientBoosting',
    make: (seed) =>
      new GradientBoosting({
        nEstimators: 15,
        maxLeaves: 8,
        learningRate: 0.3,
        minDataInLeaf: 5,
        subsample: 0.8,
        colsampleByTree: 0.8,
        seed,
        nThreads: 1,
      }),
    invalid: () => [
      new GradientBoosting({ learningRate: -1 }),
      new GradientBoosting({ maxBins: 300 }),
      new GradientBoosting({ loss: 'foo' as never }),
      new GradientBoosting({ subsample: 0 }),
      new GradientBoosting({ nEstimators: 2.5 }),
      new GradientBoosting({ learningrate: 0.1 } as never),
    ],
  },
  {
    name: 'RandomForest',
    make: (seed) => new RandomForest({ nEstimators: 10, maxLeaves: 32, seed, nThreads: 1 }),
    invalid: () => [
      new RandomForest({ nEstimators: 0 }),
      new RandomForest({ maxFeatures: 0 }),
      new RandomForest({ featureSampling: 'row' as never }),
      new RandomForest({ nTrees: 10 } as never),
    ],
  },
  {
    name: 'Ridge',
    make: () => new Ridge({ alpha: 0.5 }),
    invalid: () => [
      new Ridge({ alpha: -1 }),
      new Ridge({ alpha: Number.NaN }),
      new Ridge({ fitIntercept: 'yes' as unknown as boolean }),
      new Ridge({ alhpa: 1 } as never),
    ],
  },
  {
    name: 'VotingRegressor',
    make: () =>
      new VotingRegressor({
        members: [new Ridge({ alpha: 0.1 }), new Ridge({ alpha: 10 })],
        weights: [2, 1],
      }),
    invalid: () => [
      new VotingRegressor({ members: [new Ridge()], weights: [-1] }),
      new VotingRegressor({ members: [new Ridge(), new Ridge()], weights: [1] }),
      new VotingRegressor({ members: [] }),
    ],
  },
];

/**
 * Friedman #1 on 5 features plus a noise column, a categorical column and a numeric column with
 * missing values: 7 features, `n` rows.
 */
function dataset(seed: number, n = 300): { X: FeatureMatrix; y: Float64Array } {
  const rng = createRng(seed);
  const cols = Array.from({ length: 7 }, () => new Float64Array(n));
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 5; j++) cols[j][i] = rng.next();
    const category = rng.int(4);
    cols[5][i] = category;
    cols[6][i] = rng.next() < 0.1 ? Number.NaN : rng.normal();
    const x = (j: number) => cols[j][i];
    y[i] =
      10 * Math.sin(Math.PI * x(0) * x(1)) +
      20 * (x(2) - 0.5) ** 2 +
      10 * x(3) +
      5 * x(4) +
      [0, 2, -1, 3][category] +
      rng.normal() * 0.5;
  }
  return { X: matrixFromColumns(cols, { categorical: [5] }), y };
}

function sameBits(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  const ua = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const ub = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return ua.every((v, k) => v === ub[k]);
}

function errorOf(f: () => unknown): SalescastError {
  try {
    f();
  } catch (e) {
    if (e instanceof SalescastError) return e;
    throw e;
  }
  throw new Error('expected a SalescastError');
}

function snapshot(params: unknown): string {
  return JSON.stringify(params, (_k, v) => (Number.isNaN(v) ? 'NaN' : v));
}

describe.each(LEARNERS)('$name conforms to the learner contract', (factory) => {
  const { X, y } = dataset(1);
  const test = dataset(2, 80);

  it('fit returns this and learns something (R² > 0.5 on training data)', () => {
    const m = factory.make(1);
    expect(m.fit(X, y)).toBe(m);
    const p = m.predict(X);
    const mean = y.reduce((a, b) => a + b) / y.length;
    let ssRes = 0;
    let ssTot = 0;
    for (let i = 0; i < y.length; i++) {
      ssRes += (y[i] - p[i]) ** 2;
      ssTot += (y[i] - mean) ** 2;
    }
    expect(1 - ssRes / ssTot).toBeGreaterThan(0.5);
  });

  it('throws NotFittedError from predict, predictRow and serialize before fit', () => {
    const m = factory.make(1);
    expect(() => m.predict(X)).toThrow(NotFittedError);
    expect(() => m.predictRow(new Float64Array(7))).toThrow(NotFittedError);
    expect(() => m.serialize()).toThrow(NotFittedError);
    expect(errorOf(() => m.predict(X)).message).toContain(m.name);
  });

  it('gives bit-identical predictions for the same seed', () => {
    const a = factory.make(7).fit(X, y).predict(test.X);
    const b = factory.make(7).fit(X, y).predict(test.X);
    expect(sameBits(a, b)).toBe(true);
  });

  it('mutates neither the inputs nor its params', () => {
    const m = factory.make(3);
    const data = X.data.slice();
    const target = y.slice();
    const weight = Float64Array.from({ length: X.nRows }, (_, i) => 1 + (i % 3));
    const weightCopy = weight.slice();
    const params = snapshot((m as unknown as { params: unknown }).params);
    m.fit(X, y, { sampleWeight: weight });
    m.predict(test.X);
    expect(sameBits(X.data, data)).toBe(true);
    expect(sameBits(y, target)).toBe(true);
    expect(sameBits(weight, weightCopy)).toBe(true);
    expect(snapshot((m as unknown as { params: unknown }).params)).toBe(params);
    expect(Object.isFrozen((m as unknown as { params: unknown }).params)).toBe(true);
  });

  it('treats unit sample weights like no weights', () => {
    const a = factory.make(5).fit(X, y).predict(test.X);
    const b = factory
      .make(5)
      .fit(X, y, { sampleWeight: new Float64Array(X.nRows).fill(1) })
      .predict(test.X);
    for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i], 9);
  });

  it('round-trips through serialize and deserializeLearner bit-identically', () => {
    const m = factory.make(11).fit(X, y);
    const bytes = m.serialize();
    const restored = deserializeLearner(bytes);
    expect(restored.name).toBe(m.name);
    expect(sameBits(restored.predict(test.X), m.predict(test.X))).toBe(true);
    // Serializing the restored model gives the same artifact.
    expect(Buffer.from(restored.serialize()).equals(Buffer.from(bytes))).toBe(true);
  });

  it('predictRow equals predict row by row, bit for bit', () => {
    const m = factory.make(13).fit(X, y);
    const p = m.predict(test.X);
    const row = new Float64Array(test.X.nCols);
    for (let i = 0; i < test.X.nRows; i++) {
      for (let j = 0; j < row.length; j++) row[j] = test.X.data[j * test.X.nRows + i];
      expect(Object.is(m.predictRow(row), p[i])).toBe(true);
      // The test rows hold missing values and categories; predictions stay finite.
      expect(Number.isFinite(p[i])).toBe(true);
    }
  });

  it('forgets the previous fit when fitted again (fit is idempotent)', () => {
    const other = dataset(3);
    const refitted = factory.make(17).fit(X, y).fit(other.X, other.y).predict(test.X);
    const fresh = factory.make(17).fit(other.X, other.y).predict(test.X);
    expect(sameBits(refitted, fresh)).toBe(true);
  });

  it('rejects a wrong number of features at predict, naming both counts', () => {
    const m = factory.make(1).fit(X, y);
    const narrow = matrixFromColumns([new Float64Array(3), new Float64Array(3)]);
    const e = errorOf(() => m.predict(narrow));
    expect(e.code).toBe('INVALID_DATA');
    expect(e.message).toBe(`X has 2 features, but ${m.name} was fitted with 7 features.`);
    const r = errorOf(() => m.predictRow(new Float64Array(8)));
    expect(r.code).toBe('INVALID_DATA');
    expect(r.message).toContain('X has 8 features');
  });

  it('rejects non-finite targets and mismatched row counts', () => {
    const bad = y.slice();
    bad[17] = Number.NaN;
    const e = errorOf(() => factory.make(1).fit(X, bad));
    expect(e.code).toBe('INVALID_DATA');
    expect(e.message).toContain('row 17');
    const short = errorOf(() => factory.make(1).fit(X, y.subarray(1)));
    expect(short.code).toBe('INVALID_DATA');
    expect(short.message).toContain(`X has ${X.nRows} rows but y has ${X.nRows - 1} values`);
  });

  it('rejects bad hyperparameters at fit', () => {
    for (const m of factory.invalid()) {
      const e = errorOf(() => m.fit(X, y));
      expect(e.code).toBe('INVALID_HYPERPARAMETER');
      expect(e.message).toContain(m.name);
    }
  });
});
