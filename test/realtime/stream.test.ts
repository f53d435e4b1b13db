/**
 * Streaming actuals: the online state the served model forecasts from gives exactly the training
 * features of the same history; a bad line is refused by number with nothing applied; streaming
 * load meets the rate limit and the API-call quota with 429; with Redis, records XADDed to the
 * stream are consumed by the consumer group.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDay, parseIsoDay } from '../../src/core/dates.js';
import { computeBatch } from '../../src/features/definition.js';
import { buildFeatureSet } from '../../src/features/feature-set.js';
import { isCategorical, type Panel, panelThrough } from '../../src/features/panel.js';
import type { Forecaster } from '../../src/forecast/forecaster.js';
import { createRealtime, type Realtime } from '../../src/realtime/realtime.js';
import {
  appliedChannel,
  createStreamService,
  MAX_DELIVERIES,
  streamKey,
} from '../../src/realtime/stream-service.js';
import { type Caller, call, DIALECTS, type Dialect, type Harness } from '../platform/harness.js';
import {
  COMPACT,
  fitStreamingDemo,
  postStream,
  type StreamingDemo,
  type SwitchableModels,
  startServing,
} from './fixtures.js';

/** The drivers of panel row `r` as a stream record carries them. */
function driversAt(panel: Panel, r: number): Record<string, number | string | null> {
  const out: Record<string, number | string | null> = {};
  for (const [name, col] of Object.entries(panel.exog)) {
    if (isCategorical(col)) out[name] = col.codes[r] < 0 ? null : col.levels[col.codes[r]];
    else out[name] = Number.isFinite(col[r]) ? col[r] : null;
  }
  return out;
}

/** NDJSON of every series' actuals (with drivers) dated in (from, to]. */
function actualsBetween(panel: Panel, from: number, to: number): string {
  const lines: string[] = [];
  for (let s = 0; s < panel.seriesIds.length; s++) {
    for (let r = panel.offsets[s]; r < panel.offsets[s + 1]; r++) {
      const d = panel.dates[r];
      if (d <= from || d > to || !Number.isFinite(panel.y[r])) continue;
      lines.push(
        JSON.stringify({
          series_id: panel.seriesIds[s],
          date: formatDay(d),
          y: panel.y[r],
          drivers: driversAt(panel, r),
        }),
      );
    }
  }
  return lines.join('\n');
}

/** The features of `forecaster` (its own configuration) over the training panel. */
function featuresOf(forecaster: Forecaster, training: Panel) {
  const o = forecaster.options;
  return buildFeatureSet(training, {
    lags: o.lags,
    lagTransforms: o.lagTransforms,
    exog: o.exog,
    targetEncodings: o.targetEncodings,
  });
}

/**
 * `defs` over `trainRows` of the training panel equal them over `onlineRows` of the online one,
 * to 1e-9 (an ewm reads the whole series in training and the window online).
 */
function expectSameFeatures(
  defs: ReturnType<typeof buildFeatureSet>,
  training: Panel,
  trainRows: Int32Array,
  online: Panel,
  onlineRows: Int32Array,
): void {
  const a = computeBatch(training, defs, trainRows);
  const b = computeBatch(online, defs, onlineRows);
  expect(b.names).toEqual(a.names);
  for (let i = 0; i < a.data.length; i++) {
    if (Number.isNaN(a.data[i])) expect(b.data[i]).toBeNaN();
    else expect(b.data[i]).toBeCloseTo(a.data[i], 9);
  }
}

/**
 * A platform on `dialect` serving `forecaster` to one enterprise tenant, and a second view of it
 * (`realtime`, standing for another process) whose services the test can inspect.
 */
async function servingWithView(
  dialect: Dialect,
  name: string,
  forecaster: Forecaster,
  platformAdmin = false,
): Promise<{ h: Harness; admin: Caller; models: SwitchableModels; realtime: Realtime }> {
  const { h, admin, models } = await startServing(dialect, { name, plan: 'enterprise', platformAdmin }, [
    forecaster,
  ]);
  return { h, admin, models, realtime: await createRealtime(h.platform, { consumeRedisStream: false }) };
}

