/**
 * The durable job queue over the real store (SQLite; PostgreSQL and Redis when configured): a job
 * whose runner died is retried and completes, failures retry up to max_attempts, concurrent
 * runners never run a job twice, and a due schedule tick is enqueued exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SalescastError } from '../../src/core/errors.js';
import { createBullJobSignal } from '../../src/mlops/job-queue-bullmq.js';
import { createJobRunner, type JobHandler } from '../../src/mlops/jobs.js';
import { createScheduler } from '../../src/mlops/schedules.js';
import {
  type Caller,
  call,
  createTenant,
  DIALECTS,
  type Harness,
  startHarness,
} from '../platform/harness.js';

describe.each(DIALECTS)('durable jobs (%s)', (dialect) => {
  let h: Harness;
  let admin: Caller;
  beforeAll(async () => {
    h = await startHarness(dialect);
    admin = await createTenant(h, 'Jobs');
  });
  afterAll(async () => {
    await h?.close();
  });

  const enqueue = (
    payload: Record<string, unknown> = {},
    extra: { maxAttempts?: number; idempotencyKey?: string } = {},
  ) =>
    h.platform.operations.jobs.enqueue(admin.tenantId, {
      kind: 'monitor',
      payload,
      createdBy: 'test',
      ...extra,
    });
  const status = async (id: string) => {
    const res = await call(h, 'GET', `/v1/jobs/${id}`, admin.token);
    expect(res.statusCode).toBe(200);
    return res.json();
  };

  it('a job claimed by a runner that died (expired lease) is requeued on startup, retried and completes', async () => {
    const job = await enqueue({ n: 1 });
    // The first runner claims the job and then "dies": its lease (1 ms) runs out unrenewed.
    const dead = createJobRunner({ store: h.platform.store, handlers: {}, leaseMs: 1, owner: 'dead-worker' });
    const claimed = await h.platform.store.jobQueue.claim({
      owner: dead.owner,
      now: new Date().toISOString(),
      leaseUntil: new Date(Date.now() + 1).toISOString(),
      jobId: job.id,
    });
    expect(claimed?.status).toBe('running');
    await new Promise((r) => setTimeout(r, 5));
    expect((await status(job.id)).status).toBe('running');

    const ran: number[] = [];
    const handler: JobHandler = async (ctx) => {
      ran.push(ctx.attempt);
      await ctx.log('working');
      return { doubled: (ctx.job.payload as { n: number }).n * 2 };
    };
    const runner = createJobRunner({ store: h.platform.store, handlers: { monitor: handler }, pollMs: 20 });
    await runner.start({ pollLoop: false });
    expect(await runner.runOnce(job.id)).toBe(true);
    await runner.stop();

    const done = await status(job.id);
    expect(ran).toEqual([2]);
    expect(done.status).toBe('succeeded');
    expect(done.attempts).toBe(2);
    expect(done.result).toEqual({ doubled: 2 });
    expect(done.lease_owner).toBeNull();
    expect(done.duration_seconds).toBeGreaterThanOrEqual(0);
    expect(done.logs.map((l: { attempt: number; message: string }) => `${l.attempt} ${l.message}`)).toEqual([
      '1 lease of attempt 1 expired (its worker is gone); requeued',
      `2 attempt 2/3 started by ${runner.owner}`,
      '2 working',
      '2 succeeded',
    ]);
  });

  it('retries a failing job up to max_attempts, then fails it; bad input fails at once', async () => {
    const flaky = await enqueue({}, { maxAttempts: 2 });
    let calls = 0;
    const runner = createJobRunner({
      store: h.platform.store,
      handlers: {
        monitor: async (ctx) => {
          if ((ctx.job.payload as { bad?: boolean }).bad) {
            throw new SalescastError('INVALID_ARGUMENT', "The 'x' is wrong.", { field: 'x' });
          }
          calls++;
          throw new Error(`disk on fire ${calls}`);
        },
      },
      backoffMs: 1,
    });
    expect(await runner.runOnce(flaky.id)).toBe(true);
    const afterFirst = await status(flaky.id);
    expect([afterFirst.status, afterFirst.attempts, afterFirst.error.message]).toEqual([
      'queued',
      1,
      'disk on fire 1',
    ]);
    await new Promise((r) => setTimeout(r, 5));
    expect(await runner.runOnce(flaky.id)).toBe(true);
    const failed = await status(flaky.id);
    expect([failed.status, failed.attempts, failed.error]).toEqual([
      'failed',
      2,
      { code: 'INTERNAL', message: 'disk on fire 2' },
    ]);
    // A failed job is not claimable again.
    expect(await runner.runOnce(flaky.id)).toBe(false);

    const bad = await enqueue({ bad: true });
    await runner.runOnce(bad.id);
    const badDone = await status(bad.id);
    expect([badDone.status, badDone.attempts, badDone.error.code]).toEqual(['failed', 1, 'INVALID_ARGUMENT']);
  });

  it('an expired lease on the last attempt fails the job instead of retrying', async () => {
    const job = await enqueue({}, { maxAttempts: 1 });
    await h.platform.store.jobQueue.claim({
      owner: 'dead',
      now: new Date().toISOString(),
      leaseUntil: new Date(Date.now() - 1).toISOString(),
      jobId: job.id,
    });
    const runner = createJobRunner({ store: h.platform.store, handlers: {} });
    const swept = await runner.sweep();
    expect(swept.failed).toBeGreaterThanOrEqual(1);
    const done = await status(job.id);
    expect([done.status, done.error.code]).toEqual(['failed', 'LEASE_EXPIRED']);
  });

  it('a runner that lost its lease does not record an outcome', async () => {
    const job = await enqueue();
    const runner = createJobRunner({
      store: h.platform.store,
      leaseMs: 60_000,
      handlers: {
        monitor: async () => {
          // Another process takes over meanwhile (as after an expired lease).
          await h.platform.store.jobQueue.requeueExpired(new Date(Date.now() + 120_000).toISOString());
          return 'stale result';
        },
      },
    });
    await runner.runOnce(job.id);
    const after = await status(job.id);
    expect(after.status).toBe('queued');
    expect(after.result).toBeNull();
  });

  it('concurrent runners run every job exactly once', async () => {
    const ids = await Promise.all(Array.from({ length: 8 }, (_, i) => enqueue({ i }).then((j) => j.id)));
    const seen: string[] = [];
    const handler: JobHandler = async (ctx) => {
      seen.push(ctx.job.id);
      await new Promise((r) => setTimeout(r, 5));
      return null;
    };
    const runners = [1, 2, 3].map(() =>
      createJobRunner({ store: h.platform.store, handlers: { monitor: handler } }),
    );
    const drain = async (r: (typeof runners)[number]) => {
      while (await r.runOnce()) {
        // keep claiming until the queue is empty
      }
    };
    await Promise.all(runners.map(drain));
    for (const id of ids) expect(seen.filter((s) => s === id)).toHaveLength(1);
    for (const id of ids) expect((await status(id)).status).toBe('succeeded');
  });

  it('the same idempotency key enqueues once', async () => {
    const a = await enqueue({ k: 1 }, { idempotencyKey: 'decay:default:1:ds' });
    const b = await enqueue({ k: 2 }, { idempotencyKey: 'decay:default:1:ds' });
    expect(b.id).toBe(a.id);
    expect(b.payload).toEqual({ k: 1 });
  });

  it('two schedulers seeing the same due tick enqueue exactly one job', async () => {
    const created = await call(h, 'POST', '/v1/schedules', admin.token, {
      name: 'every minute',
      trigger: 'cron',
      cron: '* * * * *',
      payload: { trials: 2 },
    });
    expect(created.statusCode).toBe(201);
    const schedule = created.json();
    const due = new Date(Date.parse(schedule.next_run_at) + 1000);
    const at = () => due;
    const enqueued = await Promise.all([
      createScheduler({ store: h.platform.store, now: at }).tick(),
      createScheduler({ store: h.platform.store, now: at }).tick(),
    ]);
    const jobs = enqueued.flat();
    expect(jobs).toHaveLength(1);
    const job = await status(jobs[0]);
    expect([job.kind, job.status, job.payload]).toEqual([
      'retrain',
      'queued',
      { trials: 2, reason: `schedule:${schedule.id}` },
    ]);
    // The tick moved on: the next one is a minute after the claimed one.
    const after = (await call(h, 'GET', '/v1/schedules', admin.token)).json().schedules[0];
    expect(after.last_run_at).toBe(schedule.next_run_at);
    expect(Date.parse(after.next_run_at) - Date.parse(schedule.next_run_at)).toBe(60_000);
    expect(after.last_job_id).toBe(jobs[0]);
    // Ticking again at the same instant finds nothing due.
    expect(await createScheduler({ store: h.platform.store, now: at }).tick()).toEqual([]);
  });

  it('a monitoring schedule enqueues a check at its tick; only a cron expression starts one', async () => {
    const created = await call(h, 'POST', '/v1/schedules', admin.token, {
      name: 'check hourly',
      trigger: 'cron',
      cron: '0 * * * *',
      job: 'monitor',
      payload: { model: 'default' },
    });
    expect(created.statusCode).toBe(201);
    const schedule = created.json();
    expect(schedule).toMatchObject({ job: 'monitor', trigger: 'cron', payload: { model: 'default' } });
    const at = () => new Date(Date.parse(schedule.next_run_at) + 1000);
    await createScheduler({ store: h.platform.store, now: at }).tick();
    const listed = (await call(h, 'GET', '/v1/schedules', admin.token)).json().schedules;
    const job = await status(listed.find((s: { id: string }) => s.id === schedule.id).last_job_id);
    // A check's payload as scheduled: its dataset is the newest when it runs.
    expect([job.kind, job.status, job.payload]).toEqual(['monitor', 'queued', { model: 'default' }]);

    const onDecay = await call(h, 'POST', '/v1/schedules', admin.token, {
      name: 'x',
      trigger: 'decay',
      job: 'monitor',
    });
    expect(onDecay.statusCode).toBe(400);
    expect(onDecay.json()).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'job' });
    const retrainField = await call(h, 'POST', '/v1/schedules', admin.token, {
      name: 'x',
      trigger: 'cron',
      cron: 'daily',
      job: 'monitor',
      payload: { trials: 3 },
    });
    expect(retrainField.statusCode).toBe(400);
    expect(retrainField.json()).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'trials' });
    // Every earlier schedule is a retrain's.
    expect(listed.map((s: { name: string; job: string }) => [s.name, s.job])).toContainEqual([
      'every minute',
      'retrain',
    ]);
  });

  it.runIf(dialect === 'postgres' && process.env.REDIS_URL)(
    'BullMQ carries job ids to worker processes',
    async () => {
      const ids = await Promise.all([1, 2, 3].map((i) => enqueue({ i }).then((j) => j.id)));
      const seen: string[] = [];
      const signals = [1, 2].map(() =>
        createBullJobSignal({ redisUrl: h.config.redisUrl as string, prefix: h.config.redisPrefix }),
      );
      const runners = signals.map((signal) =>
        createJobRunner({
          store: h.platform.store,
          signal,
          handlers: {
            monitor: async (ctx) => {
              seen.push(ctx.job.id);
              return null;
            },
          },
        }),
      );
      for (const [i, r] of runners.entries()) signals[i].consume((id) => r.runOnce(id));
      const deadline = Date.now() + 15_000;
      while (
        Date.now() < deadline &&
        !(await Promise.all(ids.map(status))).every((j) => j.status === 'succeeded')
      ) {
        await new Promise((r) => setTimeout(r, 100));
      }
      await Promise.all(signals.map((s) => s.close()));
      for (const id of ids) {
        expect(seen.filter((s) => s === id)).toHaveLength(1);
        expect((await status(id)).status).toBe('succeeded');
      }
    },
  );
});
