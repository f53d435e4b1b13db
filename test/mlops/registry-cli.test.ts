/**
 * `salescast runs …` and `salescast models …` in-process on an embedded data directory: train two
 * versions, list and compare runs, promote under the policy (dry run, refusal, force), roll back.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { buildProgram } from '../../src/cli/program.js';
import { platformConfig } from '../../src/platform/config.js';
import { ensureDemoTenant } from '../../src/platform/demo-tenant.js';
import { createPlatform } from '../../src/platform/platform.js';

// The embedded database even when CI sets DATABASE_URL (the API tests cover PostgreSQL).
delete process.env.DATABASE_URL;

let dataDir: string;
let tenant: string;
let dataset: string;

/** Runs the CLI and returns the JSON of its last stdout line. */
// biome-ignore lint/suspicious/noExplicitAny: the printed JSON is whatever the command emits; assertions check it.
async function run(...args: string[]): Promise<Record<string, any>> {
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
      tenant,
      '--data-dir',
      dataDir,
      '--json',
    ]);
  } finally {
    spy.mockRestore();
  }
  return JSON.parse(out.join('').trim().split('\n').pop()!);
}

describe('registry CLI', () => {
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'salescast-registry-cli-'));
    const platform = await createPlatform(
      platformConfig({ dataDir, argon2: { memoryCost: 1024, timeCost: 1, parallelism: 1 } }, {}),
    );
    try {
      const demo = await ensureDemoTenant(platform, { stores: 1, products: 2, days: 90, model: false });
      tenant = demo.login!.tenant_id;
      dataset = demo.login!.dataset_id!;
    } finally {
      await platform.close();
    }
  }, 60_000);
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('trains, compares, promotes and rolls back', async () => {
    const first = await run('runs', 'train', '--dataset', dataset, '--horizon', '7', '--model', 'naive');
    expect(first.version).toMatchObject({ version: 1, stage: 'staging', dataset_id: dataset });
    expect(first.run).toMatchObject({ status: 'succeeded', created_by: 'system:cli' });
    const second = await run('runs', 'train', '--dataset', dataset, '--horizon', '7', '--model', 'average');
    expect(second.version.version).toBe(2);

    const list = await run('runs', 'list');
    expect(list.runs.map((r: { id: string }) => r.id)).toEqual([second.run.id, first.run.id]);
    const cmp = await run('runs', 'compare', '--ids', `${first.run.id},${second.run.id}`);
    expect(cmp.params.find((p: { name: string }) => p.name === 'model').values).toEqual(['naive', 'average']);
    expect((await run('runs', 'show', '--id', first.run.id)).metrics.cutoffs).toHaveLength(2);

    expect((await run('models', 'promote', '--name', 'default', '--model-version', '1')).promoted).toBe(true);
    const dry = await run('models', 'promote', '--name', 'default', '--model-version', '2', '--dry-run');
    expect(dry.promoted).toBe(false);
    expect(dry.evaluation.champion).toBe(1);
    expect(dry.evaluation.champion_metrics.cutoffs).toEqual(second.run.metrics.cutoffs);
    // An impossible margin is refused with exit code 1 (PROMOTION_REJECTED).
    await expect(
      run('models', 'promote', '--name', 'default', '--model-version', '2', '--min-improvement-pct', '100'),
    ).rejects.toMatchObject({ code: 'PROMOTION_REJECTED', exitCode: 1 });
    const forced = await run('models', 'promote', '--name', 'default', '--model-version', '2', '--force');
    expect(forced).toMatchObject({ promoted: true, previous: 1 });

    const back = await run('models', 'rollback', '--name', 'default');
    expect(back).toMatchObject({ previous: 2, version: { version: 1, stage: 'production' } });
    const models = await run('models', 'list');
    expect(models.models).toEqual([
      expect.objectContaining({ name: 'default', latest_version: 2, production_version: 1 }),
    ]);
    const shown = await run('models', 'show', '--name', 'default');
    expect(shown.history.at(-1)).toMatchObject({
      version: 1,
      from_stage: 'archived',
      to_stage: 'production',
      actor: 'system:cli',
      reason: 'rollback from version 2',
    });
  }, 60_000);

  it('names a missing tenant or model with exit code 2', async () => {
    await expect(run('models', 'show', '--name', 'nope')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      exitCode: 2,
    });
    const saved = tenant;
    tenant = 'no-such-tenant';
    try {
      await expect(run('models', 'list')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    } finally {
      tenant = saved;
    }
  });
});
