import { describe, expect, it } from 'vitest';
import { SalescastError } from '../core/errors.js';
import { fillMissing } from './fill-missing.js';

describe('fillMissing', () => {
  it('drops leading gaps, interpolates interior ones and carries the last value forward', () => {
    const y = Float64Array.from([Number.NaN, Number.NaN, 1, Number.NaN, Number.NaN, 4, Number.NaN]);
    expect(Array.from(fillMissing(y))).toEqual([1, 2, 3, 4, 4]);
  });

  it('treats infinities as missing and leaves a complete series as it is', () => {
    expect(Array.from(fillMissing(Float64Array.from([2, Number.POSITIVE_INFINITY, 6])))).toEqual([2, 4, 6]);
    const y = Float64Array.from([3, 1, 2]);
    const x = fillMissing(y);
    expect(Array.from(x)).toEqual([3, 1, 2]);
    expect(x).not.toBe(y);
  });

  it('rejects a series without any finite value', () => {
    expect(() => fillMissing(Float64Array.from([Number.NaN, Number.NaN]))).toThrow(SalescastError);
    expect(() => fillMissing(new Float64Array(0))).toThrow(/no finite value/);
  });
});
