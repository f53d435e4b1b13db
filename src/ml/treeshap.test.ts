import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SalescastError } from '../core/errors.js';
import { createRng, type Rng } from '../core/rng.js';
import { matrixFromColumns } from './estimator.js';
import { GradientBoosting } from './gradient-boosting.js';
import { RandomForest } from './random-forest.js';
import type { TreeEnsembleView, TreeView } from './tree/tree-view.js';
import { shapValues, toResponseScale, treeExpectation } from './treeshap.js';
import { shapValuesNaive } from './treeshap-naive.js';

/** A tiny TreeView over plain arrays: numeric splits `x <= threshold`, NaN goes to `nanLeft`. */
class ArrayTree implements TreeView {
  readonly feat: number[] = [];
  readonly thr: number[] = [];
  readonly l: number[] = [];
  readonly r: number[] = [];
  readonly val: number[] = [];
  readonly cov: number[] = [];
  readonly nanLeft: boolean[] = [];

  get nNodes(): number {
    return this.feat.length;
  }
  isLeaf(n: number): boolean {
    return this.feat[n] < 0;
  }
  feature(n: number): number {
    return this.feat[n];
  }
  left(n: number): number {
    return this.l[n];
  }
  right(n: number): number {
    return this.r[n];
  }
  value(n: number): number {
    return this.val[n];
  }
  cover(n: number): number {
    return this.cov[n];
  }
  goesLeft(n: number, x: number): boolean {
    return Number.isNaN(x) ? this.nanLeft[n] : x <= this.thr[n];
  }
  add(): number {
    this.feat.push(-1);
    this.thr.push(0);
    this.l.push(-1);
    this.r.push(-1);
    this.val.push(0);
    this.cov.push(0);
    this.nanLeft.push(false);
    return this.feat.length - 1;
  }
  predict(x: ArrayLike<number>): number {
    let n = 0;
    while (!this.isLeaf(n)) n = this.goesLeft(n, x[this.feat[n]]) ? this.l[n] : this.r[n];
    return this.val[n];
  }
}

/**
 * A random tree whose paths reuse features (which exercises UNWIND). Covers are consistent
 * (parent = left + right) unless `jitterCover`, which breaks that as rounded hessian sums can.
 */
function randomTree(rng: Rng, nFeatures: number, maxDepth: number, jitterCover = false): ArrayTree {
  const t = new ArrayTree();
  const grow = (depth: number, cover: number): number => {
    const n = t.add();
    t.cov[n] = cover * (jitterCover ? 0.9 + 0.2 * rng.next() : 1);
    if (depth >= maxDepth || (depth > 0 && rng.next() < 0.25)) {
      t.val[n] = rng.normal();
      return n;
    }
    t.feat[n] = rng.int(nFeatures);
    t.thr[n] = rng.normal() * 0.8;
    t.nanLeft[n] = rng.next() < 0.5;
    const share = 0.1 + 0.8 * rng.next();
    const left = grow(depth + 1, cover * share);
    const right = grow(depth + 1, cover * (1 - share));
    t.l[n] = left;
    t.r[n] = right;
    return n;
  };
  grow(0, 100 + rng.next() * 1000);
  return t;
}

function randomEnsemble(seed: number, nFeatures: number, nTrees: number, maxDepth: number, jitter = false) {
  const rng = createRng(seed);
  const trees = Array.from({ length: nTrees }, () => randomTree(rng, nFeatures, maxDepth, jitter));
  const ensemble: TreeEnsembleView = { baseScore: rng.normal(), trees, link: 'identity', nFeatures };
  return { ensemble, trees, rng };
}

function randomRows(rng: Rng, nRows: number, nFeatures: number, nanRate = 0.1) {
  const cols = Array.from({ length: nFeatures }, () =>
    Float64Array.from({ length: nRows }, () => (rng.next() < nanRate ? Number.NaN : rng.normal())),
  );
  return matrixFromColumns(cols);
}

function rowOf(X: { nRows: number; nCols: number; data: Float64Array }, i: number): Float64Array {
  return Float64Array.from({ length: X.nCols }, (_, j) => X.data[j * X.nRows + i]);
}

