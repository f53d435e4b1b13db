/**
 * Histogram gradient boosting (LightGBM / XGBoost-hist style): quantile-binned features, leaf-wise
 * trees fitted to the loss's gradients and hessians, shrinkage, row and column subsampling, early
 * stopping on an evaluation set, native categorical splits, learned missing-value directions and
 * monotone constraints. Hand-written because no well-kept JavaScript library does this.
 */
import { availableParallelism } from 'node:os';
import { NotFittedError } from '../core/errors.js';
import { createRng } from '../core/rng.js';
import type { FeatureMatrix, FitOptions, Regressor } from './estimator.js';
import { createLoss, LOSS_NAMES, type LossName, weightedQuantile } from './losses.js';
import { hyperparameterError, type ParamTable, validateParams, withDefaults } from './params.js';
import { decodeLearnerArtifact, encodeArtifact } from './serialize.js';
import { binMatrix, fitBinMapper } from './tree/binning.js';
import { createGrowerContext, type GrownLeaf, growTree } from './tree/grower.js';
import { selectFeatures, selectRows } from './tree/sampling.js';
import type { Tree } from './tree/tree.js';
import { FittedTreeEnsemble, type ImportanceKind } from './tree/tree-ensemble.js';
import type { TreeEnsembleView } from './tree/tree-view.js';
import { checkFitInput, checkPredictInput, featureCountError } from './validation.js';

export interface GradientBoostingParams {
  /** Boosting rounds (trees), at most; early stopping may keep fewer. */
  readonly nEstimators: number;
  /** Shrinkage applied to every tree's leaf values. */
  readonly learningRate: number;
  readonly loss: LossName;
  readonly maxLeaves: number;
  /** −1 for no limit. */
  readonly maxDepth: number;
  readonly minDataInLeaf: number;
  readonly minSumHessianInLeaf: number;
  /** A split must lower the loss by more than this. */
  readonly minGain: number;
  readonly lambdaL1: number;
  readonly lambdaL2: number;
  /** Bins per numeric feature (plus one for missing values). */
  readonly maxBins: number;
  /** Fraction of rows each tree sees, drawn without replacement. */
  readonly subsample: number;
  /** Fraction of features each tree may split on. */
  readonly colsampleByTree: number;
  /** Stop when the evaluation loss has not improved for this many rounds (needs `evalSet`); null = off. */
  readonly earlyStoppingRounds: number | null;
  /** Per feature: +1 prediction non-decreasing in it, −1 non-increasing, 0 free; empty = none. */
  readonly monotoneConstraints: readonly number[];
  /** Huber loss: where the loss turns linear. */
  readonly huberDelta: number;
  /** Quantile loss: the quantile level. */
  readonly alpha: number;
  /** Tweedie loss: variance power. */
  readonly tweedieVariancePower: number;
  readonly seed: number;
  /** Threads for histogram building; null = all available cores. Results do not depend on it. */
  readonly nThreads: number | null;
}

const DEFAULTS: GradientBoostingParams = {
  nEstimators: 100,
  learningRate: 0.1,
  loss: 'squared',
  maxLeaves: 31,
  maxDepth: -1,
  minDataInLeaf: 20,
  minSumHessianInLeaf: 1e-3,
  minGain: 0,
  lambdaL1: 0,
  lambdaL2: 0,
  maxBins: 255,
  subsample: 1,
  colsampleByTree: 1,
  earlyStoppingRounds: null,
  monotoneConstraints: [],
  huberDelta: 1,
  alpha: 0.5,
  tweedieVariancePower: 1.5,
  seed: 0,
  nThreads: null,
};

const PARAM_TABLE: ParamTable = {
  nEstimators: { kind: 'number', integer: true, min: 1 },
  learningRate: { kind: 'number', min: 0, minExclusive: true },
  loss: { kind: 'options', options: LOSS_NAMES },
  maxLeaves: { kind: 'number', integer: true, min: 2, max: 131072 },
  maxDepth: { kind: 'number', integer: true, min: -1 },
  minDataInLeaf: { kind: 'number', integer: true, min: 1 },
  minSumHessianInLeaf: { kind: 'number', min: 0 },
  minGain: { kind: 'number', min: 0 },
  lambdaL1: { kind: 'number', min: 0 },
  lambdaL2: { kind: 'number', min: 0 },
  maxBins: { kind: 'number', integer: true, min: 2, max: 255 },
  subsample: { kind: 'number', min: 0, minExclusive: true, max: 1 },
  colsampleByTree: { kind: 'number', min: 0, minExclusive: true, max: 1 },
  earlyStoppingRounds: { kind: 'number', integer: true, min: 1, nullable: true },
  monotoneConstraints: { kind: 'numberArray', integer: true, min: -1, max: 1 },
  huberDelta: { kind: 'number', min: 0, minExclusive: true },
  alpha: { kind: 'number', min: 0, max: 1, minExclusive: true, maxExclusive: true },
  tweedieVariancePower: { kind: 'number', min: 1, max: 2, maxExclusive: true },
  seed: { kind: 'number' },
  nThreads: { kind: 'number', integer: true, min: 1, max: 256, nullable: true },
};

