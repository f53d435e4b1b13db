/**
 * Ridge regression: least squares with an L2 penalty on the coefficients (not on the intercept),
 * solved in closed form. Missing numeric values are imputed with the training column mean;
 * categorical columns are one-hot encoded against the categories seen at fit.
 */

import { NotFittedError, SalescastError } from '../../core/errors.js';
import type { FeatureMatrix, FitOptions, Regressor } from '../estimator.js';
import { type ParamTable, validateParams, withDefaults } from '../params.js';
import { artifactArray, decodeLearnerArtifact, encodeArtifact } from '../serialize.js';
import { checkFitInput, checkPredictInput, featureCountError } from '../validation.js';
import { solveSymmetricPositive } from './cholesky.js';

export interface RidgeParams {
  /** L2 penalty strength (≥ 0). 0 is ordinary least squares; degenerate columns then get coefficient 0. */
  readonly alpha: number;
  /** Whether to fit an unpenalized intercept (the data are centered first). */
  readonly fitIntercept: boolean;
}

const DEFAULTS: RidgeParams = { alpha: 1, fitIntercept: true };

const PARAM_TABLE: ParamTable = {
  alpha: { kind: 'number', min: 0 },
  fitIntercept: { kind: 'boolean' },
};

/**
 * Learned state. The model works on "design columns": one per numeric feature and one per
 * category of a categorical feature (value 1 when the row has that category, else 0; missing or
 * unseen categories are all-zero).
 */
interface RidgeState {
  readonly nFeatures: number;
  /** Design columns of feature j are `designStart[j] .. designStart[j + 1] - 1`. */
  readonly designStart: Int32Array;
  /** 1 for categorical features. */
  readonly isCategorical: Uint8Array;
  /** Value that replaces NaN in numeric feature j (its weighted training mean; 0 when all missing). */
  readonly imputeValues: Float64Array;
  /** Category code of each design column, ascending within a feature; NaN for numeric columns. */
  readonly designCategory: Float64Array;
  /** Weighted training mean of each design column (after imputation). */
  readonly means: Float64Array;
  readonly coefficients: Float64Array;
  readonly intercept: number;
}

// Rows per block when accumulating XᵀWX: large enough to amortise the loop overhead, small
// enough that the block (numeric columns × rows) stays in cache.
const BLOCK_ROWS = 512;

// The dense normal equations take D² doubles and D³/3 flops to solve: 4096 design columns is
// 128 MiB and a few seconds, beyond which one-hot encoding is the wrong tool.
const MAX_DESIGN_COLUMNS = 4096;

/** Ridge regression, `{ alpha = 1, fitIntercept = true }`. */
export class Ridge implements Regressor {
  readonly name = 'Ridge';
  readonly params: Readonly<RidgeParams>;
  private fitted: RidgeState | undefined;

  constructor(params: Partial<RidgeParams> = {}) {
    this.params = withDefaults(DEFAULTS, params);
  }

  /**
   * Solves (ZᵀWZ + αI)β = ZᵀW(y − ȳ) on the centered design Z by Cholesky.
   * `X`: column-major, nRows × nFeatures; `y`: nRows finite targets.
   */
  fit(X: FeatureMatrix, y: Float64Array, options: FitOptions = {}): this {
    validateParams(this.name, PARAM_TABLE, this.params);
    checkFitInput(this.name, X, y, options);
    const { alpha, fitIntercept } = this.params;
    const weight = options.sampleWeight;
    const layout = designLayout(X, y, weight);
    const { designStart, isCategorical, imputeValues, designCategory, means } = layout;
    const D = designCategory.length;
    if (D > MAX_DESIGN_COLUMNS) {
      throw new SalescastError(
        'INVALID_DATA',
        `Ridge would one-hot encode ${X.nCols} features into ${D} columns, more than ${MAX_DESIGN_COLUMNS}; ` +
          'pass high-cardinality categorical columns as numeric codes or drop them.',
      );
    }
    const center = fitIntercept ? means : new Float64Array(D);
    const yCenter = fitIntercept ? layout.yMean : 0;

    const { gram, rhs } = normalEquations(X, y, weight, layout, center, yCenter);
    for (let a = 0; a < D; a++) {
      gram[a * D + a] += alpha;
      for (let b = 0; b < a; b++) gram[b * D + a] = gram[a * D + b];
    }
    const coefficients = solveSymmetricPositive(gram, rhs, D);

    let intercept = yCenter;
    for (let d = 0; d < D; d++) intercept -= coefficients[d] * center[d];
    this.fitted = {
      nFeatures: X.nCols,
      designStart,
      isCategorical,
      imputeValues,
      designCategory,
      means,
      coefficients,
      intercept,
    };
    return this;
  }

