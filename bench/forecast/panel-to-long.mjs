#!/usr/bin/env node
// panel-to-long.mjs PANEL.parquet OUT.csv: an ingested salescast panel -> the generic long contract
// (series_id,date,y + drivers known in advance). series_id is store_product; y is units. Rows whose
// units are missing are left out (the contract has no missing target). Stock and stockout columns
// are left out too: they are not known for future dates.
import { rename } from 'node:fs/promises';
import { DuckDBInstance } from '@duckdb/node-api';

const [panel, out] = process.argv.slice(2);
if (!panel || !out) {
  console.error('usage: panel-to-long.mjs PANEL.parquet OUT.csv');
  process.exit(2);
}
const quote = (s) => `'${s.replaceAll("'", "''")}'`;
const db = await DuckDBInstance.create(':memory:');
const connection = await db.connect();
await connection.run(`
  COPY (
    SELECT store_id || '_' || product_id AS series_id, strftime(date, '%Y-%m-%d') AS date, units AS y,
           price, discount_pct, CAST(on_promo AS INTEGER) AS on_promo,
           CAST(is_holiday AS INTEGER) AS is_holiday, CAST(is_payday AS INTEGER) AS is_payday,
           temp_c, precip_mm
    FROM read_parquet(${quote(panel)})
    WHERE units IS NOT NULL
    ORDER BY series_id, date
  ) TO ${quote(`${out}.tmp`)} (HEADER, DELIMITER ',')`);
await rename(`${out}.tmp`, out);
