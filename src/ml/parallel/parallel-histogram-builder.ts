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
import { type HistogramBuilder, SerialHistogramBuilder } from '../tree/histogram.js';
import {
  MAX_WASM_HISTOGRAM_BYTES,
  WasmHistogramBuilder,
  wasmHistogramBytes,
} from '../tree/histogram-wasm.js';
import {
  CMD,
  CMD_BUILD,
  CMD_DETACH,
  CONTROL_SLOTS,
  COUNT,
  COUNT_STEP,
  DONE,
  ERROR,
  GEN,
  GROUP_FEATURES,
  HIST_AT,
  N_FEATURES,
  NEXT_GROUP,
  ROWS_AT,
  SPIN_POLLS,
  WAIT_SLICE_MS,
} from './histogram-worker.js';
import { acquireWorkers, releaseWorkers } from './worker-pool.js';

/**
 * A histogram builder for `nThreads` threads, on the WebAssembly kernels when their memory can
 * hold the data and `histogramsPerTree` histograms (the most a tree holds at once): with the worker
 * pool's threads when more than one thread is asked for and the pool is free, on the calling thread
 * otherwise. Past that size, or when the memory cannot be had, the JavaScript builder on the
 * calling thread. All give bit-identical histograms.
 */
export function createHistogramBuilder(
  bins: Uint8Array,
  nRows: number,
  binOffsets: Int32Array,
  nThreads: number,
  histogramsPerTree: number,
): HistogramBuilder {
  const totalBins = binOffsets[binOffsets.length - 1];
  if (wasmHistogramBytes(bins.length, nRows, totalBins, histogramsPerTree) > MAX_WASM_HISTOGRAM_BYTES)
    return new SerialHistogramBuilder(bins, nRows, binOffsets);
  const workers = nThreads > 1 ? acquireWorkers(nThreads - 1) : undefined;
  const threads = workers && new HistogramThreads(workers);
  try {
    return new WasmHistogramBuilder(bins, nRows, binOffsets, histogramsPerTree, threads);
  } catch (error) {
    // A process that cannot reserve the memory (a RangeError) still fits, more slowly.
    threads?.close();
    if (error instanceof RangeError) return new SerialHistogramBuilder(bins, nRows, binOffsets);
    throw error;
  }
}

/** One node's job: what each thread needs to fill its groups of the node's features. */
export interface HistogramJob {
  /** Byte address of the node's first row index, and its row count. */
  readonly rowsAt: number;
  readonly count: number;
  /** Byte address of the histogram to fill. */
  readonly histAt: number;
  readonly nFeatures: number;
  readonly countStep: number;
}

/**
 * The pooled worker threads of one builder and the control block they take jobs from. On attach,
 * each worker gets `attach` with the control block added: the builder's shared memory, kernel
 * module and constant layout, from which its program (histogram-worker.ts) instantiates the kernels.
 */
export class HistogramThreads {
  private readonly control = new Int32Array(new SharedArrayBuffer(4 * CONTROL_SLOTS));
  private closed = false;

  constructor(private readonly workers: readonly Worker[]) {}

  attach(message: Record<string, unknown>): void {
    for (const w of this.workers) w.postMessage({ ...message, control: this.control.buffer });
  }

  /**
   * Runs `job` on every thread: publishes it, fills groups of features on this thread with
   * `ownGroup(first, end)` while the workers take theirs, then waits for them.
   */
  run(job: HistogramJob, ownGroup: (first: number, end: number) => void): void {
    const c = this.control;
    const nf = job.nFeatures;
    c[ROWS_AT] = job.rowsAt;
    c[COUNT] = job.count;
    c[HIST_AT] = job.histAt;
    c[N_FEATURES] = nf;
    c[COUNT_STEP] = job.countStep;
    c[CMD] = CMD_BUILD;
    Atomics.store(c, NEXT_GROUP, 0);
    Atomics.store(c, DONE, 0);
    Atomics.add(c, GEN, 1);
    Atomics.notify(c, GEN);
    for (;;) {
      const first = Atomics.add(c, NEXT_GROUP, 1) * GROUP_FEATURES;
      if (first >= nf) break;
      ownGroup(first, Math.min(nf, first + GROUP_FEATURES));
    }
    for (let spins = 0; ; spins++) {
      const done = Atomics.load(c, DONE);
      if (done === this.workers.length) break;
      if (spins > SPIN_POLLS) Atomics.wait(c, DONE, done, WAIT_SLICE_MS);
    }
    if (c[ERROR] !== 0) throw new SalescastError('INTERNAL', 'A histogram worker thread failed.');
  }

  /** Sends the workers back to the pool; the threads cannot be used afterwards. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.control[CMD] = CMD_DETACH;
    Atomics.add(this.control, GEN, 1);
    Atomics.notify(this.control, GEN);
    releaseWorkers();
  }
}
