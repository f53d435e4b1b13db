/**
 * Retraining end to end through the API (app.inject), on the real store (SQLite; PostgreSQL and
 * Redis when configured): a first retrain promotes v1 (no champion, automatic promotion allowed);
 * then demo data with a structural break (demand halves) arrives, monitoring finds decay, the
 * tenant's decay trigger enqueues a retrain, and the worker registers and promotes a better v2.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoRetailer } from '../../src/data/demo/generate.js';
import { tableToCsv } from '../../src/data/demo/writers.js';
import { SOURCE_NAMES } from '../../src/data/schema.js';
import { systemActor } from '../../src/mlops/registry-service.js';
import { registryRetrainSteps } from '../../src/mlops/retrain-steps.js';
import {
  addUser,
  type Caller,
  call,
  createTenant,
  DIALECTS,
  type Harness,
  startHarness,
  upload,
} from '../platform/harness.js';

const START = '2024-01-01';
const BREAK_DAY = 112;
const BREAK = '2024-04-22'; // START + 112 days

/** Demo sources (1 store × 3 products, seed 11) over `days`; from BREAK every product's demand × factor. */
function sources(days: number, factor?: number): [string, string][] {
  const retailer = generateDemoRetailer({
    stores: 1,
    products: 3,
    days,
    start: START,
    seed: 11,
    ...(factor === undefined ? {} : { demandBreak: { from: BREAK, factor, products: 3 } }),
  });
  return SOURCE_NAMES.filter((s) => retailer.tables[s].rows.length > 0).map((s) => [
    `${s}.csv`,
    tableToCsv(retailer.tables[s]),
  ]);
}

