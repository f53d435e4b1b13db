/**
 * Dirty records planted in the sales source so that ingestion has something to catch: exact
 * duplicate rows, one negative quantity, one unknown product code, and store-periods whose rows are
 * all missing (a POS outage). Their 1-based line numbers (header = line 1) go to truth.json.
 */
import type { Rng } from '../../core/rng.js';
import { type Cell, roundTo } from './table.js';

export interface DirtyRecords {
  /** Extra rows, each an exact copy of the row just above it. */
  readonly duplicate_rows: { line: number; duplicate_of_line: number }[];
  /** A real sale written with negated units and revenue; `true_units` is what was sold. */
  readonly negative_quantity: { line: number; units: number; true_units: number }[];
  /** Extra rows whose product_id is not in products.csv. */
  readonly unknown_product: { line: number; product_id: string }[];
  /** Store-periods with no rows at all: missing data, unlike a row with units 0 (no sale). */
  readonly missing_store_periods: { store_id: string; date: string; rows_dropped: number }[];
}

export interface DirtySales {
  readonly rows: Cell[][];
  readonly dirty: DirtyRecords;
}

const DUPLICATES = 3;

/**
 * Plants the dirty records. `clean` holds one row per period × store × product in that order
 * (columns store_id, product_id, date, units, revenue); it is not modified.
 */
export function plantDirtyRecords(
  rng: Rng,
  clean: readonly Cell[][],
  nProducts: number,
  unknownProductId: string,
): DirtySales {
  const nStorePeriods = clean.length / nProducts;
  const nMissing = nStorePeriods >= 30 ? 3 : nStorePeriods >= 10 ? 2 : 0;
  const missing = new Set<number>();
  while (missing.size < nMissing) missing.add(rng.int(nStorePeriods));
  const missingSorted = [...missing].sort((a, b) => a - b);

  const kept: number[] = [];
  for (let i = 0; i < clean.length; i++) if (!missing.has(Math.floor(i / nProducts))) kept.push(i);
  const positive = kept.filter((i) => (clean[i][3] as number) > 0);
  const pool = positive.length > 0 ? positive : kept;
  const negative = pool[rng.int(pool.length)];
  const duplicated = new Set<number>();
  const nDuplicates = Math.min(DUPLICATES, kept.length - 1);
  while (duplicated.size < nDuplicates) {
    const i = kept[rng.int(kept.length)];
    if (i !== negative) duplicated.add(i);
  }
  const unknownAfter = kept[rng.int(kept.length)];

  const rows: Cell[][] = [];
  const dirty: DirtyRecords = {
    duplicate_rows: [],
    negative_quantity: [],
    unknown_product: [],
    missing_store_periods: missingSorted.map((sp) => {
      const row = clean[sp * nProducts];
      return { store_id: row[0] as string, date: row[2] as string, rows_dropped: nProducts };
    }),
  };
  for (const i of kept) {
    const row = clean[i];
    if (i === negative) {
      const units = row[3] as number;
      rows.push([row[0], row[1], row[2], -units, row[4] === null ? null : -(row[4] as number)]);
      dirty.negative_quantity.push({ line: rows.length + 1, units: -units, true_units: units });
    } else rows.push(row);
    if (duplicated.has(i)) {
      rows.push([...row]);
      dirty.duplicate_rows.push({ line: rows.length + 1, duplicate_of_line: rows.length });
    }
    if (i === unknownAfter) {
      const units = 1 + rng.int(5);
      rows.push([row[0], unknownProductId, row[2], units, roundTo(units * 2.49, 2)]);
      dirty.unknown_product.push({ line: rows.length + 1, product_id: unknownProductId });
    }
  }
  return { rows, dirty };
}
