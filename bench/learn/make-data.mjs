#!/usr/bin/env node
// Deterministic synthetic regression data for the learning-engine benchmark, written once and
// read by every engine, so that all of them train on exactly the same numbers.
//
//   node bench/learn/make-data.mjs OUT_DIR [TRAIN_ROWS] [COLS] [TEST_ROWS] [SEED]
//
// Columns f0..f{COLS-1} and the target y:
//   f0..f4  uniform [0, 1): the Friedman #1 signal 10 sin(π f0 f1) + 20 (f2 − 0.5)² + 10 f3 + 5 f4
//   f5      integer 0..6 (a day-of-week-like code) adding [0, 1.5, 1, 0.5, 0, -1, -2] to y
//   f6      integer 0..49 (a store-like code), pure noise
//   f7..    uniform [0, 1) noise
//   f4 is missing (NaN) in 2% of rows; y adds N(0, 1) noise, so the best achievable RMSE is ≈ 1.
// Values are rounded to 6 decimals so that the CSV text and the binary copy hold the same doubles.
//
// Writes train.csv / test.csv (header, empty field = missing) for salescast, and train.f64 /
// test.f64 (row-major float64, little-endian, y last) plus meta.json for the Python engines.
// Uses salescast's own seeded generator from dist/ (run `npx tsc -p tsconfig.build.json` first).
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { createRng } from '../../dist/core/rng.js';

const [outDir, trainArg = '1000000', colsArg = '40', testArg, seedArg = '42'] = process.argv.slice(2);
if (!outDir) {
  console.error('usage: make-data.mjs OUT_DIR [TRAIN_ROWS] [COLS] [TEST_ROWS] [SEED]');
  process.exit(2);
}
const nTrain = Number(trainArg);
const nCols = Number(colsArg);
const nTest = testArg === undefined ? Math.round(nTrain / 5) : Number(testArg);
const seed = Number(seedArg);
if (![nTrain, nCols, nTest, seed].every(Number.isInteger) || nTrain < 1 || nTest < 1 || nCols < 7) {
  console.error('TRAIN_ROWS and TEST_ROWS must be positive integers and COLS an integer ≥ 7');
  process.exit(2);
}

const DOW_EFFECT = [0, 1.5, 1, 0.5, 0, -1, -2];
const MISSING_RATE = 0.02;
const round6 = (v) => Math.round(v * 1e6) / 1e6;

mkdirSync(outDir, { recursive: true });
const rng = createRng(seed);
// Train and test come from independent streams, so the test set does not depend on TRAIN_ROWS.
const streams = { train: rng.fork(), test: rng.fork() };

for (const [name, nRows] of [
  ['train', nTrain],
  ['test', nTest],
]) {
  const r = streams[name];
  const csv = openSync(join(outDir, `${name}.csv`), 'w');
  const bin = openSync(join(outDir, `${name}.f64`), 'w');
  const header = [...Array.from({ length: nCols }, (_, j) => `f${j}`), 'y'].join(',');
  writeSync(csv, `${header}\n`);
  // Write in blocks: one write per block keeps the 1M-row file fast without holding it in memory.
  const blockRows = 10_000;
  const row = new Float64Array(nCols + 1);
  for (let start = 0; start < nRows; start += blockRows) {
    const size = Math.min(blockRows, nRows - start);
    const block = new Float64Array(size * (nCols + 1));
    const lines = new Array(size);
    for (let k = 0; k < size; k++) {
      for (let j = 0; j < nCols; j++) row[j] = round6(r.next());
      row[5] = r.int(7);
      row[6] = r.int(50);
      const signal =
        10 * Math.sin(Math.PI * row[0] * row[1]) +
        20 * (row[2] - 0.5) ** 2 +
        10 * row[3] +
        5 * row[4] +
        DOW_EFFECT[row[5]];
      row[nCols] = round6(signal + r.normal());
      if (r.next() < MISSING_RATE) row[4] = Number.NaN;
      block.set(row, k * (nCols + 1));
      lines[k] = Array.from(row, (v) => (Number.isNaN(v) ? '' : String(v))).join(',');
    }
    writeSync(csv, `${lines.join('\n')}\n`);
    writeSync(bin, new Uint8Array(block.buffer));
  }
  closeSync(csv);
  closeSync(bin);
}
writeFileSync(
  join(outDir, 'meta.json'),
  `${JSON.stringify({ nTrain, nTest, nCols, seed, target: 'y', missingColumn: 'f4', integerColumns: ['f5', 'f6'] })}\n`,
);
