/**
 * Voting ensemble: the weighted average of several regressors' predictions (scikit-learn's
 * VotingRegressor). Members may be of any kind, fitted here or before.
 */

import { NotFittedError } from '../core/errors.js';
import type { FeatureMatrix, FitOptions, Regressor } from './estimator.js';
import { hyperparameterError, type ParamTable, validateParams } from './params.js';
import { artifactArray, decodeLearnerArtifact, deserializeLearner, encodeArtifact } from './serialize.js';
import { checkFitInput, checkPredictInput, featureCountError } from './validation.js';

export interface VotingRegressorParams {
  /** One non-negative weight per member, not all zero; null averages the members equally. */
  readonly weights: readonly number[] | null;
}

const PARAM_TABLE: ParamTable = {
  weights: { kind: 'numberArray', min: 0, nullable: true },
};

/** Weighted average of member regressors. */
export class VotingRegressor implements Regressor {
  readonly name = 'VotingRegressor';
  readonly params: Readonly<VotingRegressorParams>;
  /** The members, in the order their weights are given. `fit` fits them in place. */
  readonly members: readonly Regressor[];
  // Set by `fit` or `deserialize`; undefined when the members were fitted elsewhere (they then
  // check the feature count themselves).
  private nFeatures: number | undefined;
  // The validated weights (all 1 when none are given), cached by checkParams.
  private weightValues: Float64Array | undefined;
  private weightTotal = 0;

  /**
   * `members`: the regressors to average (at least one); `weights`: one per member.
   * Members that are already fitted may be used without calling `fit`.
   */
  constructor(options: { members: readonly Regressor[]; weights?: readonly number[] | null }) {
    this.members = Object.freeze([...options.members]);
    const weights = options.weights == null ? null : Object.freeze([...options.weights]);
    this.params = Object.freeze({ weights });
  }

  /** Fits every member on the same data and options; returns `this`. */
  fit(X: FeatureMatrix, y: Float64Array, options: FitOptions = {}): this {
    this.checkParams();
    checkFitInput(this.name, X, y, options);
    for (const m of this.members) m.fit(X, y, options);
    this.nFeatures = X.nCols;
    return this;
  }

  /** Weighted average of the members' predictions for every row of `X`. */
  predict(X: FeatureMatrix): Float64Array {
    const weights = this.checkParams();
    if (this.nFeatures !== undefined) checkPredictInput(this.name, X, this.nFeatures);
    const out = new Float64Array(X.nRows);
    this.withMembers(() => {
      // Same operations in the same order as predictRow, so both agree bit for bit.
      for (let m = 0; m < this.members.length; m++) {
        const p = this.members[m].predict(X);
        for (let i = 0; i < out.length; i++) out[i] += weights[m] * p[i];
      }
    });
    for (let i = 0; i < out.length; i++) out[i] /= this.weightTotal;
    return out;
  }

  /** Weighted average of the members' `predictRow`; allocates nothing. */
  predictRow(row: Float64Array): number {
    const weights = this.checkParams();
    if (this.nFeatures !== undefined && row.length !== this.nFeatures) {
      throw featureCountError(this.name, row.length, this.nFeatures);
    }
    let acc = 0;
    try {
      for (let m = 0; m < this.members.length; m++) acc += weights[m] * this.members[m].predictRow(row);
    } catch (e) {
      throw e instanceof NotFittedError ? new NotFittedError(this.name) : e;
    }
    return acc / this.weightTotal;
  }

  /** An artifact that nests each member's own artifact. */
  serialize(): Uint8Array {
    this.checkParams();
    const arrays: Record<string, Uint8Array> = {};
    this.withMembers(() => {
      this.members.forEach((m, k) => {
        arrays[`member${k}`] = m.serialize();
      });
    });
    return encodeArtifact({
      learner: this.name,
      params: this.params,
      meta: { nMembers: this.members.length, nFeatures: this.nFeatures ?? null },
      arrays,
    });
  }

  /** Restores a VotingRegressor and its members (any registered learner kinds). */
  static deserialize(bytes: Uint8Array): VotingRegressor {
    const a = decodeLearnerArtifact(bytes, 'VotingRegressor');
    const nMembers = Number(a.meta.nMembers);
    const members: Regressor[] = [];
    for (let k = 0; k < nMembers; k++)
      members.push(deserializeLearner(artifactArray(a, `member${k}`, Uint8Array)));
    const model = new VotingRegressor({ members, weights: a.params.weights as number[] | null });
    model.nFeatures = typeof a.meta.nFeatures === 'number' ? a.meta.nFeatures : undefined;
    return model;
  }

  /** Validates the weights against the members once, and returns them. */
  private checkParams(): Float64Array {
    if (this.weightValues !== undefined) return this.weightValues;
    validateParams(this.name, PARAM_TABLE, this.params);
    const n = this.members.length;
    if (n === 0) throw hyperparameterError(this.name, 'members', 'a non-empty array of regressors', []);
    const given = this.params.weights;
    if (given !== null && given.length !== n) {
      throw hyperparameterError(this.name, 'weights', `an array with one weight per member (${n})`, given);
    }
    const weights = given === null ? new Float64Array(n).fill(1) : Float64Array.from(given);
    const total = weights.reduce((a, b) => a + b, 0);
    if (!(total > 0)) throw hyperparameterError(this.name, 'weights', 'non-negative and not all zero', given);
    this.weightValues = weights;
    this.weightTotal = total;
    return weights;
  }

  /** Runs `body`, reporting an unfitted member as this ensemble not being fitted. */
  private withMembers(body: () => void): void {
    try {
      body();
    } catch (e) {
      throw e instanceof NotFittedError ? new NotFittedError(this.name) : e;
    }
  }
}