async function waitForJob(h: Harness, token: string, id: string, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = (await call(h, 'GET', `/v1/jobs/${id}`, token)).json();
    if (job.status === 'succeeded' || job.status === 'failed' || Date.now() > deadline) return job;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The tenant's decay trigger: a retrain of 14 days, 3 trials, seed 3 when monitoring finds decay. */
async function addDecayTrigger(h: Harness, token: string) {
  const trigger = await call(h, 'POST', '/v1/schedules', token, {
    name: 'retrain on decay',
    trigger: 'decay',
    payload: { horizon: 14, trials: 3, seed: 3 },
  });
  expect(trigger.statusCode).toBe(201);
}

describe.each(DIALECTS)('retraining (%s)', (dialect) => {
  let h: Harness;
  let admin: Caller;
  beforeAll(async () => {
    h = await startHarness(dialect);
    admin = await createTenant(h, 'Retrain');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('decay simulation: a demand break triggers a retrain and a better model is promoted automatically', async () => {
    expect(BREAK_DAY).toBe((Date.parse(BREAK) - Date.parse(START)) / 86_400_000);
    const settings = await call(h, 'PUT', '/v1/mlops/settings', admin.token, {
      auto_promote: true,
      decay: { margin: 0.25, periods: 2, period_days: 7 },
    });
    expect(settings.statusCode).toBe(200);
    expect(settings.json()).toMatchObject({
      auto_promote: true,
      decay: { margin: 0.25, periods: 2, periodDays: 7 },
    });
    await addDecayTrigger(h, admin.token);

    let worker = await h.platform.operations.startWorker({ pollMs: 50 });
    try {
      // Before the break: the first retrain has no champion to beat and is promoted.
      const before = await upload(h, admin.token, sources(BREAK_DAY));
      expect(before.statusCode).toBe(201);
      const first = await call(h, 'POST', '/v1/jobs/retrain', admin.token, {
        dataset_id: before.json().id,
        horizon: 14,
        trials: 3,
        seed: 3,
      });
      expect(first.statusCode).toBe(202);
      const v1job = await waitForJob(h, admin.token, first.json().id);
      expect(v1job.status).toBe('succeeded');
      expect(v1job.result).toMatchObject({ version: 1, promoted: true, auto_promote: true });
      expect(v1job.logs.map((l: { message: string }) => l.message)).toContain(
        'promoted default v1 to production',
      );
      // No worker while the new data is checked, so the order of the jobs below is deterministic.
      await worker.stop();

      // After the break: 4 weeks of actuals at half the demand.
      const after = await upload(h, admin.token, sources(BREAK_DAY + 28, 0.5));
      expect(after.statusCode).toBe(201);
      // A background check, queued first: it runs before the retrain it will find already queued.
      const monitorJob = await call(h, 'POST', '/v1/jobs/monitor', admin.token, {
        dataset_id: after.json().id,
      });
      expect(monitorJob.statusCode).toBe(202);
      const check = await call(h, 'POST', '/v1/monitoring/check', admin.token, {
        dataset_id: after.json().id,
      });
      expect(check.statusCode).toBe(201);
      const report = check.json();
      expect(report).toMatchObject({ model: 'default', version: 1, dataset_id: after.json().id });
      // v1 forecasts 14 days (its horizon) after its data: 2 weekly periods of 3 series × 7 days,
      // less the days whose units are unknown (the demo plants a few missing sales records).
      expect(report.rows).toBeGreaterThan(36);
      expect(report.rows).toBeLessThanOrEqual(42);
      expect(report.decay.periods).toHaveLength(2);
      expect(report.decay.decayed).toBe(true);
      expect(report.decay.realized_wape).toBeGreaterThan(report.decay.threshold);
      const y = report.drift.find((d: { feature: string }) => d.feature === 'y');
      expect(y.kind).toBe('numeric');
      expect(y.psi).toBeGreaterThan(0.1);
      expect(report.triggered_job_id).toEqual(expect.any(String));
      console.log(
        `[decay] expected WAPE ${report.decay.expected_wape.toFixed(4)}, realized ${report.decay.realized_wape.toFixed(4)} (${report.decay.periods.map((p: { wape: number }) => p.wape.toFixed(4)).join(', ')}), y PSI ${y.psi.toFixed(4)}, KS ${y.ks.toFixed(4)} p ${y.p.toExponential(2)}`,
      );
      // The same finding checked again does not start a second retrain.
      const again = (
        await call(h, 'POST', '/v1/monitoring/check', admin.token, { dataset_id: after.json().id })
      ).json();
      expect(again.triggered_job_id).toBe(report.triggered_job_id);

      // The background check finds the same decay and the same retrain.
      worker = await h.platform.operations.startWorker({ pollMs: 50 });
      const monitored = await waitForJob(h, admin.token, monitorJob.json().id);
      expect(monitored.status).toBe('succeeded');
      expect(monitored.result).toEqual({
        report_id: expect.any(String),
        triggered_job_id: report.triggered_job_id,
      });

      const v2job = await waitForJob(h, admin.token, report.triggered_job_id);
      expect(v2job.status).toBe('succeeded');
      expect(v2job.payload).toMatchObject({ dataset_id: after.json().id, reason: `decay:${report.id}` });
      expect(v2job.result).toMatchObject({ version: 2, promoted: true, reused: false });
      console.log(`[retrain] ${v2job.result.comparison.reason} (${v2job.duration_seconds} s)`);

      const model = (await call(h, 'GET', '/v1/models/default', admin.token)).json();
      expect(model.model.production_version).toBe(2);
      expect(model.versions.filter((v: { stage: string }) => v.stage === 'production')).toHaveLength(1);
      const reports = (await call(h, 'GET', '/v1/monitoring/reports?model=default', admin.token)).json()
        .reports;
      expect(reports.map((r: { id: string }) => r.id)).toContain(report.id);
    } finally {
      await worker.stop();
    }
  }, 300_000);

  it('a tenant that only streams its sales is monitored and retrained on the streamed actuals', async () => {
    const streamer = await createTenant(h, 'Streamer');
    const dataset = await upload(h, streamer.token, sources(BREAK_DAY));
    expect(dataset.statusCode).toBe(201);
    const datasetId = dataset.json().id;
    const settings = await call(h, 'PUT', '/v1/mlops/settings', streamer.token, { auto_promote: true });
    expect(settings.statusCode).toBe(200);
    await addDecayTrigger(h, streamer.token);
    const worker = await h.platform.operations.startWorker({ pollMs: 50 });
    try {
      const first = await call(h, 'POST', '/v1/jobs/retrain', streamer.token, {
        dataset_id: datasetId,
        horizon: 14,
        trials: 3,
        seed: 3,
      });
      const v1job = await waitForJob(h, streamer.token, first.json().id);
      expect(v1job.result).toMatchObject({ version: 1, promoted: true, streamed_through: null });

      // Four weeks after the dataset, at half the demand, arrive as a stream of actuals only.
      const later = generateDemoRetailer({
        stores: 1,
        products: 3,
        days: BREAK_DAY + 28,
        start: START,
        seed: 11,
        demandBreak: { from: BREAK, factor: 0.5, products: 3 },
      }).tables.sales;
      const col = (name: string) => later.columns.indexOf(name);
      const seen = new Set<string>();
      const lines: string[] = [];
      for (const row of later.rows) {
        const [store, product, date, units] = ['store_id', 'product_id', 'date', 'units'].map(
          (c) => row[col(c)],
        );
        const series = `${store}/${product}`;
        // The demo's planted junk (unknown products, bad units, duplicates) is not streamed.
        if (String(date) < BREAK || !/^P00[1-3]$/.test(String(product))) continue;
        if (!(Number(units) >= 0) || seen.has(`${series}|${date}`)) continue;
        seen.add(`${series}|${date}`);
        lines.push(JSON.stringify({ series_id: series, date, y: Number(units) }));
      }
      expect(lines.length).toBeGreaterThan(70);
      const streamed = await h.app.inject({
        method: 'POST',
        url: '/v1/stream',
        headers: { authorization: `Bearer ${streamer.token}`, 'content-type': 'application/x-ndjson' },
        payload: `${lines.join('\n')}\n`,
      });
      expect(streamed.statusCode).toBe(200);
      const lastDate = lines
        .map((l) => JSON.parse(l).date as string)
        .sort()
        .at(-1);
      expect(lastDate).toBe('2024-05-19');

      // The dataset alone has nothing after v1's data; with the stream, monitoring finds the decay.
      // The check runs as a monitoring schedule enqueues it (test/mlops/jobs.test.ts): on the newest
      // dataset when it runs, with the actuals streamed after it.
      const check = () =>
        h.platform.operations.jobs.enqueue(streamer.tenantId, {
          kind: 'monitor',
          payload: {},
          createdBy: 'schedule:test',
        });
      const checkJob = await waitForJob(h, streamer.token, (await check()).id);
      expect(checkJob, JSON.stringify(checkJob.error)).toMatchObject({
        kind: 'monitor',
        status: 'succeeded',
      });
      const report = (
        await call(h, 'GET', `/v1/monitoring/reports/${checkJob.result.report_id}`, streamer.token)
      ).json();
      expect(report).toMatchObject({ version: 1, dataset_id: datasetId, streamed_actuals: lines.length });
      // v1's horizon, 14 days (to 2024-05-05), of 3 series: the streamed days among them (the demo
      // leaves a few days without a sales record).
      expect(report.rows).toBe(lines.filter((l) => JSON.parse(l).date <= '2024-05-05').length);
      expect(report.rows).toBeGreaterThan(36);
      expect(report.decay.decayed).toBe(true);
      expect(report.triggered_job_id).toEqual(expect.any(String));
      expect(checkJob.result.triggered_job_id).toBe(report.triggered_job_id);
      console.log(
        `[streamed decay] expected WAPE ${report.decay.expected_wape.toFixed(4)}, realized ${report.decay.realized_wape.toFixed(4)}`,
      );

      const v2job = await waitForJob(h, streamer.token, report.triggered_job_id);
      expect(v2job.status).toBe('succeeded');
      expect(v2job.result).toMatchObject({ version: 2, promoted: true, streamed_through: lastDate });
      const messages = v2job.logs.map((l: { message: string }) => l.message);
      expect(messages).toContainEqual(
        expect.stringContaining(`data: dataset ${datasetId} and the actuals streamed after it`),
      );
      expect(messages).toContainEqual(expect.stringContaining(`streamed actuals through ${lastDate}`));
      const v2 = (await call(h, 'GET', '/v1/models/default/versions/2', streamer.token)).json();
      expect(v2).toMatchObject({ dataset_id: datasetId, hyperparameters: { streamed_through: lastDate } });
      const run = (await call(h, 'GET', `/v1/runs/${v2job.result.run_id}`, streamer.token)).json();
      expect(run.features.streamed).toEqual({ actuals: lines.length, through: lastDate, skipped: 0 });
      console.log(`[streamed retrain] ${v2job.result.comparison.reason}`);

      // v2 was trained through the last streamed day: the next check has nothing new, and is done.
      const idle = await waitForJob(h, streamer.token, (await check()).id);
      expect(idle).toMatchObject({
        status: 'succeeded',
        result: { report_id: null, triggered_job_id: null },
      });
      expect(idle.logs.map((l: { message: string }) => l.message)).toContain(
        'no period after the production model’s data yet: nothing to check',
      );
      // Asked through the API, the same is bad input, naming the dataset.
      const asked = await call(h, 'POST', '/v1/monitoring/check', streamer.token, { dataset_id: datasetId });
      expect(asked.statusCode).toBe(422);
      expect(asked.json()).toMatchObject({ code: 'INVALID_DATA', field: 'dataset_id' });

      // A run on the dataset is that dataset alone unless it asks for the stream.
      const plain = await call(h, 'POST', '/v1/runs', streamer.token, {
        dataset_id: datasetId,
        kind: 'backtest',
        horizon: 14,
        model: 'naive',
      });
      expect(plain.statusCode).toBe(201);
      expect(plain.json().run.features.streamed).toBeNull();
      expect(plain.json().run.params.streamed_actuals).toBe(false);
      const withStream = await call(h, 'POST', '/v1/runs', streamer.token, {
        dataset_id: datasetId,
        kind: 'backtest',
        horizon: 14,
        model: 'naive',
        streamed_actuals: true,
      });
      expect(withStream.json().run.features.streamed).toMatchObject({ actuals: lines.length });
      // Its backtest windows end at the stream's last date, not the dataset's.
      expect(withStream.json().run.metrics.cutoffs.at(-1)).not.toEqual(
        plain.json().run.metrics.cutoffs.at(-1),
      );
      expect(
        (await call(h, 'POST', '/v1/jobs/retrain', streamer.token, { streamed_actuals: 'yes' })).statusCode,
      ).toBe(400);
    } finally {
      await worker.stop();
    }
  }, 300_000);

  it('a retry of a committed train-and-register finds the version instead of registering another', async () => {
    const steps = registryRetrainSteps(h.platform.registry);
    const models = await h.platform.registry.getModel(systemActor(admin.tenantId), 'default');
    const key = `job:${models.versions[0].created_by.replace(/^system:job:/, '')}`;
    const found = await steps.trainAndRegister(admin.tenantId, {
      datasetId: models.versions[0].dataset_id as string,
      model: 'default',
      horizon: 14,
      trials: 3,
      seed: 3,
      streamedActuals: true,
      idempotencyKey: key,
      actor: key,
      log: async () => {},
      signal: new AbortController().signal,
    });
    expect(found).toMatchObject({ version: models.versions[0].version, reused: true });
    const after = await h.platform.registry.getModel(systemActor(admin.tenantId), 'default');
    expect(after.versions).toHaveLength(models.versions.length);
  });

  it('checks permissions: viewers read, analysts train, only models:promote changes settings', async () => {
    const viewer = await addUser(h, admin, 'viewer');
    const analyst = await addUser(h, admin, 'analyst');
    expect((await call(h, 'POST', '/v1/jobs/retrain', viewer.token, {})).statusCode).toBe(403);
    const missing = await call(h, 'POST', '/v1/jobs/retrain', analyst.token, {
      dataset_id: 'no-such-dataset',
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'NOT_FOUND' });
    const badTrials = await call(h, 'POST', '/v1/jobs/retrain', analyst.token, { trials: 0 });
    expect(badTrials.statusCode).toBe(400);
    expect((await call(h, 'GET', '/v1/jobs', viewer.token)).statusCode).toBe(200);
    expect((await call(h, 'GET', '/v1/monitoring/reports', viewer.token)).statusCode).toBe(200);
    expect((await call(h, 'GET', '/v1/mlops/settings', viewer.token)).json().auto_promote).toBe(true);
    const denied = await call(h, 'PUT', '/v1/mlops/settings', analyst.token, { auto_promote: false });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().code).toBe('FORBIDDEN');
    const bad = await call(h, 'POST', '/v1/schedules', analyst.token, {
      name: 'x',
      trigger: 'cron',
      cron: 'not a cron',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(bad.json().detail ?? bad.json().message ?? '').toMatch(/not a valid cron expression/);
    const weekly = await call(h, 'POST', '/v1/schedules', analyst.token, {
      name: 'weekly',
      trigger: 'cron',
      cron: 'weekly',
    });
    expect(weekly.statusCode).toBe(201);
    expect(new Date(weekly.json().next_run_at).getUTCDay()).toBe(1);
    expect((await call(h, 'DELETE', `/v1/schedules/${weekly.json().id}`, viewer.token)).statusCode).toBe(403);
    expect((await call(h, 'DELETE', `/v1/schedules/${weekly.json().id}`, analyst.token)).statusCode).toBe(
      204,
    );
    expect((await call(h, 'DELETE', `/v1/schedules/${weekly.json().id}`, analyst.token)).statusCode).toBe(
      404,
    );
  });
});
