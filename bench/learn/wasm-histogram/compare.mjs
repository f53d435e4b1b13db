// Times the learning engine's histogram kernel (dist/ml/tree/histogram.js, as built) against
// kernel.wat on the same data: random 8-bit bins in column-major order (the engine's layout),
// gradients and hessians in node order, nodes holding every row, 30%, 5% and 0.5% of them.
// Prints one JSON line per node size with nanoseconds per row and feature for each, and checks
// that both give the same sums (both add in row order, so they must agree to the bit).
//   node compare.mjs KERNEL.wat WABT_DIR ROWS FEATURES   (run.sh passes them)
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [watPath, wabtDir, rowsArg, featuresArg] = process.argv.slice(2);
const N = Number(rowsArg);
const F = Number(featuresArg);
if (!(N > 0 && F > 0 && F % 4 === 0)) throw new Error('ROWS > 0 and FEATURES a multiple of 4, please');
const BINS = 256;
const root = resolve(import.meta.dirname, '../../..');
const { accumulateHistograms } = await import(pathToFileURL(join(root, 'dist/ml/tree/histogram.js')).href);
const wabt = await createRequire(join(wabtDir, 'package.json'))('wabt')();
const { buffer } = wabt.parseWat('kernel.wat', readFileSync(watPath, 'utf8')).toBinary({});
const { instance } = await WebAssembly.instantiate(buffer);
const { mem, accum4 } = instance.exports;

// WebAssembly memory: bins, then rows, gradients (16-byte aligned) and histograms.
const binsAt = 0;
const rowsAt = N * F;
const ghAt = Math.ceil((rowsAt + 4 * N) / 16) * 16;
const histAt = ghAt + 16 * N;
if (histAt + F * BINS * 24 > mem.buffer.byteLength) mem.grow(Math.ceil((histAt + F * BINS * 24) / 65536));
const wasmBins = new Uint8Array(mem.buffer, binsAt, N * F);
const wasmRows = new Int32Array(mem.buffer, rowsAt, N);
const wasmGh = new Float64Array(mem.buffer, ghAt, 2 * N);
const wasmHist = new Float64Array(mem.buffer, histAt, F * BINS * 3);

let seed = 42;
const random = () => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 4294967296;
};
const bins = new Uint8Array(N * F);
for (let i = 0; i < bins.length; i++) bins[i] = (random() * 255) | 0;
wasmBins.set(bins);
const gh = new Float64Array(2 * N);
for (let i = 0; i < gh.length; i++) gh[i] = random() - 0.5;
wasmGh.set(gh);
const features = Int32Array.from({ length: F }, (_, f) => f);
const binOffsets = Int32Array.from({ length: F + 1 }, (_, f) => f * BINS);
const hist = new Float64Array(F * BINS * 3);

const engine = (rows, count) =>
  accumulateHistograms(bins, N, rows, 0, count, 0, 0, gh, features, 0, F, binOffsets, hist);
const webAssembly = (count) => {
  wasmHist.fill(0);
  for (let f = 0; f < F; f += 4) {
    accum4(
      rowsAt,
      ghAt,
      count,
      binsAt + f * N,
      binsAt + (f + 1) * N,
      binsAt + (f + 2) * N,
      binsAt + (f + 3) * N,
      histAt + f * BINS * 24,
      histAt + (f + 1) * BINS * 24,
      histAt + (f + 2) * BINS * 24,
      histAt + (f + 3) * BINS * 24,
    );
  }
};
const nsPerRowFeature = (count, run) => {
  const reps = Math.max(3, Math.round((3 * N) / count));
  const t0 = process.hrtime.bigint();
  for (let k = 0; k < reps; k++) run();
  return Number((Number(process.hrtime.bigint() - t0) / reps / (count * F)).toFixed(2));
};

for (const share of [1, 0.3, 0.05, 0.005]) {
  const picked = [];
  for (let r = 0; r < N; r++) if (random() < share) picked.push(r);
  const rows = Int32Array.from(picked);
  wasmRows.set(rows);
  engine(rows, rows.length);
  webAssembly(rows.length);
  for (let i = 0; i < hist.length; i++) {
    if (hist[i] !== wasmHist[i]) throw new Error(`the kernels disagree at histogram cell ${i}`);
  }
  const timings = { javascript: [], webassembly: [] };
  for (let round = 0; round < 3; round++) {
    timings.javascript.push(nsPerRowFeature(rows.length, () => engine(rows, rows.length)));
    timings.webassembly.push(nsPerRowFeature(rows.length, () => webAssembly(rows.length)));
  }
  console.log(JSON.stringify({ rows: N, features: F, node_rows: rows.length, ns_per_row_feature: timings }));
}
