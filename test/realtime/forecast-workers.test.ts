/**
 * Batch forecasts on worker threads: the NDJSON a large batch streams from the threads is the one
 * the request thread computes, before and after streamed actuals and across a promotion; a worker
 * that dies fails its tasks with a clear error; the thread count is configured and checked. The
 * threads run the compiled worker program (`npm test` builds it first).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import { formatDay } from '../../src/core/dates.js';
import type { JobView } from '../../src/mlops/jobs.js';
import { platformConfig } from '../../src/platform/config.js';
import { runBatchJob } from '../../src/realtime/batch-job.js';
import { PARALLEL_BATCH_ROWS, planBatch } from '../../src/realtime/forecast-service.js';
import { ForecastWorkers } from '../../src/realtime/forecast-workers.js';
import { createRealtime, type Realtime } from '../../src/realtime/realtime.js';
import { tenantDir } from '../../src/store/files.js';
import type { Caller, Harness } from '../platform/harness.js';
import {
  fitStreamingDemo,
  postStream,
  type StreamingDemo,
  type SwitchableModels,
  startServing,
} from './fixtures.js';

const COMPILED_WORKER = new URL('../../dist/realtime/forecast-worker.js', import.meta.url);

describe('batch forecasts on worker threads', () => {
  let h: Harness;
  let admin: Caller;
  let demo: StreamingDemo;
  let models: SwitchableModels;
  const apps: FastifyInstance[] = [];
  const realtimes: Realtime[] = [];

  /** A server over the shared platform whose batches run on `workers` threads (0: in process). */
  const server = async (workers: number) => {
    const realtime = await createRealtime(h.platform, {
      consumeRedisStream: false,
      forecastWorkers: workers,
      forecastWorkerScript: COMPILED_WORKER,
    });
    const app = await buildServer({ platform: h.platform, realtime });
    realtimes.push(realtime);
    apps.push(app);
    return { app, realtime };
  };
  const batch = async (app: FastifyInstance, body: object) => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/forecast/batch',
      headers: { authorization: `Bearer ${admin.token}` },
      payload: body,
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.body;
  };

  beforeAll(async () => {
    expect(existsSync(fileURLToPath(COMPILED_WORKER)), 'the compiled worker: run `npm run build`').toBe(true);
    // 48 series × h 21 = 1,008 rows: just above the rows from which a batch goes to the threads.
    demo = fitStreamingDemo({ stores: 6, products: 8, days: 200, holdout: 20, h: 21, trees: 30 });
    const v2 = fitStreamingDemo({ stores: 6, products: 8, days: 200, holdout: 10, h: 21, trees: 30 });
    const serving = await startServing('sqlite', { name: 'Workers', plan: 'enterprise' }, [
      demo.forecaster,
      v2.forecaster,
    ]);
    h = serving.h;
    admin = serving.admin;
    models = serving.models;
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    for (const r of realtimes) await r.close();
    await h?.close();
  });

  it('streams the same NDJSON from two threads as from the request thread', async () => {
    expect(demo.history.seriesIds.length * 21).toBeGreaterThanOrEqual(PARALLEL_BATCH_ROWS);
    const threaded = await server(2);
    const inProcess = await server(0);
    const body = await batch(threaded.app, { h: 21 });
    // Two rounds of a chunk per thread.
    expect(threaded.realtime.workers.stats()).toEqual({ threads: 2, inFlight: 0, completed: 4 });
    expect(body).toBe(await batch(inProcess.app, { h: 21 }));
    expect(inProcess.realtime.workers.stats()).toEqual({ threads: 0, inFlight: 0, completed: 0 });
    const metrics = (await threaded.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/^salescast_forecast_worker_threads 2$/m);
    expect(metrics).toMatch(/^salescast_forecast_worker_chunks_in_flight 0$/m);
    expect(metrics).toMatch(/^salescast_forecast_worker_chunks_total 4$/m);
    const lines = body.trim().split('\n');
    expect(lines).toHaveLength(1 + 48);
    expect(lines.slice(1).map((l) => JSON.parse(l).series_id)).toEqual(demo.history.seriesIds);
    const first = JSON.parse(lines[1]);
    expect(first.forecasts).toHaveLength(21);
    expect(first.forecasts[0].date).toBe(formatDay(demo.cutoff + 1));
    // A chosen subset, in the order asked, still on the threads (48 × 21 rows).
    const ids = [...demo.history.seriesIds].reverse();
    const subset = await batch(threaded.app, { h: 21, series_ids: ids });
    expect(subset).toBe(await batch(inProcess.app, { h: 21, series_ids: ids }));
  });

  it('forecasts from streamed actuals, and from the promoted version, on the threads', async () => {
    const threaded = await server(2);
    const before = await batch(threaded.app, { h: 21 });
    // Three days of actuals for every series, through the threaded server.
    const lines: string[] = [];
    for (const id of demo.history.seriesIds) {
      for (let d = 1; d <= 3; d++) {
        lines.push(JSON.stringify({ series_id: id, date: formatDay(demo.cutoff + d), y: 5 + d }));
      }
    }
    const streamed = await postStream(threaded.app, admin.token, lines.join('\n'));
    expect(streamed.statusCode, streamed.body).toBe(200);
    const after = await batch(threaded.app, { h: 21 });
    expect(threaded.realtime.workers.stats().completed).toBe(8);
    expect(after).not.toBe(before);
    expect(JSON.parse(after.split('\n')[1]).forecasts[0].date).toBe(formatDay(demo.cutoff + 4));
    // A server started now replays the stored records: its in-process batch is the same.
    const replayed = await server(0);
    expect(after).toBe(await batch(replayed.app, { h: 21 }));

    models.setProduction(2);
    const promoted = await batch(threaded.app, { h: 21 });
    expect(JSON.parse(promoted.split('\n')[0]).model).toEqual({ name: 'default', version: 2 });
    expect(promoted).toBe(await batch(replayed.app, { h: 21 }));
    models.setProduction(1);
  });

  it('runs batch jobs on the threads they share, writing what the streamed batch answers', async () => {
    const inProcess = await server(0);
    const streamed = await batch(inProcess.app, { h: 21 });
    const workers = new ForecastWorkers(2, COMPILED_WORKER);
    const runJob = async (jobId: string) => {
      const logs: string[] = [];
      const result = await runBatchJob(
        {
          job: { id: jobId, payload: { h: 21 } } as JobView,
          tenantId: admin.tenantId,
          attempt: 1,
          log: async (message) => {
            logs.push(message);
          },
          signal: new AbortController().signal,
        },
        {
          store: h.platform.store,
          productionModels: models,
          usage: h.platform.usage,
          dataDir: h.config.dataDir,
          workers,
        },
      );
      expect(logs[0]).toBe('forecasting 48 series × 21 = 1008 rows with default@1 on 2 threads');
      expect(result.rows).toBe(1008);
      const file = join(tenantDir(h.config.dataDir, admin.tenantId), result.file);
      expect(await readFile(file, 'utf8')).toBe(streamed);
    };
    try {
      // Two jobs at once, then one more: still the same two threads, which outlive each job.
      await Promise.all([runJob('job-on-threads-1'), runJob('job-on-threads-2')]);
      await runJob('job-on-threads-3');
      const stats = workers.stats();
      expect(stats.threads).toBe(2);
      expect(stats.inFlight).toBe(0);
      expect(stats.completed).toBeGreaterThanOrEqual(3 * 2);
    } finally {
      await workers.close();
    }
  });

  it('uses the platform’s threads, shared with batch jobs, unless given its own, and stops only its own', async () => {
    const shared = await createRealtime(h.platform, { consumeRedisStream: false });
    const own = await createRealtime(h.platform, { consumeRedisStream: false, forecastWorkers: 1 });
    expect(shared.workers).toBe(h.platform.operations.forecastWorkers());
    expect(own.workers).not.toBe(shared.workers);
    await shared.close();
    await own.close();
    // A closed set refuses any work before it looks at it; the platform's is still open, so it
    // gets as far as reading the (here empty) served model.
    const refusal = async (workers: ForecastWorkers) => {
      try {
        await workers.forecast({} as never, [], 1);
        return 'accepted';
      } catch (e) {
        return String(e);
      }
    };
    expect(await refusal(own.workers)).toMatch(/The forecast workers are closed/);
    expect(await refusal(h.platform.operations.forecastWorkers())).not.toMatch(/closed/);
  });

  it("hands every series' first period to the detectors, on the threads as on the request thread", async () => {
    const threaded = await server(0);
    const served = await threaded.realtime.serving.get(admin.tenantId);
    const workers = new ForecastWorkers(2, COMPILED_WORKER);
    try {
      const judgedOn = async (pool?: ForecastWorkers) => {
        const judged = new Map<string, number[]>();
        const plan = planBatch(served, { h: 21 }, pool, async (ids, firsts) => {
          ids.forEach((id, i) => {
            judged.set(id, Array.from(firsts.subarray(3 * i, 3 * i + 3)));
          });
        });
        let text = '';
        for await (const chunk of plan.chunks) text += chunk;
        return {
          threads: plan.threads,
          judged,
          lines: text
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l)),
        };
      };
      const onThreads = await judgedOn(workers);
      const here = await judgedOn(undefined);
      expect(onThreads.threads).toBe(2);
      expect(here.threads).toBe(0);
      expect(onThreads.judged).toEqual(here.judged);
      expect(here.judged.size).toBe(demo.history.seriesIds.length);
      for (const line of here.lines as { series_id: string; forecasts: { date: string; yhat: number }[] }[]) {
        const [day, yhat] = here.judged.get(line.series_id)!;
        expect(formatDay(day)).toBe(line.forecasts[0].date);
        expect(yhat).toBe(line.forecasts[0].yhat);
      }
    } finally {
      await workers.close();
    }
  });

  it('judges a chunk at the state it was forecast from, when a record lands before it is judged', async () => {
    const { realtime } = await server(0);
    const served = await realtime.serving.get(admin.tenantId);
    const workers = new ForecastWorkers(2, COMPILED_WORKER);
    try {
      const judgedAt = new Map<string, number | undefined>();
      const plan = planBatch(served, { h: 21 }, workers, async (ids, _firsts, versions) => {
        ids.forEach((id, i) => {
          judgedAt.set(id, versions?.[i]);
        });
      });
      const chunks = plan.chunks[Symbol.asyncIterator]();
      // Every chunk is on a thread once the first is back; then a record lands for the last series.
      await chunks.next();
      const last = demo.history.seriesIds.at(-1)!;
      const forecastAt = served.state.versionOf(last);
      served.state.apply({ seriesId: last, date: served.state.lastDate(last) + 1, y: 3, drivers: {} });
      while (!(await chunks.next()).done);
      expect(served.state.versionOf(last)).toBe(forecastAt + 1);
      expect(judgedAt.get(last)).toBe(forecastAt);
      expect(judgedAt.size).toBe(demo.history.seriesIds.length);
    } finally {
      await workers.close();
    }
  });

  it('sends a version again to a thread that has dropped it', async () => {
    const threaded = await server(0);
    const served = await threaded.realtime.serving.get(admin.tenantId);
    const workers = new ForecastWorkers(1, COMPILED_WORKER);
    try {
      const ids = demo.history.seriesIds.slice(0, 3);
      const first = await workers.forecast(served, ids, 7);
      // A thread keeps 8 versions: nine others push the first one out.
      for (let v = 0; v < 9; v++) await workers.forecast({ ...served, key: `${served.key}#${v}` }, ids, 7);
      expect(await workers.forecast(served, ids, 7)).toEqual(first);
      expect(workers.stats()).toEqual({ threads: 1, inFlight: 0, completed: 11 });
      const lines = first.text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { series_id: string; forecasts: { date: string; yhat: number }[] });
      expect(lines.map((l) => l.series_id)).toEqual(ids);
      // With each series' first period, as the request thread's detectors read it.
      expect(first.firsts).toHaveLength(3 * ids.length);
      lines.forEach((l, i) => {
        expect(formatDay(first.firsts[3 * i])).toBe(l.forecasts[0].date);
        expect(first.firsts[3 * i + 1]).toBe(l.forecasts[0].yhat);
        expect(first.firsts[3 * i + 2]).toBeGreaterThan(0);
      });
    } finally {
      await workers.close();
    }
  });

  it('refuses work once closed, and fails a task whose model cannot be sent', async () => {
    const threaded = await server(0);
    const served = await threaded.realtime.serving.get(admin.tenantId);
    const ids = demo.history.seriesIds.slice(0, 2);
    const workers = new ForecastWorkers(1, COMPILED_WORKER);
    const unserializable = {
      ...served,
      key: `${served.key}#broken`,
      model: {
        ...served.model,
        forecaster: Object.assign(Object.create(served.model.forecaster), {
          serialize: () => {
            throw new Error('no artifact');
          },
        }),
      },
    };
    await expect(workers.forecast(unserializable, ids, 7)).rejects.toThrow('no artifact');
    expect(workers.stats().inFlight).toBe(0);
    await workers.forecast(served, ids, 7);
    await workers.close();
    await expect(workers.forecast(served, ids, 7)).rejects.toThrow('The forecast workers are closed.');
    expect(workers.stats().threads).toBe(0);
  });

  it('fails the tasks of a worker that dies, naming why', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'salescast-worker-'));
    const script = join(dir, 'exits.mjs');
    await writeFile(script, 'process.exit(3);\n');
    const workers = new ForecastWorkers(1, pathToFileURL(script));
    const threaded = await server(0);
    const served = await threaded.realtime.serving.get(admin.tenantId);
    try {
      await expect(workers.forecast(served, demo.history.seriesIds.slice(0, 2), 7)).rejects.toThrow(
        'A forecast worker stopped: it exited with code 3',
      );
    } finally {
      await workers.close();
    }
  });

  it('stops a worker that does not answer in time and fails its chunks, naming why', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'salescast-worker-'));
    const script = join(dir, 'silent.mjs');
    // Takes every task and never answers, as a stuck thread would.
    await writeFile(
      script,
      "import { parentPort } from 'node:worker_threads';\nparentPort.on('message', () => {});\n",
    );
    const workers = new ForecastWorkers(1, pathToFileURL(script), 200);
    const threaded = await server(0);
    const served = await threaded.realtime.serving.get(admin.tenantId);
    const ids = demo.history.seriesIds.slice(0, 2);
    try {
      const started = Date.now();
      await expect(workers.forecast(served, ids, 7)).rejects.toThrow(
        'A forecast worker stopped: it did not answer a chunk within 0.2 s, so it was stopped',
      );
      expect(Date.now() - started).toBeGreaterThanOrEqual(190);
      expect(workers.stats()).toEqual({ threads: 0, inFlight: 0, completed: 0 });
      // The next chunk gets a new thread (which, running the same program, is stopped in turn).
      await expect(workers.forecast(served, ids, 7)).rejects.toThrow('within 0.2 s');
      expect(workers.stats().threads).toBe(0);
    } finally {
      await workers.close();
    }
  });

  it('takes its thread count from SALESCAST_FORECAST_WORKERS, and refuses a bad one', () => {
    expect(platformConfig({}, { SALESCAST_FORECAST_WORKERS: '3' }).forecastWorkers).toBe(3);
    expect(platformConfig({}, { SALESCAST_FORECAST_WORKERS: '0' }).forecastWorkers).toBe(0);
    expect(() => platformConfig({}, { SALESCAST_FORECAST_WORKERS: 'two' })).toThrow(
      "SALESCAST_FORECAST_WORKERS must be a whole number from 0 to 64; got 'two'.",
    );
    expect(() => platformConfig({}, { SALESCAST_FORECAST_WORKERS: '-1' })).toThrow(/from 0 to 64/);
    expect(new ForecastWorkers(2, new URL('file:///nowhere/forecast-worker.js')).available).toBe(false);
  });
});