describe('shapValues (TreeSHAP)', () => {
  it('gives a stump its exact Shapley value: the prediction minus the cover-weighted mean', () => {
    const t = new ArrayTree();
    const root = t.add();
    const a = t.add();
    const b = t.add();
    t.feat[root] = 1;
    t.thr[root] = 0.5;
    t.l[root] = a;
    t.r[root] = b;
    t.val[a] = 10;
    t.val[b] = -2;
    t.cov[root] = 4;
    t.cov[a] = 3;
    t.cov[b] = 1;
    const ensemble: TreeEnsembleView = { baseScore: 1, trees: [t], link: 'identity', nFeatures: 2 };
    const shap = shapValues(
      ensemble,
      matrixFromColumns([
        [7, 7],
        [0, 1],
      ]),
    );
    // E = 1 + (3·10 + 1·(−2)) / 4 = 8
    expect(shap.expectedValue).toBe(8);
    expect(Array.from(shap.values)).toEqual([0, 3, 0, -9]);
  });

  it('equals brute-force Shapley enumeration on random trees with repeated features and NaN', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const { ensemble, rng } = randomEnsemble(seed, 6, 4, 7);
      const X = randomRows(rng, 25, 6);
      const fast = shapValues(ensemble, X);
      for (let i = 0; i < X.nRows; i++) {
        const slow = shapValuesNaive(ensemble, rowOf(X, i));
        expect(fast.expectedValue).toBeCloseTo(slow.expectedValue, 10);
        for (let j = 0; j < 6; j++) expect(fast.values[i * 6 + j]).toBeCloseTo(slow.values[j], 9);
      }
    }
  });

  it('also equals brute force when parent covers are not the sum of their children', () => {
    const { ensemble, rng } = randomEnsemble(11, 5, 3, 6, true);
    const X = randomRows(rng, 20, 5);
    const fast = shapValues(ensemble, X);
    for (let i = 0; i < X.nRows; i++) {
      const slow = shapValuesNaive(ensemble, rowOf(X, i));
      for (let j = 0; j < 5; j++) expect(fast.values[i * 5 + j]).toBeCloseTo(slow.values[j], 9);
    }
  });

  it('is additive on larger ensembles: expectedValue + Σ values = raw prediction', () => {
    const { ensemble, trees, rng } = randomEnsemble(21, 20, 20, 11);
    const X = randomRows(rng, 60, 20);
    const { values, expectedValue } = shapValues(ensemble, X);
    for (let i = 0; i < X.nRows; i++) {
      const x = rowOf(X, i);
      let raw = ensemble.baseScore;
      for (const t of trees) raw += t.predict(x);
      let sum = expectedValue;
      for (let j = 0; j < 20; j++) sum += values[i * 20 + j];
      expect(Math.abs(sum - raw)).toBeLessThan(1e-9);
    }
  });

  it('handles a deep chain that splits on the same features over and over', () => {
    // Depth 40, alternating between two features: path stacks of depth 40 with constant unwinding.
    const rng = createRng(5);
    const t = new ArrayTree();
    let node = t.add();
    t.cov[node] = 1000;
    for (let d = 0; d < 40; d++) {
      const leaf = t.add();
      const next = t.add();
      t.feat[node] = d % 2;
      t.thr[node] = (d % 7) / 7 - 0.5;
      t.l[node] = leaf;
      t.r[node] = next;
      t.val[leaf] = rng.normal();
      t.cov[leaf] = t.cov[node] * 0.3;
      t.cov[next] = t.cov[node] * 0.7;
      node = next;
    }
    t.val[node] = 5;
    const ensemble: TreeEnsembleView = { baseScore: 0, trees: [t], link: 'identity', nFeatures: 3 };
    const X = randomRows(rng, 30, 3, 0);
    const { values, expectedValue } = shapValues(ensemble, X);
    for (let i = 0; i < X.nRows; i++) {
      const x = rowOf(X, i);
      expect(values[i * 3 + 0] + values[i * 3 + 1] + expectedValue).toBeCloseTo(t.predict(x), 9);
      // Feature 2 is never used, so it gets nothing.
      expect(values[i * 3 + 2]).toBe(0);
      const slow = shapValuesNaive(ensemble, x);
      expect(values[i * 3]).toBeCloseTo(slow.values[0], 9);
    }
  });

  it('gives single-leaf trees no attribution, only expected value', () => {
    const t = new ArrayTree();
    t.val[t.add()] = 2.5;
    t.cov[0] = 1;
    const { values, expectedValue } = shapValues(
      { baseScore: 1, trees: [t], link: 'identity', nFeatures: 2 },
      matrixFromColumns([[1], [2]]),
    );
    expect(Array.from(values)).toEqual([0, 0]);
    expect(expectedValue).toBe(3.5);
    expect(treeExpectation(t, 0)).toBe(2.5);
  });

  it('rejects a matrix with the wrong number of features', () => {
    const { ensemble } = randomEnsemble(1, 4, 1, 3);
    expect(() => shapValues(ensemble, matrixFromColumns([[1], [2]]))).toThrow(SalescastError);
    expect(() => shapValues(ensemble, matrixFromColumns([[1], [2]]))).toThrow(
      'X has 2 features, but TreeSHAP was fitted with 4 features.',
    );
  });
});

