/**
 * Argument checks shared by the decision functions. Every check throws
 * `SalescastError('INVALID_ARGUMENT')` whose message and `field` name the offending input, so a
 * route or CLI command can point the user at it without a stack trace.
 */
import { invalidArgument } from '../core/errors.js';

export { invalidArgument };

/** `value` must be a finite number ≥ 0. */
export function requireNonNegative(field: string, value: number): void {
  if (!(Number.isFinite(value) && value >= 0)) invalidArgument(field, 'a finite number ≥ 0', value);
}

/** `value` must be a finite number > 0. */
export function requirePositive(field: string, value: number): void {
  if (!(Number.isFinite(value) && value > 0)) invalidArgument(field, 'a finite number > 0', value);
}

/** `value` must be an integer ≥ `min`. */
export function requireInteger(field: string, value: number, min: number): void {
  if (!(Number.isInteger(value) && value >= min)) invalidArgument(field, `an integer ≥ ${min}`, value);
}

/** `value` must be a probability strictly inside (0, 1). */
export function requireOpenProbability(field: string, value: number): void {
  if (!(value > 0 && value < 1)) invalidArgument(field, 'a number in (0, 1)', value);
}

/** `value` must be a finite number in [min, max]. */
export function requireInRange(field: string, value: number, min: number, max: number): void {
  if (!(Number.isFinite(value) && value >= min && value <= max))
    invalidArgument(field, `a number in [${min}, ${max}]`, value);
}

/** Every entry of `values` must be a finite number ≥ 0. */
export function requireNonNegativeArray(field: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    if (!(Number.isFinite(values[i]) && values[i] >= 0))
      invalidArgument(`${field}[${i}]`, 'a finite number ≥ 0', values[i]);
  }
}

/** `value` must be a finite number. */
export function requireFinite(field: string, value: number): void {
  if (!Number.isFinite(value)) invalidArgument(field, 'a finite number', value);
}
