/**
 * Random forest regression on the histogram tree learner: each tree is grown on a bootstrap sample
 * of the rows, choosing among a random fraction of the features at each node (or once per tree),
 * with squared error, no shrinkage, and the trees averaged. This is LightGBM's
 * `class RF : public GBDT`: the same grower, fitted every time to the residuals of the constant
 * base score, with leaf values divided by the number of trees.
 */
import { availableParallelism } from 'node:os';
import { NotFittedError } from '../core/errors.js';
import { createRng } from '../core/rng.js';
import type { FeatureMatrix, FitOptions, Regressor } from './estimator.js';
import { hyperparameterError, type ParamTable, validateParams, withDefaults } from './params.js';
import { decodeLearnerArtifact, encodeArtifact } from './serialize.js';
import { binMatrix, fitBinMapper } from './tree/binning.js';
import { createGrowerContext, growTree } from './tree/grower.js';
import { selectFeatures } from './tree/sampling.js';
import type { Tree } from './tree/tree.js';
import { FittedTreeEnsemble, type ImportanceKind } from './tree/tree-ensemble.js';
import type { TreeEnsembleView } from './tree/tree-view.js';
import { checkFitInput, checkPredictInput, featureCountError } from './validation.js';

export interface RandomForestParams {
  readonly nEstimators: number;
  readonly maxLeaves: number;
  /** −1 for no limit. */
  readonly maxDepth: number;
  readonly minDataInLeaf: number;
  /** Fraction of the features considered (per node or per tree, see `featureSampling`). */
  readonly maxFeatures: number;
  readonly featureSampling: 'node' | 'tree';
  /** Bootstrap rows drawn per tree, as a fraction of the row count (with replacement). */
  readonly subsample: number;
  readonly maxBins: number;
  readonly seed: number;
  /** Threads for histogram building; null = all available cores. Results do not depend on it. */
  readonly nThreads: number | null;
}

const DEFAULTS: RandomForestParams = {
  nEstimators: 100,
  maxLeaves: 255,
  maxDepth: -1,
  minDataInLeaf: 5,
  maxFeatures: 0.5,
  featureSampling: 'node',
  subsample: 1,
  maxBins: 255,
  seed: 0,
  nThreads: null,
};

const PARAM_TABLE: ParamTable = {
  nEstimators: { kind: 'number', integer: true, min: 1 },
  maxLeaves: { kind: 'number', integer: true, min: 2, max: 131072 },
  maxDepth: { kind: 'number', integer: true, min: -1 },
  minDataInLeaf: { kind: 'number', integer: true, min: 1 },
  maxFeatures: { kind: 'number', min: 0, minExclusive: true, max: 1 },
  featureSampling: { kind: 'options', options: ['node', 'tree'] },
  subsample: { kind: 'number', min: 0, minExclusive: true, max: 1 },
  maxBins: { kind: 'number', integer: true, min: 2, max: 255 },
  seed: { kind: 'number' },
  nThreads: { kind: 'number', integer: true, min: 1, max: 256, nullable: true },
};

/** A leaf needs at least this much bootstrap weight, so leaf means are defined. */
const MIN_LEAF_WEIGHT = 1e-9;

/** Random forest regression; see `RandomForestParams` for the hyperparameters and their defaults. */
export class RandomForest implements Regressor {
  readonly name = 'RandomForest';
  readonly params: Readonly<RandomForestParams>;
  private fitted: FittedTreeEnsemble | undefined;

  constructor(params: Partial<RandomForestParams> = {}) {
    this.params = withDefaults(DEFAULTS, params);
  }

