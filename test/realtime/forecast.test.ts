/**
 * The forecast API: single-series forecasts equal the forecaster's own panel forecast, come from
 * the prediction cache when repeated (visible in /metrics), follow promotions and rollbacks, batch
 * forecasts stream as NDJSON, and prediction rows are metered against the quota.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import { formatDay } from '../../src/core/dates.js';
import { createRealtime } from '../../src/realtime/realtime.js';
import { type Caller, call, DIALECTS, type Harness } from '../platform/harness.js';
import { fitStreamingDemo, type StreamingDemo, type SwitchableModels, startServing } from './fixtures.js';

describe.each(DIALECTS)('forecast API (%s)', (dialect) => {
  let h: Harness;
  let admin: Caller;
  let demo: StreamingDemo;
  let v2: StreamingDemo;
  let models: SwitchableModels;

  beforeAll(async () => {
    demo = fitStreamingDemo({ holdout: 30, days: 200 });
    // Version 2: trained on 10 more days, so its forecasts differ from version 1's.
    v2 = fitStreamingDemo({ holdout: 20, days: 200 });
    const serving = await startServing(dialect, { name: 'Forecasts', plan: 'pro', platformAdmin: true }, [
      demo.forecaster,
      v2.forecaster,
    ]);
    h = serving.h;
    admin = serving.admin;
    models = serving.models;
  });
  afterAll(async () => {
    await h?.close();
  });

  const series = () => demo.history.seriesIds[1];

  it('forecasts one series with the model version and quantiles, equal to the panel forecast', async () => {
    const res = await call(h, 'POST', '/v1/forecast', admin.token, { series_id: series(), h: 7 });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.model).toEqual({ name: 'default', version: 1 });
    expect(body.series_id).toBe(series());
    expect(body.forecasts).toHaveLength(7);
    const full = demo.forecaster.predict(7);
    const s = full.seriesIds.indexOf(series());
    body.forecasts.forEach(
      (row: { date: string; yhat: number; quantiles: Record<string, number> }, k: number) => {
        expect(row.date).toBe(formatDay(full.dates[s * 7 + k]));
        expect(row.yhat).toBeCloseTo(full.models.gbm.yhat[s * 7 + k], 9);
        expect(Object.keys(row.quantiles).sort()).toEqual(['0.1', '0.5', '0.9']);
        expect(row.quantiles['0.1']).toBeCloseTo(full.models.gbm.quantiles.get(0.1)![s * 7 + k], 9);
        expect(row.quantiles['0.1']).toBeLessThanOrEqual(row.quantiles['0.9']);
      },
    );
  });

  it('answers a repeated request from the cache and shows the hit rate in /metrics', async () => {
    const first = await call(h, 'POST', '/v1/forecast', admin.token, { series_id: series(), h: 3 });
    const again = await call(h, 'POST', '/v1/forecast', admin.token, { series_id: series(), h: 3 });
    expect(first.json().cache).toBe('miss');
    expect(again.json().cache).toBe('l1');
    expect(again.json().forecasts).toEqual(first.json().forecasts);
    // A hit is written from the rows serialised at the miss: the same bytes but for the level.
    expect(again.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(again.body).toBe(first.body.replace('"cache":"miss"', '"cache":"l1"'));
    expect(Object.keys(again.json())).toEqual(['series_id', 'model', 'h', 'cache', 'forecasts']);
    const metrics = await h.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(
      /salescast_prediction_cache_requests_total\{level="l1",result="hit"\} [1-9]/,
    );
    const ratio = Number(/^salescast_prediction_cache_hit_ratio (\S+)$/m.exec(metrics.body)?.[1]);
    expect(ratio).toBeGreaterThan(0);
    expect(ratio).toBeLessThan(1);
  });

  it('drops cached forecasts when a version is promoted and when it is rolled back', async () => {
    const body = { series_id: series(), h: 7 };
    await call(h, 'POST', '/v1/forecast', admin.token, body);
    expect((await call(h, 'POST', '/v1/forecast', admin.token, body)).json().cache).toBe('l1');

    models.setProduction(2);
    const promoted = (await call(h, 'POST', '/v1/forecast', admin.token, body)).json();
    expect(promoted.model.version).toBe(2);
    expect(promoted.cache).toBe('miss');
    // Version 2 was trained on 10 more days: its forecasts start 10 days later.
    const s = v2.history.seriesIds.indexOf(series());
    expect(promoted.forecasts[0].date).toBe(formatDay(v2.forecaster.predict(7).dates[s * 7]));

    models.setProduction(1);
    const rolledBack = (await call(h, 'POST', '/v1/forecast', admin.token, body)).json();
    expect(rolledBack.model.version).toBe(1);
    expect(rolledBack.cache).toBe('miss');
  });

  it('refuses an unknown series, a horizon beyond the model and a viewer-less caller', async () => {
    const unknown = await call(h, 'POST', '/v1/forecast', admin.token, { series_id: 'nope', h: 3 });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().field).toBe('series_id');
    const far = await call(h, 'POST', '/v1/forecast', admin.token, { series_id: series(), h: 30 });
    expect(far.statusCode).toBe(400);
    expect(far.json().field).toBe('h');
    const anonymous = await call(h, 'POST', '/v1/forecast', undefined, { series_id: series(), h: 3 });
    expect(anonymous.statusCode).toBe(401);
  });

  it('streams a batch as NDJSON, one line per series, equal to single forecasts', async () => {
    const res = await call(h, 'POST', '/v1/forecast/batch', admin.token, { h: 5 });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toContain('application/x-ndjson');
    const lines = res.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const n = demo.history.seriesIds.length;
    expect(lines[0]).toEqual({ model: { name: 'default', version: 1 }, h: 5, series: n, rows: n * 5 });
    expect(lines.slice(1).map((l) => l.series_id)).toEqual(demo.history.seriesIds);
    const single = (await call(h, 'POST', '/v1/forecast', admin.token, { series_id: series(), h: 5 })).json();
    expect(lines.find((l) => l.series_id === series()).forecasts).toEqual(single.forecasts);
  });

  it('refuses a batch above the row limit with 413 and a clear message, however long its id list', async () => {
    const realtime = await createRealtime(h.platform, { batchMaxRows: 10, consumeRedisStream: false });
    const app = await buildServer({ platform: h.platform, realtime });
    try {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/forecast/batch',
        headers: { authorization: `Bearer ${admin.token}` },
        payload: { h: 7 },
      });
      expect(res.statusCode).toBe(413);
      expect(res.json().code).toBe('PAYLOAD_TOO_LARGE');
      expect(res.json().detail).toMatch(/at most 10 rows/);
      // A list of ids past the server's 1 MiB default body limit is read, and judged by its rows.
      const ids = demo.history.seriesIds;
      const payload = JSON.stringify({
        h: 7,
        series_ids: Array.from({ length: 150_000 }, (_, i) => ids[i % 2]),
      });
      expect(payload.length).toBeGreaterThan(1024 * 1024);
      const long = await app.inject({
        method: 'POST',
        url: '/v1/forecast/batch',
        headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
        payload,
      });
      expect(long.statusCode).toBe(413);
      expect(long.json().detail).toMatch(/at most 10 rows/);
    } finally {
      await app.close();
      await realtime.close();
    }
  });

  it('meters prediction rows and answers 429 once the quota is used up', async () => {
    const before = (await call(h, 'GET', '/v1/usage', admin.token)).json().metrics.prediction_rows.used;
    await call(h, 'POST', '/v1/forecast', admin.token, { series_id: series(), h: 4 });
    const after = (await call(h, 'GET', '/v1/usage', admin.token)).json().metrics.prediction_rows.used;
    // Cached or not, every served row counts.
    expect(after - before).toBe(4);
    const quota = await call(h, 'PUT', `/v1/tenants/${admin.tenantId}/quotas`, admin.token, {
      prediction_rows: after + 5,
    });
    expect(quota.statusCode, quota.body).toBe(200);
    expect(
      (await call(h, 'POST', '/v1/forecast', admin.token, { series_id: series(), h: 5 })).statusCode,
    ).toBe(200);
    const over = await call(h, 'POST', '/v1/forecast', admin.token, { series_id: series(), h: 1 });
    expect(over.statusCode).toBe(429);
    expect(over.json().code).toBe('QUOTA_EXCEEDED');
    await call(h, 'PUT', `/v1/tenants/${admin.tenantId}/quotas`, admin.token, { prediction_rows: null });
  });
});
