/**
 * Anomaly detection end to end: the demo data's held-out days are streamed day by day through
 * POST /v1/stream with anomalies injected at known (series, date) points; the alerts raised must
 * find at least 90% of them with at most 5% false alarms among the normal points. The threshold
 * comes from the platform's configuration.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDay } from '../../src/core/dates.js';
import { createRng } from '../../src/core/rng.js';
import { isCategorical, type Panel } from '../../src/features/panel.js';
import { platformConfig } from '../../src/platform/config.js';
import { createRealtime } from '../../src/realtime/realtime.js';
import type { Caller, Harness } from '../platform/harness.js';
import { fitStreamingDemo, postStream, type StreamingDemo, startServing } from './fixtures.js';

/** Days streamed before any injection: the detectors' baseline warm-up (14 residuals). */
const WARMUP = 14;
const RATE = 0.05;

/** The drivers of panel row `r` as a stream record carries them. */
function driversAt(panel: Panel, r: number): Record<string, number | string | null> {
  const out: Record<string, number | string | null> = {};
  for (const [name, col] of Object.entries(panel.exog)) {
    if (isCategorical(col)) out[name] = col.codes[r] < 0 ? null : col.levels[col.codes[r]];
    else out[name] = Number.isFinite(col[r]) ? col[r] : null;
  }
  return out;
}

describe('injected anomalies in streamed demo data', () => {
  let h: Harness;
  let admin: Caller;
  let demo: StreamingDemo;

  beforeAll(async () => {
    demo = fitStreamingDemo({ stores: 3, days: 500, holdout: 90 });
    const serving = await startServing('sqlite', { name: 'Anomalies', plan: 'enterprise' }, [
      demo.forecaster,
    ]);
    h = serving.h;
    admin = serving.admin;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('finds at least 90% of injected spikes and drops with at most 5% false alarms', async () => {
    const { panel, cutoff } = demo;
    const rng = createRng(2024);
    const injected = new Set<string>();
    const censored = new Set<string>();
    const days: string[][] = [];
    let normal = 0;
    for (let s = 0; s < panel.seriesIds.length; s++) {
      const id = panel.seriesIds[s];
      const a = panel.offsets[s];
      let level = 0;
      let n = 0;
      for (let r = a; r < panel.offsets[s + 1]; r++) {
        if (panel.dates[r] > cutoff || !Number.isFinite(panel.y[r])) continue;
        level += panel.y[r];
        n++;
      }
      level /= n;
      for (let r = a; r < panel.offsets[s + 1]; r++) {
        const date = panel.dates[r];
        const k = date - cutoff - 1;
        // Stockout days (weight 0) censor demand: their drops are real findings, neither injected
        // anomalies nor false alarms, so they are streamed but not scored.
        if (k < 0 || !Number.isFinite(panel.y[r])) continue;
        const stockout = panel.weight?.[r] === 0;
        if (stockout) censored.add(`${id}|${formatDay(date)}`);
        let y = panel.y[r];
        if (k >= WARMUP && !stockout && rng.next() < RATE) {
          // A spike well above the series' usual size, or a collapse of a sizeable day to zero.
          const drop = y >= Math.max(10, 1.5 * level) && rng.next() < 0.5;
          y = drop ? 0 : Math.round(y + Math.max(10, 3 * level));
          injected.add(`${id}|${formatDay(date)}`);
        } else if (k >= WARMUP && !stockout) normal++;
        // A live feed sends the day's actual with its drivers, and the next day's known drivers
        // (price, promotion, holiday) as an event, so the one-step forecast knows them.
        (days[k] ??= []).push(
          JSON.stringify({ series_id: id, date: formatDay(date), y, drivers: driversAt(panel, r) }),
        );
        if (r + 1 < panel.offsets[s + 1]) {
          (days[k] ??= []).push(
            JSON.stringify({
              type: 'event',
              series_id: id,
              date: formatDay(panel.dates[r + 1]),
              drivers: driversAt(panel, r + 1),
            }),
          );
        }
      }
    }
    for (const lines of days) {
      if (!lines) continue;
      const res = await postStream(h.app, admin.token, lines.join('\n'));
      expect(res.statusCode, res.body).toBe(200);
    }
    const res = await h.app.inject({
      method: 'GET',
      url: '/v1/alerts?limit=1000',
      headers: { authorization: `Bearer ${admin.token}` },
    });
    // The prediction stream: each day's one-step forecast, judged against the recent ones with the
    // model's own uncertainty as the least scale, seldom alarms on this data (103 of about 750
    // judged forecasts did before that floor).
    const forecastAlerts = (res.json().alerts as { kind: string }[]).filter((a) =>
      a.kind.startsWith('forecast_'),
    );
    expect(forecastAlerts.length).toBeLessThanOrEqual(0.02 * (normal + injected.size));
    const alerts = (res.json().alerts as { kind: string; series_id: string; date: string }[]).filter(
      (a) => a.kind.startsWith('actual_') && !censored.has(`${a.series_id}|${a.date}`),
    );
    const found = alerts.filter((a) => injected.has(`${a.series_id}|${a.date}`)).length;
    const falseAlarms = alerts.length - found;
    const recall = found / injected.size;
    const falseRate = falseAlarms / normal;
    expect(injected.size).toBeGreaterThan(15);
    expect(recall).toBeGreaterThanOrEqual(0.9);
    expect(falseRate).toBeLessThanOrEqual(0.05);
  });
});

describe('the anomaly threshold', () => {
  it('comes from SALESCAST_ANOMALY_THRESHOLD, and a bad one is refused by name', () => {
    expect(platformConfig({}, {}).anomalyThreshold).toBeUndefined();
    expect(platformConfig({}, { SALESCAST_ANOMALY_THRESHOLD: '3.5' }).anomalyThreshold).toBe(3.5);
    for (const bad of ['0', '-2', 'high']) {
      expect(() => platformConfig({}, { SALESCAST_ANOMALY_THRESHOLD: bad })).toThrow(
        `SALESCAST_ANOMALY_THRESHOLD must be a number above 0 (a robust z-score, such as 2.5 or 3); got '${bad}'.`,
      );
    }
  });

  it("is the served models' threshold, 2.5 by default", async () => {
    const demo = fitStreamingDemo({ days: 120, holdout: 10, trees: 5 });
    for (const [config, expected] of [[{ anomalyThreshold: 4 }, 4] as const, [{}, 2.5] as const]) {
      const { h, admin } = await startServing('sqlite', { name: 'Threshold' }, [demo.forecaster], config);
      const realtime = await createRealtime(h.platform, { consumeRedisStream: false });
      try {
        expect((await realtime.serving.get(admin.tenantId)).detector.threshold).toBe(expected);
      } finally {
        await realtime.close();
        await h.close();
      }
    }
  });
});
