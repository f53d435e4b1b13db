/**
 * The process-wide pool of histogram worker threads. Workers are created on first use, kept for
 * later fits (starting a thread costs tens of milliseconds), and unref'd so that an idle pool never
 * keeps the process alive. One fit uses the pool at a time; a fit that finds it busy runs serially.
 */
import type { Worker } from 'node:worker_threads';
import { WORKER_SOURCE } from './histogram-worker.js';
import { startWorkerThread } from './worker-thread.js';

const workers: Worker[] = [];
let busy = false;

/**
 * Reserves `n` workers, creating missing ones; undefined when another fit holds the pool. Call
 * `releaseWorkers` when done.
 */
export function acquireWorkers(n: number): Worker[] | undefined {
  if (busy) return undefined;
  busy = true;
  while (workers.length < n) {
    const w = startWorkerThread(WORKER_SOURCE, { eval: true, name: 'salescast-histogram' });
    w.unref();
    // A dead worker is dropped; the next fit replaces it.
    w.on('error', () => forget(w));
    w.on('exit', () => forget(w));
    workers.push(w);
  }
  return workers.slice(0, n);
}

/** Returns the reserved workers to the pool. */
export function releaseWorkers(): void {
  busy = false;
}

function forget(w: Worker): void {
  const k = workers.indexOf(w);
  if (k >= 0) workers.splice(k, 1);
}
