import { describe, expect, it } from 'vitest';
import { createRng } from '../../core/rng.js';
import { plantDirtyRecords } from './dirty-records.js';
import type { Cell } from './table.js';

/** 10 periods × 3 stores × 2 products, units 1–3. */
function cleanRows(): Cell[][] {
  const rows: Cell[][] = [];
  for (let p = 0; p < 10; p++)
    for (const s of ['S1', 'S2', 'S3'])
      for (const j of ['P1', 'P2'])
        rows.push([s, j, `2023-01-${String(p + 1).padStart(2, '0')}`, 1 + (p % 3), 2]);
  return rows;
}

describe('plantDirtyRecords', () => {
  it('drops whole store-periods, negates one row and adds duplicates and an unknown product', () => {
    const clean = cleanRows();
    const { rows, dirty } = plantDirtyRecords(createRng(3), clean, 2, 'P99');
    expect(dirty.missing_store_periods).toHaveLength(3);
    expect(rows).toHaveLength(60 - 3 * 2 + 3 + 1);
    for (const m of dirty.missing_store_periods) {
      expect(rows.filter((r) => r[0] === m.store_id && r[2] === m.date)).toEqual([]);
    }
    for (const d of dirty.duplicate_rows) expect(rows[d.line - 2]).toEqual(rows[d.duplicate_of_line - 2]);
    expect(rows[dirty.negative_quantity[0].line - 2][3]).toBe(dirty.negative_quantity[0].units);
    expect(dirty.negative_quantity[0].units).toBeLessThan(0);
    expect(rows[dirty.unknown_product[0].line - 2][1]).toBe('P99');
    // The input is not modified.
    expect(clean).toEqual(cleanRows());
  });

  it('skips the missing store-periods when the data is too small for them', () => {
    const clean = cleanRows().slice(0, 6);
    const { rows, dirty } = plantDirtyRecords(createRng(3), clean, 2, 'P99');
    expect(dirty.missing_store_periods).toEqual([]);
    expect(rows).toHaveLength(6 + 3 + 1);
  });
});
