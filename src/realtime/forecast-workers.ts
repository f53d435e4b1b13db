/**
 * Worker threads that forecast chunks of a batch in parallel. A batch's work is the forecaster
 * (features and trees, step by step) and the NDJSON text of its rows; both run on a worker, so the
 * request thread only slices the served state, sends it, and writes the text out. Each worker
 * gets a served version's forecaster (its serialized artifact) with its first task for that
 * version and keeps it; streamed actuals reach it through the history window sent with every task.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { type ErrorCode, type ErrorLocation, SalescastError } from '../core/errors.js';
import type { Panel } from '../features/panel.js';
import { startWorkerThread } from '../ml/parallel/worker-thread.js';
import type { ServedModel } from './serving.js';

/** What the request thread sends a worker: one chunk of a batch. */
export interface ForecastTask {
  readonly id: number;
  /** The served version's key (`tenant|name|version`). */
  readonly key: string;
  /** The forecaster's artifact, when the worker may not have this version yet. */
  readonly artifact?: Uint8Array;
  readonly h: number;
  readonly output: string;
  readonly seriesIds: readonly string[];
  readonly history: Panel;
  readonly future: Panel | undefined;
}

/** A chunk's answer: its NDJSON lines, and each series' first forecast period for the detectors. */
export interface ForecastChunk {
  readonly text: string;
  /** Per series, in the task's order: [day number, yhat, the spread its quantiles imply]. */
  readonly firsts: Float64Array;
}

export type ForecastTaskReply =
  | ({ readonly id: number } & ForecastChunk)
  | { readonly id: number; readonly needsModel: true }
  | {
      readonly id: number;
      readonly error: { message: string; code?: ErrorCode; location?: ErrorLocation };
    };

export interface ForecastWorkerStats {
  readonly threads: number;
  readonly inFlight: number;
  readonly completed: number;
}

interface Pending {
  readonly task: ForecastTask;
  readonly served: ServedModel;
  readonly resolve: (chunk: ForecastChunk) => void;
  readonly reject: (e: Error) => void;
  /** Stops the thread if the chunk is not answered in time; set once the task is sent. */
  timer?: NodeJS.Timeout;
}

interface Thread {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
  /** Versions this worker was sent (it may have dropped one since: it then asks again). */
  readonly sent: Set<string>;
}

/** The compiled worker program beside this module; absent when running from TypeScript sources. */
export const FORECAST_WORKER_SCRIPT = new URL('./forecast-worker.js', import.meta.url);

/**
 * How long a chunk may wait for its answer, queueing included. A chunk of 512 series takes a
 * few seconds at most even for a deep 400-tree model over a year; a thread silent for this long is
 * stuck, and without a limit it would hold its batch, or its batch job, for ever.
 */
export const DEFAULT_CHUNK_TIMEOUT_MS = 120_000;

export class ForecastWorkers {
  private readonly threads: Thread[] = [];
  private readonly artifacts = new WeakMap<ServedModel, Uint8Array>();
  private nextId = 1;
  private completedChunks = 0;
  private closed = false;
  /**
   * False when there are no threads to use, or no compiled worker program to run on them. Looked
   * up once: every batch asks, and the program does not come and go while the process runs.
   */
  readonly available: boolean;

  /**
   * @param size the most worker threads (started on first use)
   * @param script the worker program; `FORECAST_WORKER_SCRIPT` unless a test points elsewhere
   * @param chunkTimeoutMs past it, the thread of an unanswered chunk is stopped and its chunks fail
   */
  constructor(
    readonly size: number,
    private readonly script: URL = FORECAST_WORKER_SCRIPT,
    private readonly chunkTimeoutMs = DEFAULT_CHUNK_TIMEOUT_MS,
  ) {
    this.available = size > 0 && existsSync(fileURLToPath(script));
  }

