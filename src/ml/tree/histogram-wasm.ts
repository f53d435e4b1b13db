/**
 * The histogram builder on the WebAssembly kernels (wasm-kernels.ts). Its memory holds a copy of
 * the bins, the row indices the grower partitions, the node's gradients and the histograms it hands
 * the grower's pool, which it fills, subtracts and scans in place. Histograms are bit-identical to
 * the JavaScript builder's, so forecasts do not depend on which builder ran.
 */

import type { HistogramThreads } from '../parallel/parallel-histogram-builder.js';
import {
  countStepOf,
  forEachFeatureRun,
  gatherGradients,
  HISTOGRAM_CELL,
  type HistogramBuilder,
  subtractHistogram,
} from './histogram.js';
import { type PlainNumericScan, recordSplit } from './splitter.js';
import { accumulateNode, CELL_BYTES, type HistogramKernel, histogramKernelModule } from './wasm-kernels.js';

const PAGE_BYTES = 65_536;
/**
 * The most memory a builder takes (bins, rows, gradients, histograms): addresses must fit the
 * threads' Int32 control slots. Past it, the JavaScript builder.
 */
export const MAX_WASM_HISTOGRAM_BYTES = 2 ** 31 - 1;
/** Below this many (row, feature) cells a node is built on the calling thread alone. */
const MIN_PARALLEL_WORK = 1 << 16;

const compiled: { unshared?: WebAssembly.Module; shared?: WebAssembly.Module } = {};

function kernelModule(shared: boolean): WebAssembly.Module {
  const key = shared ? 'shared' : 'unshared';
  compiled[key] ??= histogramKernelModule(shared);
  return compiled[key];
}

const align16 = (n: number): number => Math.ceil(n / 16) * 16;
/** Histogram memory a builder sets aside for the grower's pool; past it, the pool gets plain arrays. */
const ARENA_BYTES = 256 * 2 ** 20;

/**
 * Where a builder keeps what in its memory: the bins, the row indices, the node's gradient pairs,
 * a scratch histogram, the split scan's result, the partition's bin-to-side table and scratch rows,
 * the out-of-bag row indices, and `arenaHistograms` histograms for the grower, each on 16 bytes.
 */
function layout(binsLength: number, nRows: number, totalBins: number, histogramsPerTree: number) {
  const histogramBytes = CELL_BYTES * totalBins;
  const arenaHistograms = Math.max(1, Math.min(histogramsPerTree, Math.floor(ARENA_BYTES / histogramBytes)));
  const rowsAt = align16(binsLength);
  const ghAt = align16(rowsAt + 4 * nRows);
  const scratchAt = align16(ghAt + 16 * nRows);
  const resultAt = align16(scratchAt + histogramBytes);
  const sideAt = resultAt + 48;
  const partitionAt = sideAt + 256;
  const oobAt = align16(partitionAt + 4 * nRows);
  const arenaAt = align16(oobAt + 4 * nRows);
  const stride = align16(histogramBytes);
  return {
    rowsAt,
    ghAt,
    scratchAt,
    resultAt,
    sideAt,
    partitionAt,
    oobAt,
    arenaAt,
    stride,
    arenaHistograms,
    bytes: arenaAt + stride * arenaHistograms,
  };
}

/** Bytes of WebAssembly memory a builder needs (`createHistogramBuilder` checks them against the maximum). */
export function wasmHistogramBytes(
  binsLength: number,
  nRows: number,
  totalBins: number,
  histogramsPerTree: number,
): number {
  return layout(binsLength, nRows, totalBins, histogramsPerTree).bytes;
}

/**
 * The builder on the WebAssembly kernels, on the calling thread alone or with `threads`. Its memory
 * (shared with the threads) holds a copy of the bins, the row indices the grower partitions
 * (`rows` and `oobRows` are views of it), the node's gradients and the histograms it hands the
 * grower's pool, which it fills, subtracts and scans in place. A buffer from elsewhere (past the
 * arena) is filled through a scratch histogram and subtracted and scanned in JavaScript.
 */
export class WasmHistogramBuilder implements HistogramBuilder {
  readonly rows: Int32Array;
  readonly oobRows: Int32Array;
  private readonly memory: WebAssembly.Memory;
  /**
   * The memory's buffer, read once: the memory never grows, so it stays the same, while the
   * `WebAssembly.Memory.buffer` getter is a call into the engine, and every build, subtraction and
   * feature scan asks which buffer a histogram is in.
   */
  private readonly buffer: ArrayBuffer | SharedArrayBuffer;
  private readonly gh: Float64Array;
  private readonly scratch: Float64Array;
  private readonly scanResult: Float64Array;
  private readonly side: Uint8Array;
  private readonly kernel: HistogramKernel;
  private readonly place: ReturnType<typeof layout>;
  private readonly totalBins: number;
  /** The current features, in shared memory for the threads; `features` is its used part. */
  private readonly featureList: Int32Array;
  private features: Int32Array;
  private allocated = 0;
  private unitHessian = false;

