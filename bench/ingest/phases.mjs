// Per-phase timing of `salescast ingest` on the built code (run `npx tsc -p tsconfig.build.json`):
//   node bench/ingest/phases.mjs SOURCES_DIR OUT_DIR
// Prints one line per progress step: wall seconds and process CPU seconds (user + sys, all
// threads, DuckDB's included) spent in it, then the totals and peak RSS.
import { performance } from 'node:perf_hooks';
import { ingestSources } from '../../dist/data/ingest/index.js';

const [sources, out] = process.argv.slice(2);
// The order in which ingestSources loads and validates the sources (VALIDATION_ORDER in
// src/data/ingest/index.ts); the labels apply when all eight are present, as in the demo.
const ORDER = ['stores', 'products', 'sales', 'calendar', 'prices', 'promotions', 'weather', 'inventory'];
const LABELS = [
  ...ORDER.flatMap((s) => [`${s}: read + hash`, `${s}: validate`]),
  'panel: grid, drivers, join, sort, Parquet',
  'report.json',
];
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const t0 = { wall: performance.now() / 1000, cpu: cpu() };
let last = { ...t0 };
const rows = [];
const { report } = await ingestSources({
  sources,
  out,
  onProgress: (done, total) => {
    const now = { wall: performance.now() / 1000, cpu: cpu() };
    rows.push([
      total === LABELS.length ? LABELS[done - 1] : `step ${done}/${total}`,
      now.wall - last.wall,
      now.cpu - last.cpu,
    ]);
    last = now;
  },
});
const pad = (x) => x.toFixed(2).padStart(6);
for (const [label, wall, c] of rows) console.log(`${label.padEnd(44)} wall ${pad(wall)} s  cpu ${pad(c)} s`);
console.log(`${'total'.padEnd(44)} wall ${pad(last.wall - t0.wall)} s  cpu ${pad(last.cpu - t0.cpu)} s`);
console.log(
  `peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB; sales rows ${report.sources.sales.rows_read}; panel rows ${report.panel.rows}; manifest_hash ${report.manifest.manifest_hash}`,
);
