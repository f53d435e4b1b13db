/**
 * `POST /v1/forecast` with `explain: true`: each forecast period carries the grouped drivers and the
 * base as `POST /v1/explain` computes them, adding up to the served yhat (where it is above the
 * floor at 0), with streamed future drivers taken into account; an ensemble's are its members',
 * weighted, and add up to its own yhat; off by default; a model without a learner answers 400
 * naming `explain`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Forecaster } from '../../src/forecast/forecaster.js';
import { globalModel } from '../../src/forecast/global-model.js';
import { seasonalNaiveModel } from '../../src/forecast/local-models.js';
import { Ridge } from '../../src/ml/index.js';
import { type Caller, call, DIALECTS, type Harness } from '../platform/harness.js';
import {
  fitStreamingDemo,
  postStream,
  type StreamingDemo,
  type SwitchableModels,
  startServing,
} from './fixtures.js';

interface Period {
  date: string;
  prediction: number;
  base: number;
  drivers: Record<string, number>;
}

const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);

describe.each(DIALECTS)('forecast explanations (%s)', (dialect) => {
  let h: Harness;
  let admin: Caller;
  let demo: StreamingDemo;
  let models: SwitchableModels;

  beforeAll(async () => {
    demo = fitStreamingDemo({ holdout: 30, days: 200 });
    const naive = new Forecaster({ models: { naive: () => seasonalNaiveModel(7) } }).fit(demo.history, {
      h: demo.h,
    });
    // An ensemble of the same boosting, a ridge regression and a seasonal naive model.
    const o = demo.forecaster.options;
    const ensemble = new Forecaster({
      ...o,
      models: {
        ...o.models,
        linear: () => globalModel({ learner: () => new Ridge({ alpha: 1 }) }),
        naive: () => seasonalNaiveModel(7),
      },
      ensemble: true,
      calibrationWindows: 2,
    }).fit(demo.history, { h: demo.h });
    const serving = await startServing(dialect, { name: 'Explained', plan: 'pro', platformAdmin: true }, [
      demo.forecaster,
      naive,
      ensemble,
    ]);
    h = serving.h;
    admin = serving.admin;
    models = serving.models;
  });
  afterAll(async () => {
    await h?.close();
  });

  /** Runs `body` with production version `version` of the default model, then back to 1. */
  const asProduction = async (version: number, body: () => Promise<void>) => {
    models.setProduction(version);
    try {
      await body();
    } finally {
      models.setProduction(1);
    }
  };

  /** A week's forecast of `series` with its explanation. */
  const explained = async (series: string) => {
    const res = await call(h, 'POST', '/v1/forecast', admin.token, {
      series_id: series,
      h: 7,
      explain: true,
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };

  it('adds per-period drivers and base that sum to the returned yhat', async () => {
    let checked = 0;
    for (const series of demo.history.seriesIds) {
      const body = await explained(series);
      expect(body.explanation.model).toBe('gbm');
      const periods: Period[] = body.explanation.periods;
      expect(periods.map((p) => p.date)).toEqual(body.forecasts.map((f: { date: string }) => f.date));
      periods.forEach((p, k) => {
        // base + drivers = the model's value, exactly as /v1/explain answers it.
        expect(Math.abs(p.base + sum(p.drivers) - p.prediction)).toBeLessThan(1e-6);
        const yhat = body.forecasts[k].yhat;
        if (yhat > 0) {
          expect(Math.abs(p.base + sum(p.drivers) - yhat)).toBeLessThan(1e-6);
          checked++;
        } else {
          // Floored at 0: the model's own value is at or below it.
          expect(p.prediction).toBeLessThanOrEqual(1e-9);
        }
      });
    }
    // Most periods of the demo are above 0; the sum check must not be vacuous.
    expect(checked).toBeGreaterThan(demo.history.seriesIds.length * 7 * 0.5);
  });

  it('explains the live state: a streamed event for a forecast date changes drivers and yhat alike', async () => {
    const series = demo.history.seriesIds[2];
    const before = (
      await call(h, 'POST', '/v1/forecast', admin.token, { series_id: series, h: 3, explain: true })
    ).json();
    const first = before.forecasts[0].date;
    const stream = await postStream(
      h.app,
      admin.token,
      `${JSON.stringify({ type: 'event', series_id: series, date: first, drivers: { on_promo: 1, discount_pct: 30 } })}\n`,
    );
    expect(stream.statusCode, stream.body).toBe(200);
    const after = (
      await call(h, 'POST', '/v1/forecast', admin.token, { series_id: series, h: 3, explain: true })
    ).json();
    expect(after.forecasts[0].yhat).not.toBeCloseTo(before.forecasts[0].yhat, 6);
    const p: Period = after.explanation.periods[0];
    expect(Math.abs(p.base + sum(p.drivers) - after.forecasts[0].yhat)).toBeLessThan(1e-6);
    expect(p.drivers).not.toEqual(before.explanation.periods[0].drivers);
  });

  it("explains an ensemble's own forecast: its members' drivers, weighted, sum to its yhat", async () => {
    await asProduction(3, async () => {
      let checked = 0;
      let periods = 0;
      for (const series of demo.history.seriesIds) {
        const { explanation, forecasts } = await explained(series);
        expect(explanation.model).toBe('ensemble');
        const weights = Object.values(explanation.members as Record<string, number>);
        expect(weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
        expect(Object.keys(explanation.members).some((m) => m === 'gbm' || m === 'linear')).toBe(true);
        (explanation.periods as Period[]).forEach((p, k) => {
          expect(p.date).toBe(forecasts[k].date);
          expect(Math.abs(p.base + sum(p.drivers) - p.prediction)).toBeLessThan(1e-6);
          // Each member is floored at 0 before weighting: the sums agree wherever none was.
          if (Math.abs(p.prediction - forecasts[k].yhat) < 1e-6) checked++;
          periods++;
        });
      }
      expect(checked).toBeGreaterThan(periods * 0.9);
    });
  });

  it("explains the ensemble through POST /v1/explain: its learners' drivers, weighted, unless one is named", async () => {
    await asProduction(3, async () => {
      const series = demo.history.seriesIds[2];
      const explain = async (extra: object) => {
        const res = await call(h, 'POST', '/v1/explain', admin.token, { series, horizon: 7, ...extra });
        expect(res.statusCode, res.body).toBe(200);
        return res.json();
      };
      const a = await explain({ global: true, why: {} });
      expect(a).toMatchObject({ model: 'ensemble', link: 'identity' });
      // Named, the ensemble is the same answer.
      expect((await explain({ global: true, why: {}, component: 'ensemble' })).periods).toEqual(a.periods);
      const members = a.members as Record<string, number>;
      expect(Object.values(members).reduce((t, w) => t + w, 0)).toBeCloseTo(1, 9);
      for (const r of a.rows as Period[])
        expect(Math.abs(r.base + sum(r.drivers) - r.prediction)).toBeLessThan(1e-6);
      // Each driver of each period is the learners' own, weighted (a local member adds only base).
      const learners = ['gbm', 'linear'].filter((m) => members[m] > 0);
      const own = await Promise.all(learners.map((component) => explain({ component })));
      for (const m of own) {
        expect(learners).toContain(m.model);
        expect(m).not.toHaveProperty('members');
      }
      (a.periods as Period[]).forEach((p, k) => {
        for (const [driver, units] of Object.entries(p.drivers)) {
          const weighted = own.reduce(
            (t, m) => t + members[m.model] * (m.periods[k].drivers[driver] ?? 0),
            0,
          );
          expect(units).toBeCloseTo(weighted, 9);
        }
      });
      const shares = (a.importance.drivers as { share: number }[]).reduce((t, d) => t + d.share, 0);
      expect(shares).toBeCloseTo(1, 9);
      // The past is explained by a learner's contributions.
      expect(a.change.model).toBe('gbm');
    });
  });

  it("reports an ensemble's own forecast in the PDF, or a named member's", async () => {
    await asProduction(3, async () => {
      const report = async (extra: object) => {
        const res = await call(h, 'POST', '/v1/reports', admin.token, { product: 'P001', ...extra });
        expect(res.statusCode, res.body).toBe(200);
        expect(res.rawPayload.subarray(0, 5).toString('latin1')).toBe('%PDF-');
        return res.headers['x-salescast-explained'];
      };
      expect(await report({})).toBe('ensemble');
      expect(await report({ component: 'gbm' })).toBe('gbm');
    });
  });

  it("measures a what-if on an ensemble's own forecast, its members' responses weighted", async () => {
    await asProduction(3, async () => {
      const series = demo.history.seriesIds[3];
      const whatIf = async (component?: string) => {
        const res = await call(h, 'POST', '/v1/whatif', admin.token, {
          series,
          actions: ['discount=30'],
          ...(component ? { component } : {}),
        });
        expect(res.statusCode, res.body).toBe(200);
        return res.json();
      };
      const served = await whatIf();
      expect(served.model).toBe('ensemble');
      // The baseline is the forecast the tenant is served.
      const fc = await call(h, 'POST', '/v1/forecast', admin.token, { series_id: series, h: demo.h });
      const yhat = (fc.json().forecasts as { yhat: number }[]).reduce((a, f) => a + f.yhat, 0);
      expect(served.total.baseline).toBeCloseTo(yhat, 6);
      // Only the learners respond to a discount; the naive member's forecast stays as it was.
      const explanation = (
        await call(h, 'POST', '/v1/forecast', admin.token, { series_id: series, h: 1, explain: true })
      ).json().explanation;
      const members = explanation.members as Record<string, number>;
      let weighted = 0;
      for (const learner of ['gbm', 'linear'].filter((m) => members[m] > 0)) {
        const own = await whatIf(learner);
        expect(own.model).toBe(learner);
        weighted += members[learner] * own.total.delta;
      }
      expect(Math.abs(weighted)).toBeGreaterThan(0.1);
      expect(served.total.delta).toBeCloseTo(weighted, 6);
    });
  });

  it('is off by default', async () => {
    const res = await call(h, 'POST', '/v1/forecast', admin.token, {
      series_id: demo.history.seriesIds[0],
      h: 2,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).not.toHaveProperty('explanation');
  });

  it('answers 400 naming explain for a model without a learner, and meters nothing', async () => {
    await asProduction(2, async () => {
      const series = demo.history.seriesIds[0];
      const plain = await call(h, 'POST', '/v1/forecast', admin.token, { series_id: series, h: 2 });
      expect(plain.statusCode, plain.body).toBe(200);
      const used = async () =>
        (await call(h, 'GET', '/v1/usage', admin.token)).json().metrics.prediction_rows.used as number;
      const before = await used();
      const res = await call(h, 'POST', '/v1/forecast', admin.token, {
        series_id: series,
        h: 2,
        explain: true,
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('INVALID_ARGUMENT');
      expect(res.json().field).toBe('explain');
      expect(res.json().detail).toMatch(/no global model to explain/);
      expect(await used()).toBe(before);
    });
  });
});