interface GradientBoostingState {
  readonly ensemble: FittedTreeEnsemble;
  /** Rounds kept (the best round with early stopping). */
  readonly bestIteration: number;
}

/** Gradient-boosted trees; see `GradientBoostingParams` for the hyperparameters and their defaults. */
export class GradientBoosting implements Regressor {
  readonly name = 'GradientBoosting';
  readonly params: Readonly<GradientBoostingParams>;
  private fitted: GradientBoostingState | undefined;

  constructor(params: Partial<GradientBoostingParams> = {}) {
    this.params = withDefaults(DEFAULTS, params);
  }

  /**
   * Fits `nEstimators` trees (fewer with early stopping).
   * `X`: column-major, nRows × nFeatures, NaN = missing; `y`: nRows targets.
   */
  fit(X: FeatureMatrix, y: Float64Array, options: FitOptions = {}): this {
    const p = this.params;
    validateParams(this.name, PARAM_TABLE, p);
    if (p.maxDepth === 0)
      throw hyperparameterError(this.name, 'maxDepth', 'an integer ≥ 1, or -1 for no limit', 0);
    checkFitInput(this.name, X, y, options);
    const monotone = monotoneVector(this.name, p.monotoneConstraints, X);
    const loss = createLoss(p.loss, p);
    loss.checkTarget(y);
    const evalSet = options.evalSet;
    if (p.earlyStoppingRounds !== null && evalSet === undefined) {
      throw hyperparameterError(
        this.name,
        'earlyStoppingRounds',
        'null when no evalSet is given',
        p.earlyStoppingRounds,
      );
    }

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
        minSumHessianInLeaf: p.minSumHessianInLeaf,
        minGain: p.minGain,
        lambdaL1: p.lambdaL1,
        lambdaL2: p.lambdaL2,
        monotone,
      },
      nThreads,
    );
    const baseScore = loss.initScore(y, weight);
    const trees: Tree[] = [];
    let bestIteration = 0;
    try {
      ctx.builder.setUnitHessian(loss.unitHessian && weight === undefined);
      const raw = new Float64Array(n).fill(baseScore);
      const grad = new Float64Array(n);
      const hess = new Float64Array(n);
      const residuals = new Float64Array(n);
      const residualWeights = new Float64Array(n);
      const evalRaw = evalSet ? new Float64Array(evalSet.X.nRows).fill(baseScore) : undefined;
      let bestLoss = Number.POSITIVE_INFINITY;
      const allFeatures = Int32Array.from({ length: X.nCols }, (_, j) => j);
      const treeFeatures = new Int32Array(X.nCols);

      for (let m = 0; m < p.nEstimators; m++) {
        loss.gradients(y, raw, weight, grad, hess);
        const bagCount =
          p.subsample < 1
            ? selectRows(
                n,
                Math.max(1, Math.round(p.subsample * n)),
                rng,
                ctx.builder.rows,
                ctx.builder.oobRows,
              )
            : n;
        const oobCount = n - bagCount;
        const features =
          p.colsampleByTree < 1
            ? treeFeatures.subarray(0, selectFeatures(allFeatures, p.colsampleByTree, rng, treeFeatures))
            : allFeatures;
        const grown = growTree(ctx, grad, hess, bagCount, bagCount === n, features, undefined, oobCount);
        // A tree without a split cannot improve the fit any more (LightGBM stops here too).
        if (grown.leaves.length === 1) break;
        const rows = ctx.builder.rows;
        const leafValue = (leaf: GrownLeaf): number => {
          if (loss.leafQuantile === undefined) return p.learningRate * leaf.output;
          // Absolute and quantile losses: the Newton step only knows gradient signs, so the leaf
          // value is re-estimated as the residual quantile of its rows (as LightGBM does),
          // clamped to the leaf's monotone bounds.
          for (let k = 0; k < leaf.count; k++) {
            const r = rows[leaf.begin + k];
            residuals[k] = y[r] - raw[r];
            residualWeights[k] = weight ? weight[r] : 1;
          }
          const q = weightedQuantile(
            residuals.subarray(0, leaf.count),
            residualWeights.subarray(0, leaf.count),
            loss.leafQuantile,
          );
          return p.learningRate * Math.min(leaf.upper, Math.max(leaf.lower, q));
        };
        const tree = grown.finish(leafValue, p.learningRate);
        updateScores(tree, grown.leaves, rows, ctx.builder.oobRows, raw);
        trees.push(tree);

        if (evalSet && evalRaw) {
          const ne = evalSet.X.nRows;
          let total = 0;
          for (let i = 0; i < ne; i++) {
            evalRaw[i] += tree.predictAt(evalSet.X.data, ne, i);
            total += loss.loss(evalSet.y[i], evalRaw[i]);
          }
          const evalLoss = ne > 0 ? total / ne : 0;
          if (evalLoss < bestLoss) {
            bestLoss = evalLoss;
            bestIteration = trees.length;
          } else if (
            p.earlyStoppingRounds !== null &&
            trees.length - bestIteration >= p.earlyStoppingRounds
          ) {
            break;
          }
        } else {
          bestIteration = trees.length;
        }
      }
    } finally {
      ctx.close();
    }
    const kept = p.earlyStoppingRounds !== null ? trees.slice(0, bestIteration) : trees;
    this.fitted = {
      ensemble: new FittedTreeEnsemble(kept, baseScore, loss.link, X.nCols),
      bestIteration: kept.length,
    };
    return this;
  }

  /** Predictions for every row of `X` (column-major, nRows × nFeatures). */
  predict(X: FeatureMatrix): Float64Array {
    const s = this.state();
    checkPredictInput(this.name, X, s.ensemble.nFeatures);
    return s.ensemble.predict(X);
  }

  /** The prediction for one dense row of nFeatures values; allocates nothing. */
  predictRow(row: Float64Array): number {
    const s = this.state();
    if (row.length !== s.ensemble.nFeatures)
      throw featureCountError(this.name, row.length, s.ensemble.nFeatures);
    return s.ensemble.predictRow(row);
  }

  /** The trees kept after fitting (early stopping keeps the best round's). */
  get bestIteration(): number {
    return this.state().bestIteration;
  }

  /** The fitted trees, for explanations. */
  treeEnsemble(): TreeEnsembleView {
    return this.state().ensemble;
  }

  /** Per feature: total loss reduction of its splits ('gain') or its number of splits ('split'). */
  featureImportance(kind: ImportanceKind): Float64Array {
    return this.state().ensemble.featureImportance(kind);
  }

  serialize(): Uint8Array {
    const s = this.state();
    const { meta, arrays } = s.ensemble.encode();
    return encodeArtifact({ learner: this.name, params: this.params, meta, arrays });
  }

  /** Restores a model from `serialize()` output; throws INVALID_ARTIFACT when it is malformed. */
  static deserialize(bytes: Uint8Array): GradientBoosting {
    const a = decodeLearnerArtifact(bytes, 'GradientBoosting');
    const model = new GradientBoosting(a.params as Partial<GradientBoostingParams>);
    const ensemble = FittedTreeEnsemble.decode(a.meta, a.arrays);
    model.fitted = { ensemble, bestIteration: ensemble.trees.length };
    return model;
  }

  private state(): GradientBoostingState {
    if (this.fitted === undefined) throw new NotFittedError(this.name);
    return this.fitted;
  }
}