  /** Predictions for every row of `X` (column-major, nRows × nFeatures). */
  predict(X: FeatureMatrix): Float64Array {
    const s = this.state();
    checkPredictInput(this.name, X, s.nFeatures);
    const n = X.nRows;
    const out = new Float64Array(n).fill(s.intercept);
    // Column by column, in the same order and with the same operations as predictRow, so that
    // both give bit-identical results.
    for (let j = 0; j < s.nFeatures; j++) {
      const col = X.data.subarray(j * n, (j + 1) * n);
      const d0 = s.designStart[j];
      if (s.isCategorical[j]) {
        for (let i = 0; i < n; i++) {
          const d = findCategory(s, j, col[i]);
          if (d >= 0) out[i] += s.coefficients[d];
        }
      } else {
        const c = s.coefficients[d0];
        const fill = s.imputeValues[j];
        for (let i = 0; i < n; i++) {
          const v = col[i];
          out[i] += c * (Number.isNaN(v) ? fill : v);
        }
      }
    }
    return out;
  }

  /** Prediction for one dense row of length nFeatures; allocates nothing. */
  predictRow(row: Float64Array): number {
    const s = this.state();
    if (row.length !== s.nFeatures) throw featureCountError(this.name, row.length, s.nFeatures);
    let out = s.intercept;
    for (let j = 0; j < s.nFeatures; j++) {
      const v = row[j];
      if (s.isCategorical[j]) {
        const d = findCategory(s, j, v);
        if (d >= 0) out += s.coefficients[d];
      } else {
        out += s.coefficients[s.designStart[j]] * (Number.isNaN(v) ? s.imputeValues[j] : v);
      }
    }
    return out;
  }

  /**
   * Additive per-feature contributions: for feature j, Σ over its design columns of
   * coefficient × (value − training mean). `values` is row-major nRows × nFeatures, and for every
   * row `expectedValue + Σ values = predict` (up to rounding). `expectedValue` is the prediction at
   * the training means.
   */
  contributions(X: FeatureMatrix): { values: Float64Array; expectedValue: number } {
    const s = this.state();
    checkPredictInput(this.name, X, s.nFeatures);
    const n = X.nRows;
    const p = s.nFeatures;
    const values = new Float64Array(n * p);
    for (let j = 0; j < p; j++) {
      const d0 = s.designStart[j];
      const d1 = s.designStart[j + 1];
      // Contribution of the all-zero encoding (missing/unseen category, or 0 for a numeric column).
      let base = 0;
      for (let d = d0; d < d1; d++) base -= s.coefficients[d] * s.means[d];
      for (let i = 0; i < n; i++) {
        const v = X.data[j * n + i];
        let c = base;
        if (s.isCategorical[j]) {
          const d = findCategory(s, j, v);
          if (d >= 0) c += s.coefficients[d];
        } else {
          c += s.coefficients[d0] * (Number.isNaN(v) ? s.imputeValues[j] : v);
        }
        values[i * p + j] = c;
      }
    }
    return { values, expectedValue: this.expectedValue };
  }