describe('shapValues on fitted tree learners', () => {
  // Friedman-like data with a categorical column (codes 0..3) and missing values in column 3.
  function data(seed: number, n: number) {
    const rng = createRng(seed);
    const cols = Array.from({ length: 6 }, () => new Float64Array(n));
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < 5; j++) cols[j][i] = rng.next();
      cols[5][i] = rng.int(4);
      y[i] =
        10 * Math.sin(Math.PI * cols[0][i] * cols[1][i]) +
        10 * cols[3][i] +
        [0, 3, -2, 1][cols[5][i]] +
        rng.normal();
      if (rng.next() < 0.1) cols[3][i] = Number.NaN;
    }
    return { X: matrixFromColumns(cols, { categorical: [5] }), y };
  }
  const train = data(1, 600);
  const test = data(2, 40);

  function checkAgainstModel(
    ensemble: TreeEnsembleView,
    predict: Float64Array,
    toRaw: (p: number) => number,
  ) {
    const { values, expectedValue } = shapValues(ensemble, test.X);
    for (let i = 0; i < test.X.nRows; i++) {
      let sum = expectedValue;
      for (let j = 0; j < 6; j++) sum += values[i * 6 + j];
      expect(Math.abs(sum - toRaw(predict[i]))).toBeLessThan(1e-6);
    }
    // Exactness against the brute-force reference on a few rows.
    for (const i of [0, 1, 2]) {
      const slow = shapValuesNaive(ensemble, rowOf(test.X, i));
      for (let j = 0; j < 6; j++) expect(values[i * 6 + j]).toBeCloseTo(slow.values[j], 8);
    }
    return values;
  }

  it('is additive and exact on GradientBoosting (squared loss, categorical and NaN splits)', () => {
    const m = new GradientBoosting({ nEstimators: 30, maxLeaves: 12, seed: 1, nThreads: 1 }).fit(
      train.X,
      train.y,
    );
    const values = checkAgainstModel(m.treeEnsemble(), m.predict(test.X), (p) => p);
    // Column 4 has no effect on y and column 0 a strong one: mean |SHAP| orders them.
    const meanAbs = (j: number) =>
      Array.from({ length: 40 }, (_, i) => Math.abs(values[i * 6 + j])).reduce((a, b) => a + b) / 40;
    expect(meanAbs(0)).toBeGreaterThan(3 * meanAbs(4));
  });

  it('works in log space for a Poisson GradientBoosting', () => {
    const y = Float64Array.from(train.y, (v) => Math.max(0, Math.round(v)));
    const m = new GradientBoosting({
      nEstimators: 20,
      maxLeaves: 8,
      loss: 'poisson',
      seed: 2,
      nThreads: 1,
    }).fit(train.X, y);
    const ensemble = m.treeEnsemble();
    expect(ensemble.link).toBe('log');
    const p = m.predict(test.X);
    checkAgainstModel(ensemble, p, Math.log);
    const response = toResponseScale(shapValues(ensemble, test.X), 6);
    for (let i = 0; i < test.X.nRows; i++) {
      let sum = response.expectedValue;
      for (let j = 0; j < 6; j++) sum += response.values[i * 6 + j];
      expect(sum).toBeCloseTo(p[i], 8);
    }
  });

  it('is additive and exact on RandomForest', () => {
    const m = new RandomForest({ nEstimators: 8, maxLeaves: 16, seed: 3, nThreads: 1 }).fit(train.X, train.y);
    checkAgainstModel(m.treeEnsemble(), m.predict(test.X), (p) => p);
  });
});

