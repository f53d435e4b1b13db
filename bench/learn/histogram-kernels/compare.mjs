// Times the learning engine's histogram builders, as built in dist/: the JavaScript one
// (SerialHistogramBuilder) against the WebAssembly one (WasmHistogramBuilder, one thread), on random
// 8-bit bins in the engine's column-major layout, gradients and hessians, nodes holding every row,
// 30%, 5% and 0.5% of them. Prints one JSON line per node size with nanoseconds per row and
// feature for each, and checks that both give the same sums (they add in the same order, so they
// must agree to the bit).
//   node compare.mjs ROWS FEATURES   (run.sh passes them)
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [rowsArg, featuresArg] = process.argv.slice(2);
const N = Number(rowsArg);
const F = Number(featuresArg);
if (!(N > 0 && F > 0)) throw new Error('ROWS > 0 and FEATURES > 0, please');
const BINS = 256;
const dist = join(resolve(import.meta.dirname, '../../..'), 'dist/ml/tree');
const { SerialHistogramBuilder } = await import(pathToFileURL(join(dist, 'histogram.js')).href);
const { WasmHistogramBuilder } = await import(pathToFileURL(join(dist, 'histogram-wasm.js')).href);

let seed = 42;
const random = () => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 4294967296;
};
const bins = new Uint8Array(N * F);
for (let i = 0; i < bins.length; i++) bins[i] = (random() * 255) | 0;
const grad = Float64Array.from({ length: N }, () => random() - 0.5);
const hess = Float64Array.from({ length: N }, () => 0.5 + random());
const features = Int32Array.from({ length: F }, (_, f) => f);
const binOffsets = Int32Array.from({ length: F + 1 }, (_, f) => f * BINS);

const javascript = new SerialHistogramBuilder(bins, N, binOffsets);
const webAssembly = new WasmHistogramBuilder(bins, N, binOffsets, 1);
const jsOut = javascript.allocateHistogram();
const wasmOut = webAssembly.allocateHistogram();
for (const b of [javascript, webAssembly]) b.setFeatures(features);

const nsPerRowFeature = (count, build) => {
  const reps = Math.max(3, Math.round((3 * N) / count));
  const t0 = process.hrtime.bigint();
  for (let k = 0; k < reps; k++) build();
  return Number((Number(process.hrtime.bigint() - t0) / reps / (count * F)).toFixed(2));
};

for (const share of [1, 0.3, 0.05, 0.005]) {
  const picked = [];
  for (let r = 0; r < N; r++) if (random() < share) picked.push(r);
  for (const b of [javascript, webAssembly]) b.rows.set(picked);
  const count = picked.length;
  const js = () => javascript.build(0, count, false, grad, hess, jsOut);
  const wasm = () => webAssembly.build(0, count, false, grad, hess, wasmOut);
  js();
  wasm();
  for (let i = 0; i < jsOut.length; i++) {
    if (!Object.is(jsOut[i], wasmOut[i])) throw new Error(`the builders disagree at histogram cell ${i}`);
  }
  const timings = { javascript: [], webassembly: [] };
  for (let round = 0; round < 3; round++) {
    timings.javascript.push(nsPerRowFeature(count, js));
    timings.webassembly.push(nsPerRowFeature(count, wasm));
  }
  console.log(JSON.stringify({ rows: N, features: F, node_rows: count, ns_per_row_feature: timings }));
}