  /** Prediction at the weighted training means of the design columns. */
  get expectedValue(): number {
    const s = this.state();
    let e = s.intercept;
    for (let d = 0; d < s.coefficients.length; d++) e += s.coefficients[d] * s.means[d];
    return e;
  }

  /** One coefficient per design column (numeric feature, or category of a categorical feature). */
  get coefficients(): Float64Array {
    return this.state().coefficients.slice();
  }

  /** Weighted training mean per design column. */
  get means(): Float64Array {
    return this.state().means.slice();
  }

  get intercept(): number {
    return this.state().intercept;
  }

  /**
   * The design columns of feature j: their coefficients, and for a categorical feature the
   * category code each one stands for.
   */
  featureTerms(j: number): { coefficients: Float64Array; categories: Float64Array | undefined } {
    const s = this.state();
    const d0 = s.designStart[j];
    const d1 = s.designStart[j + 1];
    return {
      coefficients: s.coefficients.slice(d0, d1),
      categories: s.isCategorical[j] ? s.designCategory.slice(d0, d1) : undefined,
    };
  }

  serialize(): Uint8Array {
    const s = this.state();
    return encodeArtifact({
      learner: this.name,
      params: this.params,
      meta: { nFeatures: s.nFeatures },
      arrays: {
        designStart: s.designStart,
        isCategorical: s.isCategorical,
        imputeValues: s.imputeValues,
        designCategory: s.designCategory,
        means: s.means,
        coefficients: s.coefficients,
        // The intercept travels as a Float64 so that it round-trips bit-identically.
        intercept: new Float64Array([s.intercept]),
      },
    });
  }

  /** Restores a Ridge from `serialize()` output; throws INVALID_ARTIFACT on a malformed artifact. */
  static deserialize(bytes: Uint8Array): Ridge {
    const a = decodeLearnerArtifact(bytes, 'Ridge');
    const model = new Ridge(a.params as Partial<RidgeParams>);
    const nFeatures = a.meta.nFeatures;
    if (typeof nFeatures !== 'number' || !Number.isInteger(nFeatures) || nFeatures < 0) {
      throw new SalescastError(
        'INVALID_ARTIFACT',
        'Invalid model artifact: the Ridge header lacks nFeatures.',
      );
    }
    const designStart = artifactArray(a, 'designStart', Int32Array, nFeatures + 1);
    const D = designStart[nFeatures];
    model.fitted = {
      nFeatures,
      designStart,
      isCategorical: artifactArray(a, 'isCategorical', Uint8Array, nFeatures),
      imputeValues: artifactArray(a, 'imputeValues', Float64Array, nFeatures),
      designCategory: artifactArray(a, 'designCategory', Float64Array, D),
      means: artifactArray(a, 'means', Float64Array, D),
      coefficients: artifactArray(a, 'coefficients', Float64Array, D),
      intercept: artifactArray(a, 'intercept', Float64Array, 1)[0],
    };
    return model;
  }

  private state(): RidgeState {
    if (this.fitted === undefined) throw new NotFittedError(this.name);
    return this.fitted;
  }
}

interface DesignLayout {
  readonly designStart: Int32Array;
  readonly isCategorical: Uint8Array;
  readonly imputeValues: Float64Array;
  readonly designCategory: Float64Array;
  /** Weighted mean of each design column: the imputation value, or the share of a category. */
  readonly means: Float64Array;
  readonly totalWeight: number;
  readonly yMean: number;
}

