/**
 * Durable jobs: the jobs table is the system of record (status, attempts, lease, timings, result,
 * log lines). A runner claims one job at a time with an atomic claim, renews its lease with
 * heartbeats while the handler works, and records the outcome only while it still holds the lease.
 * A runner that dies (SIGKILL, power loss) leaves a `running` job whose lease expires; any runner's
 * sweep puts it back in the queue (or fails it after `max_attempts`), so a killed job is retried.
 *
 * Delivery: in embedded mode runners poll the table. With a `JobSignal` (BullMQ when REDIS_URL is
 * set, see `job-queue-bullmq.ts`) the signal carries job ids to whichever worker process is free,
 * and the claim by id still goes through the table, so a duplicate or stale message is harmless.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { isSalescastError, SalescastError } from '../core/errors.js';
import type { JobLogRow, JobRow } from '../store/repositories/jobs.js';
import type { Store } from '../store/store.js';
import { authorizeActor } from './actors.js';
import type { Actor } from './registry-service.js';

export const JOB_KINDS = ['retrain', 'monitor', 'forecast-batch'] as const;
export type JobKind = (typeof JOB_KINDS)[number];
export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed';

export interface JobView {
  id: string;
  kind: string;
  status: string;
  payload: unknown;
  attempts: number;
  max_attempts: number;
  created_by: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** Seconds from first start to finish; null while unfinished. */
  duration_seconds: number | null;
  lease_owner: string | null;
  heartbeat_at: string | null;
  result: unknown;
  error: { code: string; message: string } | null;
}

export interface JobLogLine {
  seq: number;
  at: string;
  attempt: number;
  level: string;
  message: string;
}

export function jobView(r: JobRow): JobView {
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    payload: JSON.parse(r.payload) as unknown,
    attempts: Number(r.attempts),
    max_attempts: Number(r.max_attempts),
    created_by: r.created_by,
    created_at: r.created_at,
    started_at: r.started_at,
    finished_at: r.finished_at,
    duration_seconds:
      r.started_at && r.finished_at ? (Date.parse(r.finished_at) - Date.parse(r.started_at)) / 1000 : null,
    lease_owner: r.lease_owner,
    heartbeat_at: r.heartbeat_at,
    result: r.result === null ? null : (JSON.parse(r.result) as unknown),
    error: r.error === null ? null : (JSON.parse(r.error) as { code: string; message: string }),
  };
}

function logView(r: JobLogRow): JobLogLine {
  return { seq: Number(r.seq), at: r.at, attempt: Number(r.attempt), level: r.level, message: r.message };
}

/** Announces queued jobs to workers of other processes (BullMQ); absent in embedded mode. */
export interface JobSignal {
  announce(jobId: string, attempts: number, delayMs?: number): Promise<void>;
}

export interface EnqueueRequest {
  kind: JobKind;
  payload: Record<string, unknown>;
  createdBy: string;
  /** Same key, same tenant: the existing job is returned and nothing is enqueued. */
  idempotencyKey?: string;
  maxAttempts?: number;
}

export const DEFAULT_MAX_ATTEMPTS = 3;

export interface JobService {
  /** Enqueues without a permission check: callers (services, the scheduler) check their own. */
  enqueue(tenantId: string, request: EnqueueRequest): Promise<JobView>;
  list(p: Actor, filter: { status?: JobStatus; kind?: JobKind; limit: number }): Promise<JobView[]>;
  get(p: Actor, id: string): Promise<JobView & { logs: JobLogLine[] }>;
}

export interface JobServiceDeps {
  store: Store;
  signal?: JobSignal;
  now?: () => Date;
}

