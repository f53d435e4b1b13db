/**
 * The MLOps CLI commands, run in-process on the embedded database the API of a test harness also
 * uses: settings, schedules, a retrain run in the CLI's own process, and the job history.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { buildProgram } from '../../src/cli/program.js';
import {
  type Caller,
  createTenant,
  demoSources,
  type Harness,
  startHarness,
  upload,
} from '../platform/harness.js';

// The CLI opens DATABASE_URL when set; these tests share the harness's embedded database instead.
delete process.env.DATABASE_URL;

let h: Harness;
let admin: Caller;

/** Runs the CLI and returns the JSON of its last stdout line. */
async function run(...args: string[]): Promise<Record<string, unknown>> {
  const out: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out.push(String(chunk));
    return true;
  });
  try {
    await buildProgram(COMMANDS).parseAsync([
      'node',
      'salescast',
      ...args,
      '--tenant',
      admin.tenantId,
      '--data-dir',
      h.config.dataDir,
      '--json',
    ]);
  } finally {
    spy.mockRestore();
  }
  return JSON.parse(out.join('').trim().split('\n').pop()!);
}

describe('MLOps CLI (sqlite)', () => {
  beforeAll(async () => {
    h = await startHarness('sqlite');
    admin = await createTenant(h, 'Cli');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('manages settings and schedules', async () => {
    expect(await run('monitor', 'settings')).toMatchObject({ auto_promote: false, decay: { margin: 0.25 } });
    expect(await run('monitor', 'settings', '--auto-promote', 'on', '--decay-periods', '3')).toMatchObject({
      auto_promote: true,
      decay: { margin: 0.25, periods: 3, periodDays: 7 },
      updated_by: 'system:cli',
    });
    await expect(run('monitor', 'settings', '--auto-promote', 'maybe')).rejects.toMatchObject({
      code: 'USAGE',
    });
    const weekly = await run(
      'schedules',
      'create',
      '--name',
      'weekly',
      '--trigger',
      'cron',
      '--cron',
      'weekly',
    );
    expect(weekly).toMatchObject({
      trigger: 'cron',
      cron: 'weekly',
      enabled: true,
      created_by: 'system:cli',
    });
    expect(new Date(String(weekly.next_run_at)).getUTCDay()).toBe(1);
    await run('schedules', 'create', '--name', 'on decay', '--trigger', 'decay', '--trials', '2');
    const listed = (await run('schedules', 'list')).schedules as { name: string; trigger: string }[];
    expect(listed.map((s) => [s.name, s.trigger])).toEqual([
      ['weekly', 'cron'],
      ['on decay', 'decay'],
    ]);
    await expect(
      run('schedules', 'create', '--name', 'bad', '--trigger', 'cron', '--cron', '61 * * * *'),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', location: { field: 'cron' } });
    expect(await run('schedules', 'delete', '--id', String(weekly.id))).toEqual({ deleted: weekly.id });
    expect(((await run('schedules', 'list')).schedules as unknown[]).length).toBe(1);
  });

  it('runs a retrain in its own process and shows the job with its logs', async () => {
    await expect(run('retrain')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      location: { field: 'dataset_id' },
    });
    const dataset = await upload(h, admin.token, demoSources({ stores: 1, products: 2, days: 84 }));
    expect(dataset.statusCode).toBe(201);
    const job = await run('retrain', '--horizon', '7', '--trials', '2', '--run');
    expect(job).toMatchObject({
      status: 'succeeded',
      attempts: 1,
      created_by: 'system:cli',
      result: { dataset_id: dataset.json().id, version: 1, promoted: true, auto_promote: true },
    });
    const shown = await run('jobs', 'show', '--id', String(job.id));
    const messages = (shown.logs as { message: string }[]).map((l) => l.message);
    expect(messages[0]).toMatch(/^attempt 1\/3 started by /);
    expect(messages.slice(-2)).toEqual(['promoted default v1 to production', 'succeeded']);
    const listed = (await run('jobs', 'list', '--status', 'succeeded')).jobs as { id: string }[];
    expect(listed.map((j) => j.id)).toEqual([job.id]);
  }, 120_000);
});