/** Imputation values, the one-hot layout (sorted distinct codes per categorical column) and means. */
function designLayout(X: FeatureMatrix, y: Float64Array, weight: Float64Array | undefined): DesignLayout {
  const { nRows: n, nCols: p } = X;
  const categorical = new Set(X.categorical ?? []);
  const isCategorical = new Uint8Array(p);
  const imputeValues = new Float64Array(p);
  const designStart = new Int32Array(p + 1);
  const codes: number[] = [];
  const sums: number[] = [];
  let totalWeight = 0;
  let ySum = 0;
  for (let i = 0; i < n; i++) {
    const wi = weight === undefined ? 1 : weight[i];
    totalWeight += wi;
    ySum += wi * y[i];
  }
  for (let j = 0; j < p; j++) {
    designStart[j] = codes.length;
    const col = X.data.subarray(j * n, (j + 1) * n);
    if (categorical.has(j)) {
      isCategorical[j] = 1;
      const categoryWeight = new Map<number, number>();
      for (let i = 0; i < n; i++) {
        if (Number.isNaN(col[i])) continue;
        categoryWeight.set(
          col[i],
          (categoryWeight.get(col[i]) ?? 0) + (weight === undefined ? 1 : weight[i]),
        );
      }
      for (const code of [...categoryWeight.keys()].sort((a, b) => a - b)) {
        codes.push(code);
        sums.push(categoryWeight.get(code) ?? 0);
      }
    } else {
      let s = 0;
      let sw = 0;
      for (let i = 0; i < n; i++) {
        if (Number.isNaN(col[i])) continue;
        const wi = weight === undefined ? 1 : weight[i];
        s += wi * col[i];
        sw += wi;
      }
      imputeValues[j] = sw > 0 ? s / sw : 0;
      codes.push(Number.NaN);
      // After imputation the column's weighted mean is the imputation value.
      sums.push(imputeValues[j] * totalWeight);
    }
  }
  designStart[p] = codes.length;
  const means = Float64Array.from(sums, (v) => v / totalWeight);
  return {
    designStart,
    isCategorical,
    imputeValues,
    designCategory: Float64Array.from(codes),
    means,
    totalWeight,
    yMean: ySum / totalWeight,
  };
}

/**
 * The normal equations on the design centered at `center` (and y at `yCenter`): the lower
 * triangle of ZᵀWZ (row-major D × D) and ZᵀW(y − yCenter).
 *
 * Numeric × numeric products are dense dot products over blocks of centered rows. One-hot columns
 * are sparse, so their products are accumulated uncentered (one entry per row and categorical
 * feature) and centered afterwards, Σ w (1ₐ − cₐ)(z − c_z) = Σ_{rows in a} w (z − c_z) − cₐ Σ w (z − c_z):
 * a few hundred categories then cost about as much as a few numeric columns.
 */