export function createJobService(deps: JobServiceDeps): JobService {
  const now = deps.now ?? (() => new Date());
  return {
    async enqueue(tenantId, req) {
      const at = now().toISOString();
      const row = await deps.store.withTenant(tenantId, (r) =>
        r.jobs.insert({
          id: randomUUID(),
          kind: req.kind,
          payload: JSON.stringify(req.payload),
          status: 'queued',
          attempts: 0,
          max_attempts: req.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
          idempotency_key: req.idempotencyKey ?? null,
          lease_owner: null,
          lease_expires_at: null,
          heartbeat_at: null,
          run_after: at,
          created_by: req.createdBy,
          created_at: at,
          started_at: null,
          finished_at: null,
          result: null,
          error: null,
        }),
      );
      if (row.status === 'queued') await deps.signal?.announce(row.id, Number(row.attempts));
      return jobView(row);
    },
    async list(p, filter) {
      authorizeActor(p, 'forecasts:view');
      return (await deps.store.withTenant(p.tenantId, (r) => r.jobs.list(filter))).map(jobView);
    },
    async get(p, id) {
      authorizeActor(p, 'forecasts:view');
      const found = await deps.store.withTenant(p.tenantId, async (r) => {
        const job = await r.jobs.get(id);
        return job ? { job, logs: await r.jobs.logs(id) } : undefined;
      });
      if (!found) throw new SalescastError('NOT_FOUND', `No job '${id}'.`, { field: 'id' });
      return { ...jobView(found.job), logs: found.logs.map(logView) };
    },
  };
}

/** What a handler gets: the job, a logger that writes durable log lines, and an abort signal. */
export interface JobContext {
  readonly job: JobView;
  readonly tenantId: string;
  /** 1-based attempt number. */
  readonly attempt: number;
  log(message: string, level?: 'info' | 'warn' | 'error'): Promise<void>;
  /** Aborted when the runner loses the job's lease or stops. */
  readonly signal: AbortSignal;
}

export type JobHandler = (ctx: JobContext) => Promise<unknown>;

export interface JobRunnerOptions {
  store: Store;
  handlers: Partial<Record<JobKind, JobHandler>>;
  /** Lease length; a heartbeat renews it every third of it. Default 30 s. */
  leaseMs?: number;
  /** Idle poll interval and sweep interval. Default 1 s. */
  pollMs?: number;
  /** Delay before retry k is min(backoffMs · 2^(k−1), 5 min). Default 2 s. */
  backoffMs?: number;
  /** Identifies this runner in leases; default host:pid:random. */
  owner?: string;
  signal?: JobSignal;
  /** Receives runner-level failures (a database error during a sweep) that must not stop it. */
  onError?: (e: unknown) => void;
  now?: () => Date;
}

export interface JobRunner {
  readonly owner: string;
  /** Requeues expired leases, then polls (unless `pollLoop` is false: BullMQ delivers ids). */
  start(options?: { pollLoop?: boolean }): Promise<void>;
  /** Claims and runs one job (the given id, or the oldest runnable); false when none was claimed. */
  runOnce(jobId?: string): Promise<boolean>;
  /** Requeues jobs whose lease expired; returns how many were requeued or failed. */
  sweep(): Promise<{ requeued: number; failed: number }>;
  /** Stops polling and waits for the job in hand to finish. */
  stop(): Promise<void>;
}