  /** The NDJSON lines of `seriesIds`' forecasts over `h`, from the served state as it is now. */
  forecast(served: ServedModel, seriesIds: readonly string[], h: number): Promise<ForecastChunk> {
    // A batch still streaming when the service closes must not start threads nothing would stop.
    if (this.closed) return Promise.reject(new Error('The forecast workers are closed.'));
    const { state } = served;
    const task: ForecastTask = {
      id: this.nextId++,
      key: served.key,
      h,
      output: served.output,
      seriesIds,
      history: state.panelOf(seriesIds),
      future: state.futureOf(seriesIds, h),
    };
    return new Promise((resolve, reject) => this.send(this.idlest(), { task, served, resolve, reject }));
  }

  /** What `/metrics` shows: threads running, chunks in flight, chunks forecast since start. */
  stats(): ForecastWorkerStats {
    let inFlight = 0;
    for (const t of this.threads) inFlight += t.pending.size;
    return { threads: this.threads.length, inFlight, completed: this.completedChunks };
  }

  /** Stops every worker; tasks still running fail. */
  async close(): Promise<void> {
    this.closed = true;
    const threads = this.threads.splice(0);
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }

  private send(thread: Thread, job: Pending): void {
    const { task, served } = job;
    try {
      const message = thread.sent.has(task.key) ? task : { ...task, artifact: this.artifactOf(served) };
      thread.worker.postMessage(message);
      thread.sent.add(task.key);
    } catch (e) {
      // Not sent (the model could not be serialized, or the task not copied): nothing will answer.
      job.reject(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    thread.pending.set(task.id, job);
    clearTimeout(job.timer);
    job.timer = setTimeout(() => {
      this.fail(
        thread,
        `it did not answer a chunk within ${this.chunkTimeoutMs / 1000} s, so it was stopped`,
      );
      void thread.worker.terminate();
    }, this.chunkTimeoutMs);
    job.timer.unref();
    // A worker with work keeps the process alive; an idle one does not.
    thread.worker.ref();
  }

  private receive(thread: Thread, reply: ForecastTaskReply): void {
    const job = thread.pending.get(reply.id);
    if (!job) return;
    clearTimeout(job.timer);
    thread.pending.delete(reply.id);
    if (thread.pending.size === 0) thread.worker.unref();
    if ('text' in reply) {
      this.completedChunks++;
      job.resolve({ text: reply.text, firsts: reply.firsts });
    } else if ('needsModel' in reply) {
      thread.sent.delete(job.task.key);
      this.send(thread, job);
    } else {
      const { message, code, location } = reply.error;
      job.reject(code ? new SalescastError(code, message, location) : new Error(message));
    }
  }

  /** The thread with the fewest tasks in flight, starting a new one while fewer than `size` run. */
  private idlest(): Thread {
    let best: Thread | undefined;
    for (const t of this.threads) if (!best || t.pending.size < best.pending.size) best = t;
    if (best && (best.pending.size === 0 || this.threads.length >= this.size)) return best;
    return this.start();
  }

  private start(): Thread {
    const worker = startWorkerThread(this.script, { name: 'salescast-forecast' });
    worker.unref();
    const thread: Thread = { worker, pending: new Map(), sent: new Set() };
    worker.on('message', (reply: ForecastTaskReply) => this.receive(thread, reply));
    worker.on('error', (e) => this.fail(thread, e.message));
    worker.on('exit', (code) => this.fail(thread, `it exited with code ${code}`));
    this.threads.push(thread);
    return thread;
  }

  /** Takes `thread` out of use and fails its chunks, saying why. */
  private fail(thread: Thread, why: string): void {
    const k = this.threads.indexOf(thread);
    if (k >= 0) this.threads.splice(k, 1);
    for (const job of thread.pending.values()) {
      clearTimeout(job.timer);
      job.reject(new Error(`A forecast worker stopped: ${why}`));
    }
    thread.pending.clear();
  }

  private artifactOf(served: ServedModel): Uint8Array {
    let bytes = this.artifacts.get(served);
    if (!bytes) {
      bytes = served.model.forecaster.serialize();
      this.artifacts.set(served, bytes);
    }
    return bytes;
  }
}
