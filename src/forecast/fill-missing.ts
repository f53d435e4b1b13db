/**
 * Missing values in a series' history, before a per-series model sees it. Statistical models need
 * a gap-free series, so:
 * - leading missing values are dropped (the series started later);
 * - interior gaps are filled by linear interpolation between the neighbouring observations;
 * - trailing missing values are filled with the last observation, keeping the length, so that
 *   forecast step 1 still means the period right after the last entry of the input.
 * Any non-finite value (NaN, ±Infinity) counts as missing.
 */
import { SalescastError } from '../core/errors.js';

/**
 * Returns a gap-free copy of `y` (shorter by the number of leading missing values).
 * Throws INVALID_DATA when `y` has no finite value.
 */
export function fillMissing(y: Float64Array): Float64Array {
  let first = 0;
  while (first < y.length && !Number.isFinite(y[first])) first++;
  if (first === y.length) {
    throw new SalescastError('INVALID_DATA', `The series has no finite value among its ${y.length} entries.`);
  }
  const x = y.slice(first);
  let last = 0;
  for (let t = 1; t < x.length; t++) {
    if (!Number.isFinite(x[t])) continue;
    if (t - last > 1) {
      const slope = (x[t] - x[last]) / (t - last);
      for (let k = last + 1; k < t; k++) x[k] = x[last] + slope * (k - last);
    }
    last = t;
  }
  for (let t = last + 1; t < x.length; t++) x[t] = x[last];
  return x;
}
