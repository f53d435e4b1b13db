/**
 * The learned state shared by gradient boosting and random forest: a base score, trees whose leaf
 * values are already scaled, and a link. It predicts (batch and single row, bit-identically),
 * reports importances, exposes `TreeEnsembleView` for explanations and round-trips through
 * artifact arrays.
 */
import { SalescastError } from '../../core/errors.js';
import type { FeatureMatrix } from '../estimator.js';
import type { ArtifactArray } from '../serialize.js';
import { CompiledForest } from './predictor.js';
import type { Tree } from './tree.js';
import { decodeTrees, encodeTrees } from './tree-codec.js';
import type { TreeEnsembleView } from './tree-view.js';

export type ImportanceKind = 'gain' | 'split';

/** A fitted ensemble: prediction = link⁻¹(baseScore + Σ tree outputs). */
export class FittedTreeEnsemble implements TreeEnsembleView {
  private readonly compiled: CompiledForest;

  constructor(
    readonly trees: readonly Tree[],
    readonly baseScore: number,
    readonly link: 'identity' | 'log',
    readonly nFeatures: number,
  ) {
    this.compiled = new CompiledForest(trees, nFeatures);
  }

  /** Predictions for the rows of `X` (already checked to have `nFeatures` columns). */
  predict(X: FeatureMatrix): Float64Array {
    const out = new Float64Array(X.nRows).fill(this.baseScore);
    this.compiled.addTo(X.data, X.nRows, out);
    if (this.link === 'log') for (let i = 0; i < out.length; i++) out[i] = Math.exp(out[i]);
    return out;
  }

  /** The prediction for one dense row; allocates nothing. */
  predictRow(row: Float64Array): number {
    const raw = this.compiled.sumRow(row, this.baseScore);
    return this.link === 'log' ? Math.exp(raw) : raw;
  }

  /** Per feature: total split gain, or number of splits. */
  featureImportance(kind: ImportanceKind): Float64Array {
    const out = new Float64Array(this.nFeatures);
    for (const t of this.trees) {
      const a = t.arrays;
      for (let n = 0; n < t.nNodes; n++) {
        if (a.feature[n] >= 0) out[a.feature[n]] += kind === 'gain' ? a.gain[n] : 1;
      }
    }
    return out;
  }

  /** The meta fields and arrays an artifact needs to restore this state. */
  encode(): { meta: Record<string, unknown>; arrays: Record<string, ArtifactArray> } {
    return {
      meta: { link: this.link, nFeatures: this.nFeatures, nTrees: this.trees.length },
      // The base score goes in binary: it must come back bit-identical.
      arrays: { ...encodeTrees(this.trees), baseScore: Float64Array.of(this.baseScore) },
    };
  }

  /** Restores the state written by `encode`; throws INVALID_ARTIFACT when it is malformed. */
  static decode(
    meta: Record<string, unknown>,
    arrays: Readonly<Record<string, ArtifactArray>>,
  ): FittedTreeEnsemble {
    const { link, nFeatures, nTrees } = meta;
    const base = Object.hasOwn(arrays, 'baseScore') ? arrays.baseScore : undefined;
    if (
      (link !== 'identity' && link !== 'log') ||
      !Number.isInteger(nFeatures) ||
      (nFeatures as number) < 1 ||
      !(base instanceof Float64Array) ||
      base.length !== 1
    ) {
      throw new SalescastError(
        'INVALID_ARTIFACT',
        'Invalid model artifact: its tree-ensemble header is malformed.',
      );
    }
    const trees = decodeTrees(arrays, nFeatures as number);
    if (trees.length !== nTrees) {
      throw new SalescastError(
        'INVALID_ARTIFACT',
        `Invalid model artifact: it holds ${trees.length} trees, not ${nTrees}.`,
      );
    }
    return new FittedTreeEnsemble(trees, base[0], link, nFeatures as number);
  }
}
