/**
 * An in-memory source table of the demo retailer. Rows hold final values: numbers are already
 * rounded to the precision they are written with, so every output format prints the same values.
 */
import type { SourceName } from '../schema.js';

/** A value; `null` is an empty field (an optional column without a value). */
export type Cell = string | number | boolean | null;

export interface DemoTable {
  readonly source: SourceName;
  /** Column names, in the order of `SOURCES[source].columns`. */
  readonly columns: readonly string[];
  readonly rows: Cell[][];
}

/** `x` rounded half away from zero to `decimals` places. */
export function roundTo(x: number, decimals: number): number {
  const f = 10 ** decimals;
  const r = Math.round(Math.abs(x) * f) / f;
  // Normalise -0 so that it prints as "0".
  return x < 0 && r !== 0 ? -r : r;
}