export function createJobRunner(options: JobRunnerOptions): JobRunner {
  const now = options.now ?? (() => new Date());
  const leaseMs = options.leaseMs ?? 30_000;
  const pollMs = options.pollMs ?? 1_000;
  const backoffMs = options.backoffMs ?? 2_000;
  const owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const queue = options.store.jobQueue;
  const onError = options.onError ?? (() => {});
  let running = false;
  let loop: Promise<void> | undefined;
  let inFlight: Promise<boolean> | undefined;
  let wake: (() => void) | undefined;
  const stopController = new AbortController();

  const iso = (offsetMs = 0) => new Date(now().getTime() + offsetMs).toISOString();

  async function execute(row: JobRow): Promise<void> {
    const attempt = Number(row.attempts);
    const lease = new AbortController();
    const onStop = () => lease.abort(new Error('runner stopped'));
    stopController.signal.addEventListener('abort', onStop);
    const log = async (message: string, level: 'info' | 'warn' | 'error' = 'info') => {
      await queue.appendLog({
        tenant_id: row.tenant_id,
        job_id: row.id,
        at: iso(),
        attempt,
        level,
        message,
      });
    };
    const beat = setInterval(
      () => {
        queue.heartbeat(row.id, owner, iso(), iso(leaseMs)).then(
          (held) => {
            if (!held) lease.abort(new Error('lease lost'));
          },
          (e: unknown) => onError(e),
        );
      },
      Math.max(10, Math.floor(leaseMs / 3)),
    );
    try {
      const handler = options.handlers[row.kind as JobKind];
      if (!handler) throw new SalescastError('INVALID_ARGUMENT', `No handler for job kind '${row.kind}'.`);
      await log(`attempt ${attempt}/${row.max_attempts} started by ${owner}`);
      const result = await handler({
        job: jobView(row),
        tenantId: row.tenant_id,
        attempt,
        log,
        signal: lease.signal,
      });
      clearInterval(beat);
      if (lease.signal.aborted) return;
      await log('succeeded');
      await queue.finish(row.id, owner, {
        status: 'succeeded',
        result: JSON.stringify(result ?? null),
        at: iso(),
      });
    } catch (e) {
      clearInterval(beat);
      if (lease.signal.aborted) return;
      const error = {
        code: isSalescastError(e) ? e.code : 'INTERNAL',
        message: e instanceof Error ? e.message : String(e),
      };
      // Bad input will not get better on retry; anything else (I/O, a crash) may.
      const permanent = isSalescastError(e) && e.exitCode === 2;
      const retry = !permanent && attempt < Number(row.max_attempts);
      await log(`${retry ? 'failed, will retry' : 'failed'}: ${error.code}: ${error.message}`, 'error').catch(
        onError,
      );
      if (retry) {
        const delay = Math.min(backoffMs * 2 ** (attempt - 1), 300_000);
        const requeued = await queue.finish(row.id, owner, {
          status: 'queued',
          error: JSON.stringify(error),
          runAfter: iso(delay),
        });
        if (requeued) await options.signal?.announce(row.id, attempt, delay);
      } else {
        await queue.finish(row.id, owner, { status: 'failed', error: JSON.stringify(error), at: iso() });
      }
    } finally {
      clearInterval(beat);
      stopController.signal.removeEventListener('abort', onStop);
    }
  }

  async function runOnce(jobId?: string): Promise<boolean> {
    const row = await queue.claim({ owner, now: iso(), leaseUntil: iso(leaseMs), jobId });
    if (!row) return false;
    await execute(row);
    return true;
  }

  async function sweep(): Promise<{ requeued: number; failed: number }> {
    const { requeued, failed } = await queue.requeueExpired(iso());
    for (const r of requeued) {
      await queue.appendLog({
        tenant_id: r.tenant_id,
        job_id: r.id,
        at: iso(),
        attempt: Number(r.attempts),
        level: 'warn',
        message: `lease of attempt ${r.attempts} expired (its worker is gone); requeued`,
      });
      await options.signal?.announce(r.id, Number(r.attempts));
    }
    return { requeued: requeued.length, failed: failed.length };
  }

  async function pollLoop(): Promise<void> {
    let lastSweep = 0;
    while (running) {
      try {
        if (Date.now() - lastSweep >= pollMs) {
          lastSweep = Date.now();
          await sweep();
        }
        if (options.signal) {
          // Messages deliver the work. Runnable jobs are announced again on every pass, because a
          // job may have been enqueued without a message (by the CLI, or while Redis was away);
          // a message already waiting is not duplicated, and a stale one claims nothing.
          for (const j of await queue.listRunnable(iso(), 100))
            await options.signal.announce(j.id, Number(j.attempts));
        } else {
          inFlight = runOnce();
          if (await inFlight) continue;
        }
      } catch (e) {
        onError(e);
      } finally {
        inFlight = undefined;
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, pollMs);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      wake = undefined;
    }
  }

  return {
    owner,
    async start(startOptions = {}) {
      if (running) return;
      running = true;
      await sweep();
      if (startOptions.pollLoop !== false) loop = pollLoop();
    },
    runOnce(jobId) {
      const p = runOnce(jobId);
      inFlight = p;
      return p;
    },
    sweep,
    async stop() {
      running = false;
      wake?.();
      await loop;
      await inFlight?.catch(() => false);
      stopController.abort();
    },
  };
}