describe.each(DIALECTS)('streaming actuals (%s)', (dialect) => {
  let h: Harness;
  let admin: Caller;
  let demo: StreamingDemo;
  let models: SwitchableModels;
  let realtime: Realtime;

  beforeAll(async () => {
    demo = fitStreamingDemo({ holdout: 30, days: 240 });
    ({ h, admin, models, realtime } = await servingWithView(dialect, 'Stream', demo.forecaster, true));
  });
  afterAll(async () => {
    await realtime?.close();
    await h?.close();
  });

  it('serves the training features of the same history, and its forecast', async () => {
    const { panel, cutoff } = demo;
    const streamedTo = cutoff + 20;
    const body = actualsBetween(panel, cutoff, streamedTo);
    const res = await postStream(h.app, admin.token, body);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().appended).toBe(body.split('\n').length);

    const served = await realtime.serving.get(admin.tenantId);
    const id = panel.seriesIds[2];
    const online = served.state.panelOf([id]);
    const training = panelThrough(panel, streamedTo);
    const s = training.seriesIds.indexOf(id);
    // The streamed days, as rows of each panel.
    const last = 20;
    const trainRows = Int32Array.from({ length: last }, (_, k) => training.offsets[s + 1] - last + k);
    const onlineRows = Int32Array.from({ length: last }, (_, k) => online.offsets[1] - last + k);
    expect(Array.from(online.dates.subarray(online.offsets[1] - last))).toEqual(
      Array.from(trainRows, (r) => training.dates[r]),
    );
    expectSameFeatures(featuresOf(demo.forecaster, training), training, trainRows, online, onlineRows);

    const fc = (await call(h, 'POST', '/v1/forecast', admin.token, { series_id: id, h: 5 })).json();
    // No future drivers were streamed as events, so neither side knows them.
    const batch = demo.forecaster.predict(5, { history: training });
    expect(fc.forecasts[0].date).toBe(formatDay(streamedTo + 1));
    fc.forecasts.forEach((row: { yhat: number }, k: number) => {
      expect(row.yhat).toBeCloseTo(batch.models.gbm.yhat[s * 5 + k], 6);
    });
  });

  it("applies streamed actuals to each of the tenant's loaded model versions", async () => {
    // A second model name serving the same forecaster, loaded in the server before the stream.
    models.setProduction(1, 'other');
    const id = demo.panel.seriesIds[2];
    const forecast = async (model: string) => {
      const res = await call(h, 'POST', '/v1/forecast', admin.token, { series_id: id, h: 3, model });
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as { forecasts: { date: string; yhat: number }[] };
    };
    // The day before the first forecast date: the last one the loaded version has.
    const from = parseIsoDay((await forecast('other')).forecasts[0].date)! - 1;
    const lines = actualsBetween(demo.panel, from, from + 3)
      .split('\n')
      .filter((line) => JSON.parse(line).series_id === id);
    expect(lines).toHaveLength(3);
    expect((await postStream(h.app, admin.token, lines.join('\n'))).statusCode).toBe(200);
    const other = await forecast('other');
    const production = await forecast('default');
    expect(other.forecasts[0].date).toBe(formatDay(from + 4));
    expect(other.forecasts).toEqual(production.forecasts);
  });

  it('refuses a bad line by its number and applies nothing', async () => {
    const served = await realtime.serving.get(admin.tenantId);
    const id = demo.panel.seriesIds[0];
    const before = served.state.lastDate(id);
    const next = formatDay(before + 1);
    const res = await postStream(
      h.app,
      admin.token,
      `{"series_id":"${id}","date":"${next}","y":3}\n\n{"series_id":"${id}","date":"${next}","y":-1}`,
    );
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'INVALID_DATA', line: 3, field: 'y' });
    const unknown = await postStream(h.app, admin.token, `{"series_id":"nope","date":"${next}","y":1}`);
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json()).toMatchObject({ line: 1, field: 'series_id' });
    const notJson = await postStream(h.app, admin.token, 'hello');
    expect(notJson.json()).toMatchObject({ code: 'INVALID_DATA', line: 1 });
    // A mistyped year would fill the series' window with empty days.
    const farAhead = await postStream(
      h.app,
      admin.token,
      `{"series_id":"${id}","date":"${next}","y":3}\n{"series_id":"${id}","date":"${formatDay(before + 367)}","y":3}`,
    );
    expect(farAhead.statusCode).toBe(422);
    expect(farAhead.json()).toMatchObject({ line: 2, field: 'date' });
    expect(farAhead.json().detail).toBe(
      `line 2: date ${formatDay(before + 367)} is 367 days after the series' last one (${formatDay(before)}); a streamed actual may be at most 366 days ahead.`,
    );
    expect(served.state.lastDate(id)).toBe(before);
  });

  it('answers 429 under streaming load once the API-call quota is used up', async () => {
    const usage = (await call(h, 'GET', '/v1/usage', admin.token)).json().metrics.api_calls.used;
    await call(h, 'PUT', `/v1/tenants/${admin.tenantId}/quotas`, admin.token, { api_calls: usage + 11 });
    const served = await realtime.serving.get(admin.tenantId);
    const id = demo.panel.seriesIds[1];
    const start = served.state.lastDate(id);
    const codes = await Promise.all(
      Array.from({ length: 20 }, (_, k) =>
        postStream(
          h.app,
          admin.token,
          JSON.stringify({ series_id: id, date: formatDay(start + 1 + k), y: 5 }),
        ).then((r) => r.statusCode),
      ),
    );
    // The quota call above used one of the 11.
    expect(codes.filter((c) => c === 200)).toHaveLength(10);
    expect(codes.filter((c) => c === 429)).toHaveLength(10);
    // Through the service: an HTTP call would itself be over the quota.
    const p = await h.platform.auth.authenticate(admin.token);
    await h.platform.tenants.setQuotas(p, admin.tenantId, { api_calls: null }, { requestId: 't', ip: '::1' });
  });

  it.runIf(dialect === 'postgres' && process.env.REDIS_URL)(
    'consumes records XADDed to the Redis stream',
    async () => {
      // The harness server consumes the stream (its Redis is configured): its forecasts move on.
      const redis = new Redis(process.env.REDIS_URL!);
      const id = demo.panel.seriesIds[3];
      const firstDate = async () =>
        (await call(h, 'POST', '/v1/forecast', admin.token, { series_id: id, h: 1 })).json().forecasts[0]
          .date;
      try {
        const next = await firstDate();
        await redis.xadd(
          streamKey(h.config.redisPrefix),
          '*',
          'tenant',
          admin.tenantId,
          'record',
          JSON.stringify({ series_id: id, date: next, y: 7 }),
        );
        let now = next;
        for (let i = 0; i < 100 && now === next; i++) {
          await new Promise((r) => setTimeout(r, 50));
          now = await firstDate();
        }
        expect(now).toBe(formatDay(parseIsoDay(next)! + 1));
      } finally {
        await redis.quit();
      }
    },
  );

  it.runIf(dialect === 'postgres' && process.env.REDIS_URL)(
    "applies a record another process received to this one's served state",
    async () => {
      // `realtime` stands for a second API process with its own served state; the harness server
      // receives the record.
      const id = demo.panel.seriesIds[0];
      const before = (await realtime.serving.get(admin.tenantId)).state.lastDate(id);
      const res = await postStream(
        h.app,
        admin.token,
        JSON.stringify({ series_id: id, date: formatDay(before + 1), y: 4 }),
      );
      expect(res.statusCode, res.body).toBe(200);
      let last = before;
      for (let i = 0; i < 100 && last === before; i++) {
        await new Promise((r) => setTimeout(r, 50));
        last = (await realtime.serving.get(admin.tenantId)).state.lastDate(id);
      }
      expect(last).toBe(before + 1);
    },
  );

  it.runIf(dialect === 'postgres' && process.env.REDIS_URL)(
    "judges an actual on the residuals another process's actuals left in its baseline",
    async () => {
      // The harness server judges 20 daily actuals of one series; `realtime`, the other process,
      // receives none of them itself. Its detector needs 14 residuals before it judges anything,
      // so it can only flag the spike below on the baseline the harness server's judged actuals
      // gave it.
      const id = demo.panel.seriesIds[2];
      const view = await realtime.serving.get(admin.tenantId);
      const before = view.state.lastDate(id);
      const level = Math.max(1, Math.round(view.state.level(id)));
      const days = Array.from({ length: 20 }, (_, k) =>
        JSON.stringify({ series_id: id, date: formatDay(before + k + 1), y: level }),
      );
      const res = await postStream(h.app, admin.token, days.join('\n'));
      expect(res.statusCode, res.body).toBe(200);
      for (let i = 0; i < 100 && view.state.lastDate(id) !== before + 20; i++)
        await new Promise((r) => setTimeout(r, 50));
      expect(view.state.lastDate(id)).toBe(before + 20);
      const spike = await realtime.stream.ingest(admin.tenantId, [
        { seriesId: id, date: before + 21, y: 100 * level, drivers: {} },
      ]);
      expect(spike.alerts.map((a) => [a.kind, a.series_id])).toContainEqual(['actual_spike', id]);
    },
  );

  it.runIf(dialect === 'postgres' && process.env.REDIS_URL)(
    'reports the rolling statistics of every process',
    async () => {
      const stats = async () => (await call(h, 'GET', '/v1/alerts/stats?window=60', admin.token)).json();
      const before = await stats();
      // A prediction of 5 rows served by the other process, recorded as its forecast path does.
      realtime.forecasts.statsOf(admin.tenantId).prediction(5);
      let after = before;
      for (let i = 0; i < 60 && after.predictions === before.predictions; i++) {
        await new Promise((r) => setTimeout(r, 50));
        after = await stats();
      }
      expect(after.predictions - before.predictions).toBe(1);
      expect(after.prediction_rows - before.prediction_rows).toBe(5);
    },
  );

  it.runIf(dialect === 'postgres' && process.env.REDIS_URL)(
    'catches up on the records stored while its subscription to the other processes was lost',
    async () => {
      // A record stored but never published: only the catch-up from the database brings it.
      const id = demo.panel.seriesIds[5];
      const before = (await realtime.serving.get(admin.tenantId)).state.lastDate(id);
      await h.platform.store.withTenant(admin.tenantId, (r) =>
        r.streamRecords.upsert([
          {
            series_id: id,
            date: formatDay(before + 1),
            y: 3,
            drivers: '{}',
            received_at: new Date().toISOString(),
          },
        ]),
      );
      const redis = new Redis(process.env.REDIS_URL!);
      try {
        // The subscriptions of this platform's processes are named after its channel; killed, they
        // reconnect.
        const list = String(await redis.call('CLIENT', 'LIST', 'TYPE', 'pubsub'));
        const ids = list
          .split('\n')
          .filter((l) => l.includes(` name=${appliedChannel(h.config.redisPrefix)}:`))
          .map((l) => /\bid=(\d+)/.exec(l)![1]);
        expect(ids.length).toBeGreaterThanOrEqual(2);
        for (const clientId of ids) await redis.call('CLIENT', 'KILL', 'ID', clientId);
      } finally {
        await redis.quit();
      }
      let last = before;
      for (let i = 0; i < 100 && last === before; i++) {
        await new Promise((r) => setTimeout(r, 50));
        last = (await realtime.serving.get(admin.tenantId)).state.lastDate(id);
      }
      expect(last).toBe(before + 1);
    },
  );

  /**
   * A stream service over a stream of its own, its group created, so that the harness server's
   * consumer does not take the entries first; `errors` collects what it logs.
   */
  const ownStream = async (name: string, claimIdleMs?: number) => {
    const redis = new Redis(process.env.REDIS_URL!);
    const prefix = `${h.config.redisPrefix}${name}:`;
    const key = streamKey(prefix);
    const group = 'salescast-stream';
    const errors: string[] = [];
    const stream = createStreamService({
      store: h.platform.store,
      serving: realtime.serving,
      forecasts: realtime.forecasts,
      alerts: realtime.alerts,
      redis,
      redisPrefix: prefix,
      claimIdleMs,
      onError: (message) => errors.push(message),
    });
    await redis.xgroup('CREATE', key, group, '$', 'MKSTREAM');
    const close = async () => {
      await stream.close();
      await redis.del(key);
      await redis.quit();
    };
    return { redis, key, group, errors, stream, close };
  };

  it.runIf(dialect === 'postgres' && process.env.REDIS_URL)(
    'drops only the stream entry the platform refuses, and ingests the others read with it',
    async () => {
      const { redis, key, group, errors, stream, close } = await ownStream('partial');
      try {
        const id = demo.panel.seriesIds[4];
        const last = (await realtime.serving.get(admin.tenantId)).state.lastDate(id);
        const record = (seriesId: string, date: number) =>
          JSON.stringify({ series_id: seriesId, date: formatDay(date), y: 2 });
        // Written before the consumer starts, so one read takes all three.
        await redis.xadd(key, '*', 'tenant', admin.tenantId, 'record', record(id, last + 1));
        const unknown = await redis.xadd(
          key,
          '*',
          'tenant',
          admin.tenantId,
          'record',
          record('nope', last + 1),
        );
        await redis.xadd(key, '*', 'tenant', admin.tenantId, 'record', record(id, last + 2));
        await stream.startConsumer();
        let lastNow = last;
        for (let i = 0; i < 100 && lastNow !== last + 2; i++) {
          await new Promise((r) => setTimeout(r, 50));
          lastNow = (await realtime.serving.get(admin.tenantId)).state.lastDate(id);
        }
        expect(lastNow).toBe(last + 2);
        expect(errors).toEqual([`dropping stream entry ${unknown} of tenant ${admin.tenantId}`]);
        expect(Number(((await redis.xpending(key, group)) as [number])[0])).toBe(0);
      } finally {
        await close();
      }
    },
  );

  it.runIf(dialect === 'postgres' && process.env.REDIS_URL)(
    'takes over entries a crashed consumer left pending, and drops one that keeps failing',
    async () => {
      const { redis, key, group, errors, stream, close } = await ownStream('reclaim', 100);
      try {
        const id = demo.panel.seriesIds[5];
        const last = (await realtime.serving.get(admin.tenantId)).state.lastDate(id);
        const entry = (date: number) =>
          redis.xadd(
            key,
            '*',
            'tenant',
            admin.tenantId,
            'record',
            JSON.stringify({ series_id: id, date: formatDay(date), y: 3 }),
          );
        await entry(last + 1);
        const failing = await entry(last + 2);
        // A consumer read both and died before acknowledging them; the second had already been
        // delivered MAX_DELIVERIES times (each claim is a delivery).
        await redis.xreadgroup('GROUP', group, 'crashed', 'COUNT', 10, 'STREAMS', key, '>');
        for (let i = 1; i < MAX_DELIVERIES; i++) await redis.xclaim(key, group, 'crashed', 0, failing!);

        await stream.startConsumer();
        let pending = -1;
        for (let i = 0; i < 100 && pending !== 0; i++) {
          await new Promise((r) => setTimeout(r, 50));
          pending = Number(((await redis.xpending(key, group)) as [number])[0]);
        }
        expect(pending).toBe(0);
        // The first entry was ingested by the new consumer; the exhausted one was dropped, and said so.
        expect((await realtime.serving.get(admin.tenantId)).state.lastDate(id)).toBe(last + 1);
        expect(errors).toEqual([
          `dropping 1 stream entries delivered ${MAX_DELIVERIES} times without success`,
        ]);
      } finally {
        await close();
      }
    },
  );
});

