/**
 * A real crash: `salescast serve --role worker` (the built binary, dist/) picks a slow retrain job
 * and is killed with SIGKILL mid-training. A second worker process takes the job over once the
 * dead worker's lease expires; the job completes exactly once and the registry is consistent:
 * exactly one new version, at most one in production. Embedded SQLite: the worker processes and
 * the test share the data directory. (The worker binary reads DATABASE_URL but has no way to pick
 * a per-test PostgreSQL schema, so this one runs on SQLite only; the queue's PostgreSQL claims are
 * covered by jobs.test.ts.)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Caller,
  call,
  createTenant,
  demoSources,
  type Harness,
  startHarness,
  upload,
} from '../platform/harness.js';

const MAIN = join(import.meta.dirname, '../../dist/cli/main.js');

function startWorker(dataDir: string): ChildProcess {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SALESCAST_JOB_LEASE_MS: '2000',
    SALESCAST_JOB_POLL_MS: '100',
  };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  return spawn(process.execPath, [MAIN, 'serve', '--role', 'worker', '--data-dir', dataDir], {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

const exited = (p: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (p.exitCode !== null || p.signalCode !== null) resolve(p.exitCode);
    else p.once('exit', (code) => resolve(code));
  });

describe.runIf(existsSync(MAIN))('a worker killed with SIGKILL mid-training (sqlite, dist/)', () => {
  let h: Harness;
  let admin: Caller;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    h = await startHarness('sqlite');
    admin = await createTenant(h, 'Crash');
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await h?.close();
  });

  const job = async (id: string) => (await call(h, 'GET', `/v1/jobs/${id}`, admin.token)).json();

  it('is retried by another worker and completes once; the registry holds one new version', async () => {
    expect((await call(h, 'PUT', '/v1/mlops/settings', admin.token, { auto_promote: true })).statusCode).toBe(
      200,
    );
    const dataset = await upload(h, admin.token, demoSources({ stores: 2, products: 3, days: 140 }));
    expect(dataset.statusCode).toBe(201);
    const queued = await call(h, 'POST', '/v1/jobs/retrain', admin.token, {
      dataset_id: dataset.json().id,
      horizon: 14,
      trials: 8,
      seed: 5,
    });
    expect(queued.statusCode).toBe(202);
    const id = queued.json().id as string;

    const first = startWorker(h.config.dataDir);
    children.push(first);
    // Kill it once it is inside the training step.
    let deadline = Date.now() + 60_000;
    for (;;) {
      const j = await job(id);
      if (j.logs.some((l: { message: string }) => l.message.startsWith('training:'))) break;
      if (Date.now() > deadline)
        throw new Error(`the first worker never started training: ${JSON.stringify(j)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 300));
    first.kill('SIGKILL');
    await exited(first);
    const killed = await job(id);
    expect([killed.status, killed.attempts]).toEqual(['running', 1]);
    // Nothing half-registered: the transaction never committed.
    expect((await call(h, 'GET', '/v1/models', admin.token)).json().models).toEqual([]);

    const second = startWorker(h.config.dataDir);
    children.push(second);
    deadline = Date.now() + 180_000;
    let done = await job(id);
    while (done.status !== 'succeeded' && done.status !== 'failed' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      done = await job(id);
    }
    second.kill('SIGTERM');
    expect(await exited(second)).toBe(0);

    expect(done.status).toBe('succeeded');
    expect(done.attempts).toBe(2);
    expect(done.result).toMatchObject({ version: 1, promoted: true, reused: false });
    const messages = done.logs.map((l: { attempt: number; message: string }) => `${l.attempt} ${l.message}`);
    expect(messages).toContain('1 lease of attempt 1 expired (its worker is gone); requeued');
    expect(messages.filter((m: string) => m.endsWith('succeeded'))).toEqual(['2 succeeded']);
    const model = (await call(h, 'GET', '/v1/models/default', admin.token)).json();
    expect(model.versions.map((v: { version: number; stage: string }) => [v.version, v.stage])).toEqual([
      [1, 'production'],
    ]);
    expect(model.model.production_version).toBe(1);
    console.log(
      `[sigkill] job ${id}: attempts ${done.attempts}, ${done.duration_seconds} s from first start to finish\n${messages.join('\n')}`,
    );
  }, 300_000);
});
