/**
 * Experiment tracking and the model registry end to end, on each dialect: training through the
 * API with lineage, promotion under the policy, RBAC, rollback (atomic, also under concurrency and
 * when it fails midway), version immutability, serving that sees changes made by another process,
 * and the last production versions staying loadable.
 */

import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSalescastError } from '../../src/core/errors.js';
import { createProductionModels, type ModelChange } from '../../src/mlops/production-models.js';
import { systemActor } from '../../src/mlops/registry-service.js';
import { createPlatform, type Platform } from '../../src/platform/platform.js';
import {
  addUser,
  type Caller,
  call,
  createTenant,
  DIALECTS,
  demoSources,
  type Harness,
  startHarness,
  upload,
} from '../platform/harness.js';

const CTX = { requestId: 'test', ip: '127.0.0.1' };

describe.each(DIALECTS)('model registry (%s)', (dialect) => {
  let h: Harness;
  let admin: Caller;
  let manager: Caller;
  let viewer: Caller;
  let datasetId: string;
  let inputHash: string;
  /** Another process on the same database: its own store and production-model cache. */
  let other: Platform;

  beforeAll(async () => {
    h = await startHarness(dialect);
    admin = await createTenant(h, 'Registry');
    manager = await addUser(h, admin, 'manager');
    viewer = await addUser(h, admin, 'viewer');
    const res = await upload(h, admin.token, demoSources({ stores: 1, products: 2, days: 90 }));
    expect(res.statusCode).toBe(201);
    datasetId = res.json().id;
    inputHash = res.json().input_hash;
    other = await createPlatform(h.config);
  }, 60_000);
  afterAll(async () => {
    await other.close();
    await h.close();
  });

  const train = (token: string, body: Record<string, unknown>) =>
    call(h, 'POST', '/v1/runs', token, { dataset_id: datasetId, horizon: 7, model: 'naive', ...body });

  const productionCount = async () =>
    (await h.platform.registry.getModel(systemActor(admin.tenantId), 'default')).versions.filter(
      (v) => v.stage === 'production',
    ).length;

  it('trains through the API: records the run with lineage and registers version 1 in staging', async () => {
    const res = await train(admin.token, { model: 'naive' });
    expect(res.statusCode).toBe(201);
    const { run, version } = res.json();
    expect(run).toMatchObject({
      kind: 'train',
      status: 'succeeded',
      model_name: 'default',
      dataset_id: datasetId,
      input_hash: inputHash,
      code_version: '0.1.0',
      artifact_ref: 'model:default@1',
      created_by: `user:${admin.userId}`,
      error: null,
    });
    expect(run.params).toMatchObject({ model: 'naive', horizon: 7, windows: 2, quantiles: [0.1, 0.5, 0.9] });
    expect(run.features.drivers).toContain('price');
    expect(run.features.frequency).toBe('day');
    expect(run.duration_ms).toBeGreaterThanOrEqual(0);
    // Two folds of 7 days × 2 series; the aggregate counts every fold's rows.
    expect(run.metrics.cutoffs).toHaveLength(2);
    expect(run.metrics.folds.map((f: { cutoff: string }) => f.cutoff)).toEqual(run.metrics.cutoffs);
    expect(run.metrics.aggregate.n).toBe(run.metrics.folds[0].n + run.metrics.folds[1].n);
    expect(run.metrics.aggregate.n).toBeGreaterThan(20);
    expect(run.metrics.aggregate.wape).toBeGreaterThan(0);
    expect(version).toMatchObject({
      name: 'default',
      version: 1,
      stage: 'staging',
      run_id: run.id,
      dataset_id: datasetId,
      input_hash: inputHash,
      code_version: '0.1.0',
    });
    expect(version.artifact_bytes).toBeGreaterThan(1000);
    expect(version.artifact_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(version.metrics).toEqual(run.metrics);
    const usage = await h.platform.usage.read(admin.tenantId, new Date().toISOString().slice(0, 7));
    expect(usage.metrics.models.used).toBe(1);
    expect(usage.metrics.training_minutes.used).toBe(1);
  });

  it('records a failed run without registering anything', async () => {
    const res = await train(admin.token, { windows: 20 });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('INVALID_DATA');
    expect(res.json().detail).toMatch(/too short/);
    const failed = (await call(h, 'GET', '/v1/runs?status=failed', admin.token)).json().runs;
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ status: 'failed', artifact_ref: null, metrics: null });
    expect(failed[0].error).toBe(res.json().detail);
    const model = (await call(h, 'GET', '/v1/models/default', admin.token)).json();
    expect(model.model.latest_version).toBe(1);
  });

  it('refuses a viewer (403, audited as denied) and a manager forcing past the policy', async () => {
    expect((await train(viewer.token, {})).statusCode).toBe(403);
    const promote = await call(h, 'POST', '/v1/models/default/versions/1/promote', viewer.token, {});
    expect(promote.statusCode).toBe(403);
    expect((await call(h, 'POST', '/v1/models/default/rollback', viewer.token, {})).statusCode).toBe(403);
    const forced = await call(h, 'POST', '/v1/models/default/versions/1/promote', manager.token, {
      force: true,
    });
    expect(forced.statusCode).toBe(403);
    expect(forced.json().detail).toMatch(/Only an admin may force/);
    const audit = (await call(h, 'GET', `/v1/audit?actor=user:${viewer.userId}`, admin.token)).json().entries;
    expect(audit.map((e: { action: string; outcome: string }) => [e.action, e.outcome])).toEqual(
      expect.arrayContaining([
        ['POST /v1/models/:name/versions/:version/promote', 'denied'],
        ['POST /v1/models/:name/rollback', 'denied'],
        ['POST /v1/runs', 'denied'],
      ]),
    );
    // The viewer may read.
    expect((await call(h, 'GET', '/v1/models', viewer.token)).statusCode).toBe(200);
  });

  it('promotes the first version (no champion) and serving in another process sees it', async () => {
    await expect(other.productionModels.get(admin.tenantId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const changes: ModelChange[] = [];
    h.platform.productionModels.onChange((c) => changes.push(c));
    const res = await call(h, 'POST', '/v1/models/default/versions/1/promote', manager.token, {});
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      promoted: true,
      previous: null,
      version: { version: 1, stage: 'production' },
      evaluation: { champion: null, decision: { promote: true } },
    });
    expect(changes).toEqual([{ tenantId: admin.tenantId, name: 'default', version: 1 }]);
    const served = await other.productionModels.get(admin.tenantId);
    expect(served).toMatchObject({ version: 1, name: 'default', datasetId });
    expect(served.forecaster.predict(7).h).toBe(7);
  });

  it("re-scores the champion on the challenger's windows and applies the policy", async () => {
    const v2 = (await train(admin.token, { model: 'linear' })).json().version;
    expect(v2.version).toBe(2);
    const dry = await call(h, 'POST', '/v1/models/default/versions/2/promote', admin.token, {
      dry_run: true,
    });
    expect(dry.statusCode).toBe(200);
    const ev = dry.json().evaluation;
    expect(dry.json().promoted).toBe(false);
    expect(ev.champion).toBe(1);
    // Same windows, same rows.
    expect(ev.champion_metrics.cutoffs).toEqual(v2.metrics.cutoffs);
    expect(ev.champion_metrics.aggregate.n).toBe(v2.metrics.aggregate.n);
    const wape = ev.decision.comparisons.find((c: { metric: string }) => c.metric === 'wape');
    expect(wape.challenger).toBe(v2.metrics.aggregate.wape);
    expect(wape.champion).toBe(ev.champion_metrics.aggregate.wape);
    expect(await productionCount()).toBe(1);

    // An impossible margin makes the policy refuse: 409, audited with the metrics, nothing changes.
    const refused = await call(h, 'POST', '/v1/models/default/versions/2/promote', admin.token, {
      policy: { min_improvement_pct: 100 },
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('PROMOTION_REJECTED');
    const entry = (await call(h, 'GET', '/v1/audit?action=model.promote', admin.token)).json().entries[0];
    expect(entry).toMatchObject({ outcome: 'failure', target: 'model:default@2' });
    expect(entry.details.comparisons[0]).toMatchObject({ metric: 'wape', challenger: wape.challenger });
    expect((await other.productionModels.get(admin.tenantId)).version).toBe(1);
  });

  it('promotes by force (admin), then rolls back in one call; serving follows without restart', async () => {
    const res = await call(h, 'POST', '/v1/models/default/versions/2/promote', admin.token, {
      force: true,
      reason: 'manual override for the test',
    });
    expect(res.json()).toMatchObject({ promoted: true, previous: 1, evaluation: null });
    expect((await other.productionModels.get(admin.tenantId)).version).toBe(2);

    // No body at all: a rollback needs none.
    const rb = await call(h, 'POST', '/v1/models/default/rollback', manager.token);
    expect(rb.statusCode).toBe(200);
    expect(rb.json()).toMatchObject({ previous: 2, version: { version: 1, stage: 'production' } });
    expect((await other.productionModels.get(admin.tenantId)).version).toBe(1);

    const model = (await call(h, 'GET', '/v1/models/default', viewer.token)).json();
    expect(model.model).toMatchObject({ latest_version: 2, production_version: 1 });
    expect(model.versions.map((v: { version: number; stage: string }) => [v.version, v.stage])).toEqual([
      [2, 'archived'],
      [1, 'production'],
    ]);
    expect(
      model.history.map((c: { version: number; from_stage: string | null; to_stage: string }) => [
        c.version,
        c.from_stage,
        c.to_stage,
      ]),
    ).toEqual([
      [1, null, 'staging'],
      [1, 'staging', 'production'],
      [2, null, 'staging'],
      [1, 'production', 'archived'],
      [2, 'staging', 'production'],
      [2, 'production', 'archived'],
      [1, 'archived', 'production'],
    ]);
    expect(model.history[4]).toMatchObject({
      actor: `user:${admin.userId}`,
      reason: 'manual override for the test',
    });
    expect(model.history[6].metrics.restored.wape).toBe(model.versions[1].metrics.aggregate.wape);
    const audit = (await call(h, 'GET', '/v1/audit?action=model.rollback', admin.token)).json().entries;
    expect(audit[0]).toMatchObject({
      outcome: 'success',
      target: 'model:default@1',
      actor: `user:${manager.userId}`,
    });
  });

  it('compares runs side by side', async () => {
    const runs = (await call(h, 'GET', '/v1/runs?status=succeeded', viewer.token)).json().runs;
    expect(runs).toHaveLength(2);
    const res = await call(h, 'GET', `/v1/runs/compare?ids=${runs[1].id},${runs[0].id}`, viewer.token);
    expect(res.statusCode).toBe(200);
    const cmp = res.json();
    expect(cmp.runs.map((r: { id: string }) => r.id)).toEqual([runs[1].id, runs[0].id]);
    expect(cmp.params.find((p: { name: string }) => p.name === 'model')).toEqual({
      name: 'model',
      values: ['naive', 'linear'],
      differs: true,
    });
    expect(cmp.params.find((p: { name: string }) => p.name === 'horizon')).toMatchObject({ differs: false });
    const wape = cmp.metrics.find((m: { name: string }) => m.name === 'wape');
    expect(wape.values).toEqual([runs[1].metrics.aggregate.wape, runs[0].metrics.aggregate.wape]);
    expect(wape.best).toBe(Math.min(...wape.values));
    expect((await call(h, 'GET', `/v1/runs/compare?ids=${runs[0].id}`, viewer.token)).statusCode).toBe(400);
  });

  it('keeps versions immutable: the database refuses to change or delete one', async () => {
    const attempt = async (statement: string) => {
      if (dialect === 'sqlite') {
        const db = new SQLite(join(h.config.dataDir, 'salescast.db'));
        try {
          db.prepare(statement).run();
        } finally {
          db.close();
        }
        return;
      }
      const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await client.connect();
      try {
        await client.query(`SET search_path TO ${h.config.pgSchema}`);
        await client.query('BEGIN');
        await client.query(`SELECT set_config('app.tenant_id', $1, true)`, [admin.tenantId]);
        await client.query('SET LOCAL ROLE salescast_app');
        await client.query(statement);
      } finally {
        await client.query('ROLLBACK').catch(() => {});
        await client.end();
      }
    };
    await expect(attempt(`UPDATE model_versions SET metrics = '{}' WHERE version = 1`)).rejects.toThrow(
      /immutable|permission denied/,
    );
    await expect(attempt('DELETE FROM model_versions WHERE version = 2')).rejects.toThrow(
      /never deleted|permission denied/,
    );
    const v1 = await h.platform.registry.getVersion(systemActor(admin.tenantId), 'default', 1);
    expect(v1.metrics.aggregate.wape).toBeGreaterThan(0);
  });

  it('leaves the old state when a rollback fails midway (the target does not load)', async () => {
    // A version whose artifact is corrupt, registered through the repository as a buggy writer could.
    await h.platform.store.withTenant(admin.tenantId, async (r) => {
      const { version } = await r.models.nextVersion('default', 'system:test', new Date().toISOString());
      await r.models.insertVersion({
        id: `corrupt-${dialect}`,
        model_name: 'default',
        version,
        stage: 'archived',
        artifact: new Uint8Array([1, 2, 3, 4]),
        artifact_bytes: 4,
        artifact_sha256: '0'.repeat(64),
        metrics: '{"aggregate":{}}',
        hyperparameters: '{}',
        run_id: null,
        dataset_id: null,
        input_hash: '',
        code_version: '0.1.0',
        created_by: 'system:test',
        created_at: new Date().toISOString(),
      });
    });
    const before = (await call(h, 'GET', '/v1/models/default', admin.token)).json();
    const res = await call(h, 'POST', '/v1/models/default/rollback', admin.token, { to_version: 3 });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('INVALID_ARTIFACT');
    const after = (await call(h, 'GET', '/v1/models/default', admin.token)).json();
    expect(after.model.production_version).toBe(1);
    expect(after.history).toEqual(before.history);
    expect(after.versions.map((v: { stage: string }) => v.stage)).toEqual(
      before.versions.map((v: { stage: string }) => v.stage),
    );
    expect((await other.productionModels.get(admin.tenantId)).version).toBe(1);
    const audit = (await call(h, 'GET', '/v1/audit?action=model.rollback', admin.token)).json().entries;
    expect(audit[0]).toMatchObject({
      outcome: 'failure',
      target: 'model:default@3',
      details: { code: 'INVALID_ARTIFACT' },
    });
  });

  it('keeps exactly one production version under concurrent promotions and rollbacks', async () => {
    const by = systemActor(admin.tenantId, 'test');
    // Two processes on PostgreSQL. SQLite serves one process (embedded mode): two connections
    // in one Node process would deadlock on the synchronous busy wait, so both sides use one.
    const second = dialect === 'postgres' ? other : h.platform;
    const ops = [
      () => h.platform.registry.promote(by, 'default', 2, { force: true }, CTX),
      () => second.registry.rollback(by, 'default', {}, CTX),
      () => h.platform.registry.rollback(by, 'default', { toVersion: 2 }, CTX),
      () => second.registry.promote(by, 'default', 1, { force: true }, CTX),
      () => h.platform.registry.rollback(by, 'default', {}, CTX),
      () => second.registry.promote(by, 'default', 2, { force: true }, CTX),
    ];
    let watching = true;
    const seen: number[] = [];
    const watcher = (async () => {
      while (watching) seen.push(await productionCount());
    })();
    const results = await Promise.allSettled(ops.map((op) => op()));
    watching = false;
    await watcher;
    for (const r of results) {
      // A loser fails cleanly (already in production / nothing to roll back to), never half-way.
      if (r.status === 'rejected')
        expect(isSalescastError(r.reason) && r.reason.code, String(r.reason)).toBe('CONFLICT');
    }
    expect(results.some((r) => r.status === 'fulfilled')).toBe(true);
    expect(seen.length).toBeGreaterThan(0);
    expect(new Set(seen)).toEqual(new Set([1]));
    const model = await h.platform.registry.getModel(by, 'default');
    const production = model.versions.filter((v) => v.stage === 'production');
    expect(production).toHaveLength(1);
    // The history ends with the change that put the production version there.
    const last = model.history.filter((c) => c.to_stage === 'production').at(-1);
    expect(last?.version).toBe(production[0].version);
    expect((await other.productionModels.get(admin.tenantId)).version).toBe(production[0].version);
  });

  it('keeps the last production versions loadable (12 promotions, every one loads and forecasts)', async () => {
    const by = systemActor(admin.tenantId, 'test');
    const source = await h.platform.store.withTenant(admin.tenantId, (r) =>
      r.models.getVersion('default', 1),
    );
    const bytes = await h.platform.store.withTenant(admin.tenantId, (r) => r.models.artifact('default', 1));
    const promoted: number[] = [];
    for (let i = 0; i < 12; i++) {
      const version = await h.platform.store.withTenant(admin.tenantId, async (r) => {
        const { version } = await r.models.nextVersion('bulk', 'system:test', new Date().toISOString());
        await r.models.insertVersion({
          ...source!,
          id: `bulk-${dialect}-${i}`,
          model_name: 'bulk',
          version,
          stage: 'staging',
          artifact: bytes!,
        });
        return version;
      });
      await h.platform.registry.promote(by, 'bulk', version, { force: true }, CTX);
      promoted.push(version);
    }
    const model = await h.platform.registry.getModel(by, 'bulk');
    expect(model.versions.filter((v) => v.stage === 'archived')).toHaveLength(11);
    for (const v of promoted.slice(-10)) {
      const f = await h.platform.registry.loadVersion(admin.tenantId, 'bulk', v);
      expect(f.predict(7).models.naive.yhat.length).toBe(14);
    }
    // The LRU stays bounded whatever is served.
    const serving = createProductionModels({ store: h.platform.store, maxEntries: 2 });
    await serving.get(admin.tenantId, 'bulk');
    await serving.get(admin.tenantId, 'default');
    await h.platform.registry.rollback(by, 'bulk', {}, CTX);
    expect((await serving.get(admin.tenantId, 'bulk')).version).toBe(promoted[10]);
    expect(serving.cacheSize).toBe(2);
  });
});
