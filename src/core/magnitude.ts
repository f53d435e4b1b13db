/**
 * The largest magnitude salescast accepts for a number a user supplies in a request: units,
 * prices, costs and driver values. Retail figures lie many orders of magnitude below it, and
 * products and sums of a few such values stay far from overflow, so a computation never meets an
 * infinite or NaN intermediate that a response could not carry.
 */
export const LARGEST_INPUT = 1e12;

/** Whether `value` is a finite number within ±LARGEST_INPUT. */
export function isInputNumber(value: unknown): value is number {
  return typeof value === 'number' && Math.abs(value) <= LARGEST_INPUT;
}
