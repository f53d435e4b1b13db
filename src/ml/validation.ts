/**
 * Input checks every learner runs at its boundary (`fit`, `predict`, `predictRow`), so that inner
 * kernels may assume a well-formed matrix, finite targets and matching shapes. Failures are
 * `SalescastError('INVALID_DATA')` whose message names the counts or the offending row.
 */

import { SalescastError } from '../core/errors.js';
import type { FeatureMatrix, FitOptions } from './estimator.js';

/**
 * Checks `X`, `y` and the fit options of `estimator`: the matrix shape, at least one row,
 * one finite target per row, and sample weights that are finite, non-negative and not all zero.
 */
export function checkFitInput(
  estimator: string,
  X: FeatureMatrix,
  y: Float64Array,
  options?: FitOptions,
): void {
  checkMatrix(estimator, X);
  if (X.nRows === 0) throw invalidData(`${estimator} cannot be fitted on 0 rows.`);
  if (y.length !== X.nRows) {
    throw invalidData(`X has ${X.nRows} rows but y has ${y.length} values; ${estimator} needs one per row.`);
  }
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i])) {
      throw invalidData(`y holds ${y[i]} at row ${i}; ${estimator} needs finite targets.`, 'y');
    }
  }
  const w = options?.sampleWeight;
  if (w !== undefined) {
    if (w.length !== X.nRows) {
      throw invalidData(`sampleWeight has ${w.length} values but X has ${X.nRows} rows.`, 'sampleWeight');
    }
    let total = 0;
    for (let i = 0; i < w.length; i++) {
      if (!(Number.isFinite(w[i]) && w[i] >= 0)) {
        throw invalidData(
          `sampleWeight holds ${w[i]} at row ${i}; weights must be finite and ≥ 0.`,
          'sampleWeight',
        );
      }
      total += w[i];
    }
    if (total <= 0)
      throw invalidData('sampleWeight sums to 0; at least one row needs a positive weight.', 'sampleWeight');
  }
  const evalSet = options?.evalSet;
  if (evalSet !== undefined) {
    checkPredictInput(estimator, evalSet.X, X.nCols);
    if (evalSet.y.length !== evalSet.X.nRows) {
      throw invalidData(
        `evalSet.X has ${evalSet.X.nRows} rows but evalSet.y has ${evalSet.y.length} values.`,
      );
    }
  }
}

/** Checks that `X` is well-formed and has the `nFeatures` columns the learner was fitted with. */
export function checkPredictInput(estimator: string, X: FeatureMatrix, nFeatures: number): void {
  checkMatrix(estimator, X);
  if (X.nCols !== nFeatures) throw featureCountError(estimator, X.nCols, nFeatures);
}

/** The error for a row or matrix with the wrong number of features. */
export function featureCountError(estimator: string, got: number, fitted: number): SalescastError {
  return invalidData(`X has ${got} features, but ${estimator} was fitted with ${fitted} features.`);
}

function checkMatrix(estimator: string, X: FeatureMatrix): void {
  if (!(Number.isInteger(X.nRows) && X.nRows >= 0 && Number.isInteger(X.nCols) && X.nCols >= 0)) {
    throw invalidData(`${estimator} got a matrix with invalid shape ${X.nRows} × ${X.nCols}.`);
  }
  if (X.data.length !== X.nRows * X.nCols) {
    throw invalidData(
      `${estimator} got a ${X.nRows} × ${X.nCols} matrix whose data holds ${X.data.length} values, not ${X.nRows * X.nCols}.`,
    );
  }
  for (const j of X.categorical ?? []) {
    if (!(Number.isInteger(j) && j >= 0 && j < X.nCols)) {
      throw invalidData(`${estimator} got categorical column index ${j} outside [0, ${X.nCols}).`);
    }
  }
}

function invalidData(message: string, field?: string): SalescastError {
  return new SalescastError('INVALID_DATA', message, field === undefined ? {} : { field });
}