describe('streaming actuals to a model with target encodings', () => {
  let h: Harness;
  let admin: Caller;
  let demo: StreamingDemo;
  let realtime: Realtime;

  beforeAll(async () => {
    // Target encodings read every earlier row of every series: the served state keeps a window and
    // sums the rows that left it.
    demo = fitStreamingDemo({
      holdout: 20,
      days: 200,
      trees: 20,
      features: { ...COMPACT, targetEncodings: true },
    });
    ({ h, admin, realtime } = await servingWithView('sqlite', 'Encoded', demo.forecaster));
  });
  afterAll(async () => {
    await realtime?.close();
    await h?.close();
  });

  it('serves the training features, encodings included, and the forecast of the same history', async () => {
    const { panel, cutoff } = demo;
    const streamedTo = cutoff + 10;
    const res = await postStream(h.app, admin.token, actualsBetween(panel, cutoff, streamedTo));
    expect(res.statusCode, res.body).toBe(200);

    const served = await realtime.serving.get(admin.tenantId);
    const online = served.state.panelOf();
    // A streamed actual says nothing of stockouts: it weighs 1, where the demo's own weights
    // discount stockout days.
    const through = panelThrough(panel, streamedTo);
    const weight = Float64Array.from(through.weight!, (w, r) => (through.dates[r] > cutoff ? 1 : w));
    const training: Panel = { ...through, weight };
    expect(weight.some((w) => w < 1)).toBe(true);
    const defs = featuresOf(demo.forecaster, training);
    const encodings = defs.filter((d) => d.name.endsWith('_target_mean')).map((d) => d.name);
    expect(encodings).toEqual(expect.arrayContaining(['promo_type_target_mean', 'category_target_mean']));
    // A series with an actual on every streamed day, so both panels end on the same day.
    const id = panel.seriesIds.find((_, q) => {
      const rows = Array.from(
        { length: panel.offsets[q + 1] - panel.offsets[q] },
        (_, k) => panel.offsets[q] + k,
      );
      const streamed = rows.filter((r) => panel.dates[r] > cutoff && panel.dates[r] <= streamedTo);
      return streamed.length === 10 && streamed.every((r) => Number.isFinite(panel.y[r]));
    })!;
    const days = Array.from({ length: 10 }, (_, k) => cutoff + 1 + k);
    const rowsOf = (p: Panel) => {
      const t = p.seriesIds.indexOf(id);
      return Int32Array.from(
        days,
        (d) => p.offsets[t] + p.dates.subarray(p.offsets[t], p.offsets[t + 1]).indexOf(d),
      );
    };
    // The window is bounded; the rows before it reach the encodings as sums.
    expect(served.state.lookback).toBeLessThan(200);
    expect(online.offsets[1] - online.offsets[0]).toBeLessThanOrEqual(2 * served.state.lookback);
    expect(online.leftOut?.category).toBeDefined();
    // Features read the target after the model's transforms (here each series' level), as the
    // rows left out were summed.
    const scaled = (p: Panel): Panel => ({ ...p, y: demo.forecaster.transformedTarget(p) });
    expectSameFeatures(defs, scaled(training), rowsOf(training), scaled(online), rowsOf(online));

    const fc = (await call(h, 'POST', '/v1/forecast', admin.token, { series_id: id, h: 3 })).json();
    expect(fc.forecasts[0].date).toBe(formatDay(streamedTo + 1));
    const batch = demo.forecaster.predict(3, { history: training });
    const t = training.seriesIds.indexOf(id);
    fc.forecasts.forEach((row: { yhat: number }, k: number) => {
      expect(row.yhat).toBeCloseTo(batch.models.gbm.yhat[t * 3 + k], 6);
    });
  });
});

describe('streaming rate limit', () => {
  let h: Harness;
  let admin: Caller;

  beforeAll(async () => {
    const demo = fitStreamingDemo({ holdout: 10, days: 120, trees: 10 });
    const serving = await startServing('sqlite', { name: 'Limited', plan: 'pro' }, [demo.forecaster], {
      rateLimitPerMinute: 8,
    });
    h = serving.h;
    admin = serving.admin;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('answers 429 with Retry-After past the per-client rate', async () => {
    const codes: number[] = [];
    let retryAfter: string | undefined;
    for (let k = 0; k < 12; k++) {
      const res = await postStream(h.app, admin.token, '{"series_id":"x","date":"2024-01-01","y":1}');
      codes.push(res.statusCode);
      if (res.statusCode === 429) retryAfter = res.headers['retry-after'] as string;
    }
    // The login call counted too (the limit is per client and covers every route).
    expect(codes.filter((c) => c === 429).length).toBeGreaterThanOrEqual(4);
    expect(codes.slice(-1)).toEqual([429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });
});