function normalEquations(
  X: FeatureMatrix,
  y: Float64Array,
  weight: Float64Array | undefined,
  layout: DesignLayout,
  center: Float64Array,
  yCenter: number,
): { gram: Float64Array; rhs: Float64Array } {
  const n = X.nRows;
  const { designStart, isCategorical, imputeValues, designCategory, totalWeight } = layout;
  const D = designCategory.length;
  const numeric: number[] = [];
  const categorical: number[] = [];
  for (let j = 0; j < X.nCols; j++) (isCategorical[j] ? categorical : numeric).push(j);
  const nNum = numeric.length;
  const nCat = categorical.length;
  const numDesign = Int32Array.from(numeric, (j) => designStart[j]);
  const lower = (a: number, b: number) => (a >= b ? a * D + b : b * D + a);

  const gram = new Float64Array(D * D);
  const rhs = new Float64Array(D);
  // Σ w (z − c) per numeric column and Σ w (y − yCenter): the centering corrections of one-hot terms.
  const numericSum = new Float64Array(nNum);
  let residualSum = 0;
  // √w (x − c) per numeric column (column k at k * BLOCK_ROWS), the design index of each row's
  // category per categorical feature (−1 when missing), and per-row weights.
  const block = new Float64Array(nNum * BLOCK_ROWS);
  const category = new Int32Array(nCat * BLOCK_ROWS);
  const sqrtW = new Float64Array(BLOCK_ROWS);
  const wy = new Float64Array(BLOCK_ROWS);

  for (let start = 0; start < n; start += BLOCK_ROWS) {
    const size = Math.min(BLOCK_ROWS, n - start);
    for (let r = 0; r < size; r++) {
      const wi = weight === undefined ? 1 : weight[start + r];
      sqrtW[r] = Math.sqrt(wi);
      wy[r] = wi * (y[start + r] - yCenter);
      residualSum += wy[r];
    }
    for (let k = 0; k < nNum; k++) {
      const j = numeric[k];
      const col = X.data.subarray(j * n + start, j * n + start + size);
      const c = center[numDesign[k]];
      const fill = imputeValues[j];
      const o = k * BLOCK_ROWS;
      for (let r = 0; r < size; r++) block[o + r] = ((Number.isNaN(col[r]) ? fill : col[r]) - c) * sqrtW[r];
    }
    for (let f = 0; f < nCat; f++) {
      const j = categorical[f];
      const col = X.data.subarray(j * n + start, j * n + start + size);
      const d0 = designStart[j];
      const d1 = designStart[j + 1];
      for (let r = 0; r < size; r++)
        category[f * BLOCK_ROWS + r] = searchCategory(designCategory, d0, d1, col[r]);
    }

    for (let a = 0; a < nNum; a++) {
      const oa = a * BLOCK_ROWS;
      for (let b = 0; b <= a; b++) {
        const ob = b * BLOCK_ROWS;
        let s = 0;
        for (let r = 0; r < size; r++) s += block[oa + r] * block[ob + r];
        gram[lower(numDesign[a], numDesign[b])] += s;
      }
      let t = 0;
      let u = 0;
      for (let r = 0; r < size; r++) {
        t += block[oa + r] * sqrtW[r] * (y[start + r] - yCenter);
        u += block[oa + r] * sqrtW[r];
      }
      rhs[numDesign[a]] += t;
      numericSum[a] += u;
    }

    for (let r = 0; r < size; r++) {
      const wi = sqrtW[r] * sqrtW[r];
      for (let f = 0; f < nCat; f++) {
        const d = category[f * BLOCK_ROWS + r];
        if (d < 0) continue;
        for (let k = 0; k < nNum; k++) gram[lower(d, numDesign[k])] += sqrtW[r] * block[k * BLOCK_ROWS + r];
        for (let g = 0; g <= f; g++) {
          const e = category[g * BLOCK_ROWS + r];
          if (e >= 0) gram[lower(d, e)] += wi;
        }
        rhs[d] += wy[r];
      }
    }
  }

  // Center the one-hot terms (numeric × numeric entries are centered already).
  const categoryWeight = new Float64Array(D);
  for (let d = 0; d < D; d++) if (!Number.isNaN(designCategory[d])) categoryWeight[d] = gram[d * D + d];
  for (let d = 0; d < D; d++) {
    if (Number.isNaN(designCategory[d])) continue;
    const cd = center[d];
    for (let k = 0; k < nNum; k++) gram[lower(d, numDesign[k])] -= cd * numericSum[k];
    for (let e = 0; e <= d; e++) {
      if (Number.isNaN(designCategory[e])) continue;
      const ce = center[e];
      gram[d * D + e] += -ce * categoryWeight[d] - cd * categoryWeight[e] + totalWeight * cd * ce;
    }
    rhs[d] -= cd * residualSum;
  }
  return { gram, rhs };
}

function findCategory(s: RidgeState, j: number, v: number): number {
  return searchCategory(s.designCategory, s.designStart[j], s.designStart[j + 1], v);
}

/** Index d in [d0, d1) with `codes[d] === v` (codes ascending), or -1 (also for NaN). */
function searchCategory(codes: Float64Array, d0: number, d1: number, v: number): number {
  let lo = d0;
  let hi = d1 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = codes[mid];
    if (c === v) return mid;
    if (c < v) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
