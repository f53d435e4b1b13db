import { describe, expect, it } from 'vitest';
import { SalescastError } from '../core/errors.js';
import { hyperparameterError, type ParamTable, validateParams, withDefaults } from './params.js';

const TABLE: ParamTable = {
  learningRate: { kind: 'number', min: 0, minExclusive: true },
  maxBins: { kind: 'number', min: 2, max: 255, integer: true },
  subsample: { kind: 'number', min: 0, max: 1, minExclusive: true },
  shift: { kind: 'number' },
  loss: { kind: 'options', options: ['squared', 'poisson'] },
  quantileLevel: { kind: 'options', options: [0.1, 0.5, 0.9] },
  fitIntercept: { kind: 'boolean' },
  maxDepth: { kind: 'number', min: 1, integer: true, nullable: true },
  weights: { kind: 'numberArray', min: 0 },
  lags: { kind: 'numberArray', min: 1, integer: true, nullable: true },
};

function errorOf(params: Record<string, unknown>): SalescastError {
  try {
    validateParams('GradientBoosting', TABLE, params);
  } catch (e) {
    if (e instanceof SalescastError) return e;
    throw e;
  }
  throw new Error('expected validateParams to throw');
}

describe('validateParams', () => {
  it('accepts values inside every spec, nulls where nullable, and undefined as absent', () => {
    expect(() =>
      validateParams('GradientBoosting', TABLE, {
        learningRate: 0.1,
        maxBins: 255,
        subsample: 1,
        shift: -3.5,
        loss: 'poisson',
        quantileLevel: 0.9,
        fitIntercept: false,
        maxDepth: null,
        weights: new Float64Array([0, 2]),
        lags: [1, 7, 28],
        // An explicit undefined means "use the default".
        subsampleSeed: undefined,
      }),
    ).toThrow(/no parameter 'subsampleSeed'/);
    expect(() =>
      validateParams('GradientBoosting', TABLE, { maxDepth: null, lags: null, loss: undefined }),
    ).not.toThrow();
  });

  it('names an open lower bound with ∞', () => {
    const e = errorOf({ learningRate: -1 });
    expect(e.code).toBe('INVALID_HYPERPARAMETER');
    expect(e.location.field).toBe('learningRate');
    expect(e.message).toBe(
      "The 'learningRate' parameter of GradientBoosting must be a number in (0, ∞); got -1 instead.",
    );
    expect(errorOf({ learningRate: 0 }).message).toContain('got 0 instead');
  });

  it('names integer intervals and rejects fractions and out-of-range integers', () => {
    expect(errorOf({ maxBins: 300 }).message).toBe(
      "The 'maxBins' parameter of GradientBoosting must be an integer in [2, 255]; got 300 instead.",
    );
    expect(errorOf({ maxBins: 2.5 }).message).toContain('got 2.5 instead');
  });

  it('shows half-open and unbounded intervals, and rejects NaN and infinities', () => {
    expect(errorOf({ subsample: 0 }).message).toContain('must be a number in (0, 1]; got 0 instead.');
    expect(errorOf({ subsample: 1.01 }).message).toContain('got 1.01 instead');
    expect(errorOf({ shift: Number.NaN }).message).toContain('must be a number in (-∞, ∞); got NaN instead.');
    expect(errorOf({ shift: Number.POSITIVE_INFINITY }).message).toContain('got Infinity instead');
  });

  it('lists string options quoted and numeric options bare', () => {
    expect(errorOf({ loss: 'foo' }).message).toBe(
      "The 'loss' parameter of GradientBoosting must be one of 'squared', 'poisson'; got 'foo' instead.",
    );
    expect(errorOf({ quantileLevel: 0.3 }).message).toContain(
      'must be one of 0.1, 0.5, 0.9; got 0.3 instead.',
    );
    expect(errorOf({ quantileLevel: '0.5' }).message).toContain("got '0.5' instead");
  });

  it('rejects non-booleans for boolean specs', () => {
    expect(errorOf({ fitIntercept: 'yes' }).message).toBe(
      "The 'fitIntercept' parameter of GradientBoosting must be a boolean; got 'yes' instead.",
    );
    expect(errorOf({ fitIntercept: 1 }).message).toContain('got 1 instead');
  });

  it('says "or null" for nullable specs and rejects null elsewhere', () => {
    expect(errorOf({ maxDepth: 0 }).message).toContain(
      'must be an integer in [1, ∞) or null; got 0 instead.',
    );
    expect(errorOf({ learningRate: null }).message).toContain('got null instead');
  });

  it('checks every element of number arrays', () => {
    expect(errorOf({ weights: [1, -2] }).message).toBe(
      "The 'weights' parameter of GradientBoosting must be an array of numbers in [0, ∞); got [1, -2] instead.",
    );
    expect(errorOf({ lags: [1, 2.5] }).message).toContain('must be an array of integers in [1, ∞) or null');
    expect(errorOf({ weights: 3 }).message).toContain('got 3 instead');
    expect(errorOf({ weights: { a: 1 } }).message).toContain('got an object instead');
  });

  it('rejects unknown parameter names, listing the valid ones', () => {
    const e = errorOf({ learningrate: 0.1 });
    expect(e.code).toBe('INVALID_HYPERPARAMETER');
    expect(e.location.field).toBe('learningrate');
    expect(e.message).toMatch(
      /^GradientBoosting has no parameter 'learningrate'; valid parameters are 'learningRate', 'maxBins'/,
    );
    // Inherited Object properties are not parameters.
    expect(errorOf({ toString: 1 }).message).toContain("no parameter 'toString'");
  });
});

describe('hyperparameterError', () => {
  it('builds the same message shape for rules a table cannot express', () => {
    const e = hyperparameterError(
      'VotingRegressor',
      'weights',
      'an array with one weight per member (2)',
      [1],
    );
    expect(e.code).toBe('INVALID_HYPERPARAMETER');
    expect(e.location.field).toBe('weights');
    expect(e.message).toBe(
      "The 'weights' parameter of VotingRegressor must be an array with one weight per member (2); got [1] instead.",
    );
  });
});

describe('withDefaults', () => {
  it('overrides defaults with given values, ignores undefined, and freezes', () => {
    const p = withDefaults({ alpha: 1, fitIntercept: true }, { alpha: 2, fitIntercept: undefined });
    expect(p).toEqual({ alpha: 2, fitIntercept: true });
    expect(Object.isFrozen(p)).toBe(true);
  });
});
