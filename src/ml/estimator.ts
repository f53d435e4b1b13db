/**
 * The one interface every learner implements (scikit-learn's shape): the constructor stores frozen,
 * validated-at-fit params; `fit` learns and returns `this`; `predict` maps a matrix to predictions.
 */

/**
 * A column-major numeric matrix: value (row i, column j) is `data[j * nRows + i]`.
 * Missing values are NaN. Categorical columns hold non-negative integer codes (NaN = missing).
 */
export interface FeatureMatrix {
  readonly nRows: number;
  readonly nCols: number;
  readonly data: Float64Array;
  /** Column names, used for importances and explanations. */
  readonly names?: readonly string[];
  /** Indices of categorical columns. */
  readonly categorical?: readonly number[];
}

export interface FitOptions {
  /** Non-negative weight per row; default 1. */
  readonly sampleWeight?: Float64Array;
  /** Validation set for early stopping. */
  readonly evalSet?: { readonly X: FeatureMatrix; readonly y: Float64Array };
}

export interface Regressor {
  /** Learner name as used in artifacts and messages, e.g. "GradientBoosting". */
  readonly name: string;
  /** Hyperparameters, as `serialize` stores them and the learner's constructor takes them. */
  readonly params: Readonly<Record<string, unknown>>;
  fit(X: FeatureMatrix, y: Float64Array, options?: FitOptions): this;
  /** Predictions for every row of `X`; throws NotFittedError before `fit`. */
  predict(X: FeatureMatrix): Float64Array;
  /** Prediction for one row given as a dense feature vector of length nCols; allocates nothing. */
  predictRow(row: Float64Array): number;
  /** A versioned artifact that `deserialize` turns back into a learner predicting bit-identically. */
  serialize(): Uint8Array;
}

/** Builds a FeatureMatrix from columns (each of length nRows). */
export function matrixFromColumns(
  columns: readonly ArrayLike<number>[],
  options: { names?: readonly string[]; categorical?: readonly number[] } = {},
): FeatureMatrix {
  const nCols = columns.length;
  const nRows = nCols === 0 ? 0 : columns[0].length;
  const data = new Float64Array(nRows * nCols);
  for (let j = 0; j < nCols; j++) {
    const col = columns[j];
    if (col.length !== nRows) throw new RangeError(`column ${j} has ${col.length} rows; expected ${nRows}`);
    for (let i = 0; i < nRows; i++) data[j * nRows + i] = col[i];
  }
  return { nRows, nCols, data, names: options.names, categorical: options.categorical };
}
