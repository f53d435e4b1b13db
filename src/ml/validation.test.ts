import { describe, expect, it } from 'vitest';
import { SalescastError } from '../core/errors.js';
import { type FeatureMatrix, matrixFromColumns } from './estimator.js';
import { checkFitInput, checkPredictInput } from './validation.js';

function messageOf(f: () => void): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SalescastError);
    expect((e as SalescastError).code).toBe('INVALID_DATA');
    return (e as SalescastError).message;
  }
  throw new Error('expected INVALID_DATA');
}

const X = matrixFromColumns([
  [1, 2, 3],
  [4, 5, 6],
]);

describe('checkFitInput', () => {
  it('accepts a well-formed matrix, finite targets and valid weights', () => {
    expect(() =>
      checkFitInput('M', X, new Float64Array([1, 2, 3]), { sampleWeight: new Float64Array([0, 1, 2]) }),
    ).not.toThrow();
  });

  it('rejects mismatched row counts, naming both', () => {
    expect(messageOf(() => checkFitInput('M', X, new Float64Array(2)))).toBe(
      'X has 3 rows but y has 2 values; M needs one per row.',
    );
  });

  it('rejects non-finite targets, naming the row', () => {
    expect(messageOf(() => checkFitInput('M', X, new Float64Array([1, Number.NaN, 3])))).toContain(
      'y holds NaN at row 1',
    );
    expect(messageOf(() => checkFitInput('M', X, new Float64Array([1, 2, Infinity])))).toContain('at row 2');
  });

  it('rejects empty data, a data array of the wrong size and bad categorical indices', () => {
    const empty = matrixFromColumns([[]]);
    expect(messageOf(() => checkFitInput('M', empty, new Float64Array(0)))).toContain('0 rows');
    const bad: FeatureMatrix = { nRows: 3, nCols: 2, data: new Float64Array(5) };
    expect(messageOf(() => checkFitInput('M', bad, new Float64Array(3)))).toContain('holds 5 values, not 6');
    const badCat: FeatureMatrix = { ...X, categorical: [2] };
    expect(messageOf(() => checkFitInput('M', badCat, new Float64Array(3)))).toContain(
      'categorical column index 2',
    );
  });

  it('rejects bad sample weights', () => {
    const y = new Float64Array(3);
    expect(messageOf(() => checkFitInput('M', X, y, { sampleWeight: new Float64Array(2) }))).toContain(
      'sampleWeight has 2 values',
    );
    expect(
      messageOf(() => checkFitInput('M', X, y, { sampleWeight: new Float64Array([1, -1, 1]) })),
    ).toContain('sampleWeight holds -1 at row 1');
    expect(messageOf(() => checkFitInput('M', X, y, { sampleWeight: new Float64Array(3) }))).toContain(
      'sums to 0',
    );
  });

  it('checks the eval set against the training features', () => {
    const evalX = matrixFromColumns([[1]]);
    expect(
      messageOf(() =>
        checkFitInput('M', X, new Float64Array(3), { evalSet: { X: evalX, y: new Float64Array(1) } }),
      ),
    ).toBe('X has 1 features, but M was fitted with 2 features.');
  });
});

describe('checkPredictInput', () => {
  it('names the feature counts', () => {
    expect(messageOf(() => checkPredictInput('GradientBoosting', X, 3))).toBe(
      'X has 2 features, but GradientBoosting was fitted with 3 features.',
    );
    expect(() => checkPredictInput('M', X, 2)).not.toThrow();
  });
});
