/**
 * The program a histogram worker thread runs, and the layout of the control block through which
 * the main thread hands it jobs (see HistogramThreads).
 */
import { accumulateNode } from '../tree/wasm-kernels.js';

// Control block slots (Int32).
export const GEN = 0;
export const CMD = 1;
/** The node's rows: byte address of the first in the shared memory, and how many. */
export const ROWS_AT = 2;
export const COUNT = 3;
/** Byte address of the histogram to fill. */
export const HIST_AT = 4;
export const N_FEATURES = 5;
export const DONE = 6;
export const ERROR = 7;
/** 1 to count rows in each cell, 0 to leave the counts (taken from unit hessians afterwards). */
export const COUNT_STEP = 8;
/** Next group of features to take: threads share a job's feature groups first come, first served. */
export const NEXT_GROUP = 9;
export const CONTROL_SLOTS = 10;

/**
 * Features per unit of work. Taking groups from a shared counter balances the threads when one
 * runs slower (a busy machine), and a feature is still summed whole by one thread, in row order.
 */
export const GROUP_FEATURES = 4;

export const CMD_BUILD = 1;
export const CMD_DETACH = 2;

/**
 * Waits are bounded and re-check the control word: under load, Node 20 was seen to lose an
 * `Atomics.notify` to a thread blocked without a timeout, which hung the fit. A lost wake-up now
 * costs at most this long.
 */
export const WAIT_SLICE_MS = 20;

/**
 * Polls of the control word before a thread blocks. Jobs follow each other within tens of
 * microseconds while a tree grows, and a blocked thread can take milliseconds to be scheduled again
 * on a busy machine, so waiters spin that long first.
 */
export const SPIN_POLLS = 1 << 14;

/**
 * The worker's program. It runs the WebAssembly kernels on the builder's shared memory; the loop
 * over a group of features arrives as source text, so the worker runs exactly the code the main
 * thread runs, from the TypeScript sources under test as well as from the compiled build.
 */
export const WORKER_SOURCE = `'use strict';
const { parentPort } = require('node:worker_threads');
const accumulateNode = ${accumulateNode.toString()};
parentPort.on('message', (job) => {
  const ctrl = new Int32Array(job.control);
  // Kernels that cannot be instantiated fail every job (the main thread reports it) instead of
  // leaving it waiting for a thread that is gone.
  let kernel;
  try {
    kernel = new WebAssembly.Instance(job.module, { env: { mem: job.memory } }).exports;
  } catch (e) {
    kernel = undefined;
  }
  let gen = 0;
  let spins = 0;
  for (;;) {
    if (Atomics.load(ctrl, ${GEN}) === gen) {
      if (++spins > ${SPIN_POLLS}) Atomics.wait(ctrl, ${GEN}, gen, ${WAIT_SLICE_MS});
      continue;
    }
    spins = 0;
    gen = Atomics.load(ctrl, ${GEN});
    if (ctrl[${CMD}] === ${CMD_DETACH}) return;
    try {
      if (kernel === undefined) throw new Error('no kernels');
      const nf = ctrl[${N_FEATURES}];
      for (;;) {
        const first = Atomics.add(ctrl, ${NEXT_GROUP}, 1) * ${GROUP_FEATURES};
        if (first >= nf) break;
        accumulateNode(kernel, job.features, first, Math.min(nf, first + ${GROUP_FEATURES}), job.nRows, job.binOffsets,
          ctrl[${ROWS_AT}], job.ghAt, ctrl[${COUNT}], ctrl[${HIST_AT}], ctrl[${COUNT_STEP}]);
      }
    } catch (e) {
      Atomics.store(ctrl, ${ERROR}, 1);
    }
    Atomics.add(ctrl, ${DONE}, 1);
    Atomics.notify(ctrl, ${DONE});
  }
});
`;