  constructor(
    bins: Uint8Array,
    private readonly nRows: number,
    private readonly binOffsets: Int32Array,
    histogramsPerTree: number,
    private readonly threads?: HistogramThreads,
  ) {
    this.totalBins = binOffsets[binOffsets.length - 1];
    this.place = layout(bins.length, nRows, this.totalBins, histogramsPerTree);
    const pages = Math.max(1, Math.ceil(this.place.bytes / PAGE_BYTES));
    const shared = threads !== undefined;
    this.memory = new WebAssembly.Memory(
      shared ? { initial: pages, maximum: pages, shared } : { initial: pages },
    );
    const module = kernelModule(shared);
    this.kernel = new WebAssembly.Instance(module, { env: { mem: this.memory } })
      .exports as unknown as HistogramKernel;
    const buffer = this.memory.buffer;
    this.buffer = buffer;
    new Uint8Array(buffer, 0, bins.length).set(bins);
    this.rows = new Int32Array(buffer, this.place.rowsAt, nRows);
    this.oobRows = new Int32Array(buffer, this.place.oobAt, nRows);
    this.gh = new Float64Array(buffer, this.place.ghAt, 2 * nRows);
    this.scratch = new Float64Array(buffer, this.place.scratchAt, HISTOGRAM_CELL * this.totalBins);
    this.scanResult = new Float64Array(buffer, this.place.resultAt, 5);
    this.side = new Uint8Array(buffer, this.place.sideAt, 256);
    this.featureList = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, binOffsets.length - 1)));
    this.features = this.featureList.subarray(0, 0);
    threads?.attach({
      memory: this.memory,
      module,
      features: this.featureList,
      binOffsets,
      nRows,
      ghAt: this.place.ghAt,
    });
  }

  setFeatures(features: Int32Array): void {
    this.featureList.set(features);
    this.features = this.featureList.subarray(0, features.length);
  }

  setUnitHessian(unit: boolean): void {
    this.unitHessian = unit;
  }

  allocateHistogram(): Float64Array {
    if (this.allocated === this.place.arenaHistograms)
      return new Float64Array(HISTOGRAM_CELL * this.totalBins);
    const at = this.place.arenaAt + this.place.stride * this.allocated++;
    return new Float64Array(this.buffer, at, HISTOGRAM_CELL * this.totalBins);
  }

  private owns(histogram: Float64Array): boolean {
    return histogram.buffer === this.buffer;
  }

  build(
    begin: number,
    count: number,
    allRows: boolean,
    grad: Float64Array,
    hess: Float64Array,
    out: Float64Array,
  ): void {
    // The kernels read the node's rows from `rows`, also for a node of all rows.
    if (allRows) for (let i = 0; i < count; i++) this.rows[i] = i;
    gatherGradients(this.rows, begin, count, allRows, grad, hess, this.gh);
    const { features, binOffsets, nRows, kernel, threads } = this;
    const target = this.owns(out) ? out : this.scratch;
    const nFeatures = features.length;
    const countStep = countStepOf(this.unitHessian, count, features, 0, nFeatures, binOffsets);
    const at = target.byteOffset;
    forEachFeatureRun(this.features, this.binOffsets, (lo, hi) => target.fill(0, lo, hi));
    const job = {
      rowsAt: this.place.rowsAt + 4 * begin,
      count,
      histAt: at,
      nFeatures,
      countStep,
    };
    const fill = (first: number, end: number) =>
      accumulateNode(
        kernel,
        features,
        first,
        end,
        nRows,
        binOffsets,
        job.rowsAt,
        this.place.ghAt,
        count,
        job.histAt,
        countStep,
      );
    // A small node costs less than waking the threads; the sums are the same either way.
    if (threads && count * nFeatures >= MIN_PARALLEL_WORK) threads.run(job, fill);
    else fill(0, nFeatures);
    forEachFeatureRun(this.features, this.binOffsets, (lo, hi) => {
      if (countStep === 0) kernel.copyCounts(at + 8 * lo, 8 * (hi - lo));
      if (target !== out) out.set(target.subarray(lo, hi), lo);
    });
  }

  subtract(parent: Float64Array, child: Float64Array): void {
    if (!this.owns(parent) || !this.owns(child)) {
      subtractHistogram(parent, child, this.features, this.binOffsets);
      return;
    }
    forEachFeatureRun(this.features, this.binOffsets, (lo, hi) =>
      this.kernel.subtract(parent.byteOffset + lo * 8, child.byteOffset + lo * 8, (hi - lo) * 8),
    );
  }

  readonly scanPlainNumeric: PlainNumericScan = (hist, offset, f, missingBin, node, parentGain, p, best) => {
    if (!this.owns(hist)) return false;
    const at = hist.byteOffset + offset * CELL_BYTES;
    const found = this.kernel.scan(
      at,
      (missingBin - 1) * CELL_BYTES,
      at + missingBin * CELL_BYTES,
      node.sumGrad,
      node.sumHess,
      node.count,
      parentGain,
      p.minDataInLeaf,
      p.minSumHessianInLeaf,
      p.lambdaL2,
      p.minGain,
      best.gain,
      this.place.resultAt,
    );
    if (found < 0) return true;
    const [gain, LG, LH, LC, missingLeft] = this.scanResult;
    // The outputs as `consider` computes them on the plain path.
    const hl = LH + p.lambdaL2;
    const hr = node.sumHess - LH + p.lambdaL2;
    recordSplit(best, node, f, gain, LG, LH, LC, -LG / hl, -(node.sumGrad - LG) / hr);
    best.categorical = false;
    best.thresholdBin = found / CELL_BYTES;
    const missingRows = hist[(offset + missingBin) * HISTOGRAM_CELL + 2];
    best.defaultLeft = missingRows > 0 ? missingLeft === 1 : LC >= node.count - LC;
    return true;
  };

  partitionRows(
    rows: Int32Array,
    begin: number,
    count: number,
    column: number,
    sideOfBin: Uint8Array,
  ): number {
    this.side.set(sideOfBin);
    const { sideAt, partitionAt } = this.place;
    return this.kernel.partition(rows.byteOffset + 4 * begin, count, column, sideAt, partitionAt);
  }

  close(): void {
    this.threads?.close();
  }
}