/** Restores a `GradientBoosting` from its artifact. */
export function deserializeGradientBoosting(bytes: Uint8Array): GradientBoosting {
  return GradientBoosting.deserialize(bytes);
}

/** The monotone constraint of every feature, checked against the matrix. */
function monotoneVector(estimator: string, constraints: readonly number[], X: FeatureMatrix): Int8Array {
  const out = new Int8Array(X.nCols);
  if (constraints.length === 0) return out;
  if (constraints.length !== X.nCols) {
    throw hyperparameterError(
      estimator,
      'monotoneConstraints',
      `empty or of length ${X.nCols} (one per feature)`,
      constraints,
    );
  }
  for (const j of X.categorical ?? []) {
    if (constraints[j] !== 0) {
      throw hyperparameterError(
        estimator,
        'monotoneConstraints',
        `0 for categorical feature ${j}`,
        constraints,
      );
    }
  }
  out.set(constraints);
  return out;
}

/**
 * Adds the new tree's output to the training scores through the leaves' rows and out-of-bag rows,
 * which the grower sorted into them (no tree walk).
 */
function updateScores(
  tree: Tree,
  leaves: readonly GrownLeaf[],
  rows: Int32Array,
  oobRows: Int32Array,
  raw: Float64Array,
): void {
  const value = tree.arrays.value;
  for (const leaf of leaves) {
    const v = value[leaf.node];
    for (let k = leaf.begin; k < leaf.begin + leaf.count; k++) raw[rows[k]] += v;
    for (let k = leaf.oobBegin; k < leaf.oobBegin + leaf.oobCount; k++) raw[oobRows[k]] += v;
  }
}
