/**
 * Very large batch forecasts as durable jobs, with a real in-process worker: above the streaming
 * limit (set tiny here) `POST /v1/forecast/batch` answers 413 naming the limit and `async`, or 202
 * with a job id when `async: true`; the worker forecasts from the live state, meters the rows when
 * it runs and writes the NDJSON result atomically into the tenant's files; `GET
 * /v1/forecast/batch/:jobId` answers 409 until then, streams the same lines as a streamed batch
 * after, and 404 to another tenant.
 */
import { mkdir, mkdtemp, readdir, readFile, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import type { JobView } from '../../src/mlops/jobs.js';
import { platformConfig } from '../../src/platform/config.js';
import { createPlatform } from '../../src/platform/platform.js';
import { AnomalyDetector } from '../../src/realtime/anomaly.js';
import { pruneBatchResults, resultDir } from '../../src/realtime/batch-results.js';
import { createForecastService } from '../../src/realtime/forecast-service.js';
import { createRealtime, type Realtime } from '../../src/realtime/realtime.js';
import { tenantDir } from '../../src/store/files.js';
import { type Caller, call, createTenant, DIALECTS, type Harness } from '../platform/harness.js';
import { fitStreamingDemo, type StreamingDemo, type SwitchableModels, startServing } from './fixtures.js';

const LIMIT = 10;

describe.each(DIALECTS)('batch forecast jobs (%s)', (dialect) => {
  let h: Harness;
  let admin: Caller;
  let other: Caller;
  let demo: StreamingDemo;
  let realtime: Realtime;
  let app: FastifyInstance;
  let models: SwitchableModels;

  beforeAll(async () => {
    demo = fitStreamingDemo({ holdout: 30, days: 200 });
    const serving = await startServing(dialect, { name: 'Batches', plan: 'pro', platformAdmin: true }, [
      demo.forecaster,
    ]);
    h = serving.h;
    admin = serving.admin;
    models = serving.models;
    other = await createTenant(h, 'Elsewhere');
    // The same platform served with a tiny streaming limit, so a 6-series batch is "very large".
    realtime = await createRealtime(h.platform, { batchMaxRows: LIMIT, consumeRedisStream: false });
    app = await buildServer({ platform: h.platform, realtime });
  });
  afterAll(async () => {
    await app?.close();
    await realtime?.close();
    await h?.close();
  });

  const inject = (method: 'GET' | 'POST', url: string, token: string, payload?: object) =>
    app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, payload });
  const used = async () =>
    (await call(h, 'GET', '/v1/usage', admin.token)).json().metrics.prediction_rows.used as number;

  async function waitForJob(id: string, timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job = (await inject('GET', `/v1/jobs/${id}`, admin.token)).json();
      if (job.status === 'succeeded' || job.status === 'failed' || Date.now() > deadline) return job;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('refuses a batch above the streaming limit with 413 naming the limit and the async option', async () => {
    const res = await inject('POST', '/v1/forecast/batch', admin.token, { h: 7 });
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('PAYLOAD_TOO_LARGE');
    expect(res.json().detail).toMatch(/at most 10 rows/);
    expect(res.json().detail).toMatch(/"async": true/);
  });

  it('runs an async batch as a job: 409 while queued, then the same NDJSON as a streamed batch, judged', async () => {
    const n = demo.history.seriesIds.length;
    // The job's forecasts are judged by the real-time service's detectors (embedded), or by the
    // job's own on the baselines every process shares (Redis): any detector of this process.
    const judged: [string, number][] = [];
    const observe = AnomalyDetector.prototype.observeForecast;
    AnomalyDetector.prototype.observeForecast = function (seriesId, forecast, ...rest) {
      judged.push([seriesId, forecast]);
      return observe.call(this, seriesId, forecast, ...rest);
    };
    const before = await used();
    const accepted = await inject('POST', '/v1/forecast/batch', admin.token, { h: 7, async: true });
    expect(accepted.statusCode, accepted.body).toBe(202);
    const { job_id, status, series, rows, result_url } = accepted.json();
    expect({ status, series, rows, result_url }).toEqual({
      status: 'queued',
      series: n,
      rows: n * 7,
      result_url: `/v1/forecast/batch/${job_id}`,
    });
    // Nothing is metered until the job runs.
    expect(await used()).toBe(before);
    const early = await inject('GET', result_url, admin.token);
    expect(early.statusCode).toBe(409);
    expect(early.json().code).toBe('CONFLICT');
    expect(early.json().detail).toMatch(/is queued/);

    const worker = await h.platform.operations.startWorker({ pollMs: 50 });
    let job: Record<string, unknown> & { result: Record<string, unknown> };
    try {
      job = await waitForJob(job_id);
    } finally {
      await worker.stop();
      AnomalyDetector.prototype.observeForecast = observe;
    }
    expect(job.status, JSON.stringify(job)).toBe('succeeded');
    expect(job.kind).toBe('forecast-batch');
    const file = `forecast-batches/${job_id}/forecasts.ndjson`;
    expect(job.result).toMatchObject({
      model: { name: 'default', version: 1 },
      h: 7,
      series: n,
      rows: n * 7,
      file,
    });
    expect(await used()).toBe(before + n * 7);

    const res = await inject('GET', result_url, admin.token);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toContain('application/x-ndjson');
    expect(Number(job.result.bytes)).toBe(Buffer.byteLength(res.body));
    // The same lines a streamed batch of the same model and state answers (no limit on h.app).
    const streamed = await call(h, 'POST', '/v1/forecast/batch', admin.token, { h: 7 });
    expect(streamed.statusCode).toBe(200);
    expect(res.body).toBe(streamed.body);
    const lines = res.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({ model: { name: 'default', version: 1 }, h: 7, series: n, rows: n * 7 });
    expect(lines.slice(1).map((l) => l.series_id)).toEqual(demo.history.seriesIds);
    // Every series' first period went through the prediction-stream detector, once.
    expect(judged).toEqual(lines.slice(1).map((l) => [l.series_id, l.forecasts[0].yhat]));

    // Written in the tenant's files, with no temporary leftovers beside it.
    const dir = join(tenantDir(h.config.dataDir, admin.tenantId), 'forecast-batches');
    expect(await readdir(dir)).toEqual([job_id]);
    expect(await readFile(join(tenantDir(h.config.dataDir, admin.tenantId), file), 'utf8')).toBe(res.body);

    // Another tenant cannot see the job or its result.
    const foreign = await inject('GET', result_url, other.token);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().code).toBe('NOT_FOUND');
  });

  it('checks an async batch before queuing it: unknown series 404, horizon 400', async () => {
    const unknown = await inject('POST', '/v1/forecast/batch', admin.token, {
      h: 3,
      series_ids: ['nope'],
      async: true,
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().field).toBe('series_id');
    const far = await inject('POST', '/v1/forecast/batch', admin.token, { h: 30, async: true });
    expect(far.statusCode).toBe(400);
    expect(far.json().field).toBe('h');
    const jobs = (await inject('GET', '/v1/jobs?kind=forecast-batch', admin.token)).json().jobs;
    expect(jobs).toHaveLength(1);
  });

  it('answers 404 for a job that is not a batch forecast and for an unknown id', async () => {
    const missing = await inject(
      'GET',
      '/v1/forecast/batch/00000000-0000-0000-0000-000000000000',
      admin.token,
    );
    expect(missing.statusCode).toBe(404);
    const monitor = await h.platform.operations.jobs.enqueue(admin.tenantId, {
      kind: 'monitor',
      payload: { dataset_id: 'none' },
      createdBy: 'test',
    });
    const wrongKind = await inject('GET', `/v1/forecast/batch/${monitor.id}`, admin.token);
    expect(wrongKind.statusCode).toBe(404);
    expect(wrongKind.json().detail).toMatch(/No batch forecast job/);
  });

  it('judges only with a version already loaded, never loading one to judge', async () => {
    const key = `${admin.tenantId}|default|99`;
    await realtime.forecasts.judgeBatch(key, ['S1/P1'], new Float64Array([0, 1, 1]));
    expect(realtime.serving.loadedVersion(key)).toBeUndefined();
  });

  it('still answers when an alert cannot be raised, and says why', async () => {
    const errors: string[] = [];
    const forecasts = createForecastService({
      serving: realtime.serving,
      usage: h.platform.usage,
      // The alert store unreachable.
      alerts: {
        ...realtime.alerts,
        raise: async () => {
          throw new Error('connection refused');
        },
      },
      onError: (message) => errors.push(message),
    });
    const served = await realtime.serving.get(admin.tenantId);
    const id = demo.history.seriesIds[0];
    const observe = served.detector.observeForecast;
    served.detector.observeForecast = () => ({
      kind: 'forecast_spike',
      severity: 'major',
      score: 9,
      value: 50,
      expected: 5,
    });
    try {
      await forecasts.judgeBatch(served.key, [id], new Float64Array([served.state.lastDate(id) + 1, 50, 1]));
    } finally {
      served.detector.observeForecast = observe;
    }
    expect(errors).toEqual([`raising a forecast_spike alert for series '${id}' failed`]);
  });

  it('removes results past their retention when a worker starts, and says why when one is asked for', async () => {
    const jobs = (await inject('GET', '/v1/jobs?kind=forecast-batch', admin.token)).json().jobs as JobView[];
    const done = jobs.find((j) => j.status === 'succeeded')!;
    const dir = resultDir(h.config.dataDir, admin.tenantId, done.id);
    const batches = dirname(dir);
    // A folder left by an attempt that died before its rename, and a recent result.
    const leftover = join(batches, `.${done.id}.tmp-1-0000`);
    await mkdir(leftover);
    await mkdir(join(batches, 'recent'));
    const eightDaysAgo = new Date(Date.now() - 8 * 86_400_000);
    await utimes(dir, eightDaysAgo, eightDaysAgo);
    await utimes(leftover, eightDaysAgo, eightDaysAgo);
    const worker = await h.platform.operations.startWorker({ pollMs: 50 });
    try {
      const deadline = Date.now() + 10_000;
      while ((await readdir(batches)).length > 1 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
    } finally {
      await worker.stop();
    }
    expect(await readdir(batches)).toEqual(['recent']);
    const gone = await inject('GET', `/v1/forecast/batch/${done.id}`, admin.token);
    expect(gone.statusCode).toBe(404);
    expect(gone.json().detail).toBe(
      `The result file of batch forecast job '${done.id}' is gone. Results are kept 7 days (SALESCAST_BATCH_RESULT_DAYS).`,
    );
  });

  it.runIf(dialect === 'postgres' && process.env.REDIS_URL)(
    "judges a job's forecasts on the baselines every process shares, and raises their alerts",
    async () => {
      // A baseline another process left for one series: recent one-step forecasts near 1,000,
      // which the model's forecast of a few units is far below.
      const id = demo.history.seriesIds[1];
      const { key } = await realtime.serving.get(admin.tenantId);
      const redis = new Redis(process.env.REDIS_URL!);
      try {
        const values = Array.from({ length: 14 }, (_, k) => 1000 + k);
        await redis.set(
          `${h.config.redisPrefix}anomaly:${key}:f|${id}`,
          JSON.stringify({ values, run: 0 }),
          'EX',
          600,
        );
      } finally {
        await redis.quit();
      }
      const accepted = await inject('POST', '/v1/forecast/batch', admin.token, {
        h: 7,
        async: true,
        series_ids: [id],
      });
      expect(accepted.statusCode, accepted.body).toBe(202);
      // A dedicated worker process: the same database, Redis and files, and no real-time service.
      const workerProcess = await createPlatform(h.config, { productionModels: models });
      const worker = await workerProcess.operations.startWorker({ pollMs: 50 });
      try {
        expect((await waitForJob(accepted.json().job_id)).status).toBe('succeeded');
      } finally {
        await worker.stop();
        await workerProcess.close();
      }
      const alerts = (
        await inject('GET', `/v1/alerts?series_id=${encodeURIComponent(id)}`, admin.token)
      ).json().alerts as { kind: string; model: string; expected: number }[];
      expect(alerts).toContainEqual(
        expect.objectContaining({ kind: 'forecast_drop', model: 'default@1', expected: 1006.5 }),
      );
    },
  );
});

describe('batch result retention', () => {
  it('comes from SALESCAST_BATCH_RESULT_DAYS, 7 by default, and a bad value is refused by name', () => {
    expect(platformConfig({}, {}).batchResultDays).toBe(7);
    expect(platformConfig({}, { SALESCAST_BATCH_RESULT_DAYS: '0' }).batchResultDays).toBe(0);
    expect(platformConfig({}, { SALESCAST_BATCH_RESULT_DAYS: '30' }).batchResultDays).toBe(30);
    for (const bad of ['-1', '1.5', 'week']) {
      expect(() => platformConfig({}, { SALESCAST_BATCH_RESULT_DAYS: bad })).toThrow(
        `SALESCAST_BATCH_RESULT_DAYS must be a whole number of days, 0 to keep results until removed by hand; got '${bad}'.`,
      );
    }
  });

  it('keeps results younger than the retention and every one when it is 0', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'salescast-batches-'));
    const batches = join(dataDir, 'tenants', 't1', 'forecast-batches');
    await mkdir(join(batches, 'old'), { recursive: true });
    await mkdir(join(batches, 'young'));
    const now = Date.now();
    const at = (days: number) => new Date(now - days * 86_400_000);
    await utimes(join(batches, 'old'), at(3), at(3));
    await utimes(join(batches, 'young'), at(1), at(1));
    expect(await pruneBatchResults(dataDir, 2, now)).toBe(1);
    expect(await readdir(batches)).toEqual(['young']);
    expect(await pruneBatchResults(join(dataDir, 'nowhere'), 2, now)).toBe(0);
  });
});
