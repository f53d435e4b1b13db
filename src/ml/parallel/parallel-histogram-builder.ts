/**
 * Histogram building on several threads. The features are shared out in groups that the threads
 * take from a shared counter, so each feature's histogram is summed by one thread in row order and
 * the result is bit-identical for any thread count.
 *
 * `fit` is synchronous, so the threads are driven through shared memory rather than messages: the
 * main thread publishes a job in a control block (SharedArrayBuffer), wakes the workers with
 * `Atomics.notify`, builds its own share, then sleeps in `Atomics.wait` until all have finished.
 * A wake-up costs tens of microseconds where a message round trip through the event loop would cost
 * far more, and it works while the main thread is blocked inside `fit`.
 */
import type { Worker } from 'node:worker_threads';
import { SalescastError } from '../../core/errors.js';
import {
  accumulateHistograms,
  gatherGradients,
  type HistogramBuilder,
  SerialHistogramBuilder,
  subtractHistogram,
} from '../tree/histogram.js';
import {
  MAX_WASM_HISTOGRAM_BYTES,
  WasmHistogramBuilder,
  wasmHistogramBytes,
} from '../tree/histogram-wasm.js';
import {
  ALL_ROWS,
  BEGIN,
  CMD,
  CMD_BUILD,
  CMD_DETACH,
  CONTROL_SLOTS,
  COUNT,
  DONE,
  ERROR,
  GEN,
  GROUP_FEATURES,
  N_FEATURES,
  NEXT_GROUP,
  SPIN_POLLS,
  UNIT_HESSIAN,
  WAIT_SLICE_MS,
} from './histogram-worker.js';
import { acquireWorkers, releaseWorkers } from './worker-pool.js';

/**
 * A histogram builder for `nThreads` threads: parallel when more than one thread is asked for and
 * the worker pool is free, serial otherwise (on the WebAssembly kernels when their memory can hold
 * the data and `histogramsPerTree`, the most histograms a tree holds at once). All give
 * bit-identical histograms.
 */
export function createHistogramBuilder(
  bins: Uint8Array,
  nRows: number,
  binOffsets: Int32Array,
  nThreads: number,
  histogramsPerTree: number,
): HistogramBuilder {
  const workers = nThreads > 1 ? acquireWorkers(nThreads - 1) : undefined;
  if (workers === undefined) {
    const totalBins = binOffsets[binOffsets.length - 1];
    return wasmHistogramBytes(bins.length, nRows, totalBins, histogramsPerTree) <= MAX_WASM_HISTOGRAM_BYTES
      ? new WasmHistogramBuilder(bins, nRows, binOffsets, histogramsPerTree)
      : new SerialHistogramBuilder(bins, nRows, binOffsets);
  }
  return new ParallelHistogramBuilder(bins, nRows, binOffsets, workers);
}

/** Below this many (row, feature) cells a node is built on the calling thread alone. */
const MIN_PARALLEL_WORK = 1 << 16;

/** Builds histograms on the calling thread plus the given pooled workers. */
class ParallelHistogramBuilder implements HistogramBuilder {
  readonly rows: Int32Array;
  private readonly gh: Float64Array;
  private readonly features: Int32Array;
  private readonly hist: Float64Array;
  private readonly control: Int32Array;
  private readonly nThreads: number;
  private nFeatures = 0;
  private closed = false;

  /** `bins` must live in a SharedArrayBuffer (see `binMatrix(…, true)`). */
  constructor(
    private readonly bins: Uint8Array,
    private readonly nRows: number,
    private readonly binOffsets: Int32Array,
    workers: readonly Worker[],
  ) {
    this.nThreads = workers.length + 1;
    const nCols = binOffsets.length - 1;
    this.rows = new Int32Array(new SharedArrayBuffer(4 * nRows));
    this.gh = new Float64Array(new SharedArrayBuffer(16 * nRows));
    this.features = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, nCols)));
    this.hist = new Float64Array(new SharedArrayBuffer(24 * binOffsets[nCols]));
    this.control = new Int32Array(new SharedArrayBuffer(4 * CONTROL_SLOTS));
    workers.forEach((w) => {
      w.postMessage({
        control: this.control.buffer,
        bins,
        nRows,
        rows: this.rows,
        gh: this.gh,
        features: this.features,
        binOffsets,
        hist: this.hist,
      });
    });
  }

  setFeatures(features: Int32Array): void {
    this.features.set(features);
    this.nFeatures = features.length;
  }

  setUnitHessian(unit: boolean): void {
    this.control[UNIT_HESSIAN] = unit ? 1 : 0;
  }

  allocateHistogram(): Float64Array {
    return new Float64Array(this.hist.length);
  }

  subtract(parent: Float64Array, child: Float64Array): void {
    subtractHistogram(parent, child, this.features.subarray(0, this.nFeatures), this.binOffsets);
  }

  build(
    begin: number,
    count: number,
    allRows: boolean,
    grad: Float64Array,
    hess: Float64Array,
    out: Float64Array,
  ): void {
    const c = this.control;
    const T = this.nThreads;
    const nf = this.nFeatures;
    const f = this.features;
    gatherGradients(this.rows, begin, count, allRows, grad, hess, this.gh);
    if (count * nf < MIN_PARALLEL_WORK) {
      // A small node costs less than waking the workers; the sums are the same either way.
      this.accumulate(begin, count, allRows, 0, nf, out);
      return;
    }
    c[BEGIN] = begin;
    c[COUNT] = count;
    c[ALL_ROWS] = allRows ? 1 : 0;
    c[N_FEATURES] = this.nFeatures;
    c[CMD] = CMD_BUILD;
    Atomics.store(c, NEXT_GROUP, 0);
    Atomics.store(c, DONE, 0);
    Atomics.add(c, GEN, 1);
    Atomics.notify(c, GEN);
    for (;;) {
      const first = Atomics.add(c, NEXT_GROUP, 1) * GROUP_FEATURES;
      if (first >= nf) break;
      this.accumulate(begin, count, allRows, first, Math.min(nf, first + GROUP_FEATURES), this.hist);
    }
    for (let spins = 0; ; spins++) {
      const done = Atomics.load(c, DONE);
      if (done === T - 1) break;
      if (spins > SPIN_POLLS) Atomics.wait(c, DONE, done, WAIT_SLICE_MS);
    }
    if (c[ERROR] !== 0) throw new SalescastError('INTERNAL', 'A histogram worker thread failed.');
    // Only the listed features' ranges were written; copy exactly those.
    for (let k = 0; k < nf; k++) {
      const lo = this.binOffsets[f[k]] * 3;
      const hi = this.binOffsets[f[k] + 1] * 3;
      out.set(this.hist.subarray(lo, hi), lo);
    }
  }

  /** Runs the kernel on this thread over the node's features `[fBegin, fEnd)`, into `out`. */
  private accumulate(
    begin: number,
    count: number,
    allRows: boolean,
    fBegin: number,
    fEnd: number,
    out: Float64Array,
  ): void {
    accumulateHistograms(
      this.bins,
      this.nRows,
      this.rows,
      begin,
      count,
      allRows ? 1 : 0,
      this.control[UNIT_HESSIAN],
      this.gh,
      this.features,
      fBegin,
      fEnd,
      this.binOffsets,
      out,
    );
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.control[CMD] = CMD_DETACH;
    Atomics.add(this.control, GEN, 1);
    Atomics.notify(this.control, GEN);
    releaseWorkers();
  }
}