  /** Fits `nEstimators` trees. `X`: column-major, nRows × nFeatures, NaN = missing; `y`: nRows targets. */
  fit(X: FeatureMatrix, y: Float64Array, options: FitOptions = {}): this {
    const p = this.params;
    validateParams(this.name, PARAM_TABLE, p);
    if (p.maxDepth === 0)
      throw hyperparameterError(this.name, 'maxDepth', 'an integer ≥ 1, or -1 for no limit', 0);
    checkFitInput(this.name, X, y, options);
    const n = X.nRows;
    const weight = options.sampleWeight;
    const nThreads = p.nThreads ?? availableParallelism();
    const rng = createRng(p.seed);
    const mapper = fitBinMapper(X, p.maxBins, rng.fork());
    const bins = binMatrix(mapper, X);
    const ctx = createGrowerContext(
      mapper,
      bins,
      n,
      {
        maxLeaves: p.maxLeaves,
        maxDepth: p.maxDepth,
        minDataInLeaf: p.minDataInLeaf,
        minSumHessianInLeaf: MIN_LEAF_WEIGHT,
        minGain: 0,
        lambdaL1: 0,
        lambdaL2: 0,
        monotone: new Int8Array(X.nCols),
      },
      nThreads,
    );

    let sw = 0;
    let swy = 0;
    for (let i = 0; i < n; i++) {
      const w = weight ? weight[i] : 1;
      sw += w;
      swy += w * y[i];
    }
    const baseScore = swy / sw;
    const trees: Tree[] = [];
    try {
      const grad = new Float64Array(n);
      const hess = new Float64Array(n);
      const draws = new Int32Array(n);
      const allFeatures = Int32Array.from({ length: X.nCols }, (_, j) => j);
      const treeFeatures = new Int32Array(X.nCols);
      const nDraws = Math.max(1, Math.round(p.subsample * n));
      const scale = 1 / p.nEstimators;
      for (let m = 0; m < p.nEstimators; m++) {
        // Bootstrap as multiplicities: a row drawn k times enters the sums with weight k.
        draws.fill(0);
        for (let d = 0; d < nDraws; d++) draws[rng.int(n)]++;
        const rows = ctx.builder.rows;
        let bagCount = 0;
        for (let i = 0; i < n; i++) {
          const k = draws[i];
          if (k === 0 || (weight && weight[i] === 0)) continue;
          const w = k * (weight ? weight[i] : 1);
          grad[i] = w * (baseScore - y[i]);
          hess[i] = w;
          rows[bagCount++] = i;
        }
        let features = allFeatures;
        let sampling: { fraction: number; rng: typeof rng } | undefined;
        if (p.featureSampling === 'tree' && p.maxFeatures < 1) {
          features = treeFeatures.subarray(0, selectFeatures(allFeatures, p.maxFeatures, rng, treeFeatures));
        } else if (p.maxFeatures < 1) {
          sampling = { fraction: p.maxFeatures, rng };
        }
        const grown = growTree(ctx, grad, hess, bagCount, false, features, sampling);
        trees.push(grown.finish((leaf) => leaf.output * scale, scale));
      }
    } finally {
      ctx.close();
    }
    this.fitted = new FittedTreeEnsemble(trees, baseScore, 'identity', X.nCols);
    return this;
  }

  /** Predictions for every row of `X` (column-major, nRows × nFeatures). */
  predict(X: FeatureMatrix): Float64Array {
    const s = this.state();
    checkPredictInput(this.name, X, s.nFeatures);
    return s.predict(X);
  }

  /** The prediction for one dense row of nFeatures values; allocates nothing. */
  predictRow(row: Float64Array): number {
    const s = this.state();
    if (row.length !== s.nFeatures) throw featureCountError(this.name, row.length, s.nFeatures);
    return s.predictRow(row);
  }

  /** The fitted trees, for explanations; leaf values are already divided by the number of trees. */
  treeEnsemble(): TreeEnsembleView {
    return this.state();
  }

  /** Per feature: total loss reduction of its splits ('gain') or its number of splits ('split'). */
  featureImportance(kind: ImportanceKind): Float64Array {
    return this.state().featureImportance(kind);
  }

  serialize(): Uint8Array {
    const { meta, arrays } = this.state().encode();
    return encodeArtifact({ learner: this.name, params: this.params, meta, arrays });
  }

  /** Restores a model from `serialize()` output; throws INVALID_ARTIFACT when it is malformed. */
  static deserialize(bytes: Uint8Array): RandomForest {
    const a = decodeLearnerArtifact(bytes, 'RandomForest');
    const model = new RandomForest(a.params as Partial<RandomForestParams>);
    model.fitted = FittedTreeEnsemble.decode(a.meta, a.arrays);
    return model;
  }

  private state(): FittedTreeEnsemble {
    if (this.fitted === undefined) throw new NotFittedError(this.name);
    return this.fitted;
  }
}

/** Restores a `RandomForest` from its artifact. */
export function deserializeRandomForest(bytes: Uint8Array): RandomForest {
  return RandomForest.deserialize(bytes);
}