describe('shapValues against XGBoost', () => {
  interface XgbNode {
    nodeid: number;
    split?: string;
    split_condition?: number;
    yes?: number;
    no?: number;
    missing?: number;
    leaf?: number;
    cover: number;
    children?: XgbNode[];
  }
  /** A TreeView over XGBoost's JSON dump: `x < split_condition` goes to `yes`, NaN to `missing`. */
  function xgbTree(root: XgbNode): TreeView {
    const nodes: XgbNode[] = [];
    const visit = (node: XgbNode) => {
      nodes[node.nodeid] = node;
      for (const c of node.children ?? []) visit(c);
    };
    visit(root);
    return {
      nNodes: nodes.length,
      isLeaf: (n) => nodes[n].leaf !== undefined,
      feature: (n) => Number(nodes[n].split?.slice(1)),
      left: (n) => nodes[n].yes ?? -1,
      right: (n) => nodes[n].no ?? -1,
      value: (n) => nodes[n].leaf ?? 0,
      cover: (n) => nodes[n].cover,
      goesLeft: (n, x) =>
        Number.isNaN(x) ? nodes[n].missing === nodes[n].yes : x < (nodes[n].split_condition ?? Number.NaN),
    };
  }

  it("equals XGBoost's pred_contribs on a fixture with missing values", () => {
    // Written by src/ml/testdata/make-xgboost-shap.py.
    const fixture = JSON.parse(
      readFileSync(new URL('./testdata/xgboost-shap.json', import.meta.url), 'utf8'),
    ) as {
      baseScore: number;
      nFeatures: number;
      trees: XgbNode[];
      rows: (number | null)[][];
      margin: number[];
      contribs: number[][];
    };
    const p = fixture.nFeatures;
    const ensemble: TreeEnsembleView = {
      baseScore: fixture.baseScore,
      trees: fixture.trees.map(xgbTree),
      link: 'identity',
      nFeatures: p,
    };
    const columns = Array.from({ length: p }, (_, j) => fixture.rows.map((r) => r[j] ?? Number.NaN));
    expect(columns[3].some(Number.isNaN)).toBe(true);
    const { values, expectedValue } = shapValues(ensemble, matrixFromColumns(columns));
    fixture.rows.forEach((_, i) => {
      // XGBoost computes in float32; its dump rounds leaf values to 9 digits.
      expect(expectedValue).toBeCloseTo(fixture.contribs[i][p], 4);
      for (let j = 0; j < p; j++) expect(values[i * p + j]).toBeCloseTo(fixture.contribs[i][j], 4);
      let sum = expectedValue;
      for (let j = 0; j < p; j++) sum += values[i * p + j];
      expect(sum).toBeCloseTo(fixture.margin[i], 4);
    });
  });
});

describe('toResponseScale', () => {
  it('splits exp(raw) − exp(expected) in proportion to the log-scale values', () => {
    const shap = { values: new Float64Array([Math.log(2), Math.log(3), 0, 0]), expectedValue: Math.log(10) };
    const r = toResponseScale(shap, 2);
    expect(r.expectedValue).toBeCloseTo(10, 12);
    // Row 0: prediction 60, gap 50 split by log 2 : log 3.
    expect(r.values[0] + r.values[1] + r.expectedValue).toBeCloseTo(60, 10);
    expect(r.values[0] / r.values[1]).toBeCloseTo(Math.log(2) / Math.log(3), 12);
    expect(Array.from(r.values.subarray(2))).toEqual([0, 0]);
  });
});
