/**
 * Numbers a request supplies are bounded (`LARGEST_INPUT`) and checked where they enter: an
 * out-of-range price, cost, actual or driver value is a 4xx naming the field, never a 500 from an
 * infinite or NaN result, and never a stored actual. Also the other inputs that once reached the
 * server's catch-all: a time zone that does not exist, and a discount grid of millions of points.
 * And the validation messages that once said too little: a choice names its values.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LARGEST_INPUT } from '../../src/core/magnitude.js';
import { ensureDemoTenant } from '../../src/platform/demo-tenant.js';
import { call, type Harness, login, startHarness } from './harness.js';

describe('bounded inputs', () => {
  let h: Harness;
  let token: string;
  let series: string;
  let datasetId: string;
  let tenantId: string;
  const [store, product] = ['S01', 'P002'];

  beforeAll(async () => {
    h = await startHarness('sqlite');
    const demo = await ensureDemoTenant(h.platform, { stores: 2, products: 3, days: 120 });
    token = await login(h, demo.login!.email, demo.login!.password);
    series = `${store}/${product}`;
    datasetId = demo.login!.dataset_id!;
    tenantId = demo.login!.tenant_id;
  }, 120_000);
  afterAll(() => h.close());

  const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
    call(h, 'POST', url, token, body, headers);
  const expectRefusal = async (
    res: Awaited<ReturnType<typeof post>>,
    status: number,
    field: string,
    detail: RegExp,
  ) => {
    expect(res.statusCode, res.body).toBe(status);
    expect(res.json().field).toBe(field);
    expect(res.json().detail).toMatch(detail);
  };

  it('refuses out-of-range numbers of forecasts, explanations and scenarios naming the field', async () => {
    const huge = 1e308;
    await expectRefusal(
      await post('/v1/forecast', {
        series_id: series,
        h: 2,
        future: [{ date: '2030-01-01', drivers: { price: huge } }],
      }),
      400,
      'future[0].drivers.price',
      new RegExp(`must be within ±${LARGEST_INPUT}; got 1e\\+308`),
    );
    const lastDay = (await post('/v1/forecast', { series_id: series, h: 1 })).json().forecasts[0].date;
    await expectRefusal(
      await post('/v1/forecast', {
        series_id: series,
        h: 2,
        future: [
          { date: lastDay, drivers: { price: 2 } },
          { date: lastDay, drivers: { price: 3 } },
        ],
      }),
      400,
      'future[1].date',
      /future\[1\]\.date repeats/,
    );
    for (const [drivers, detail] of [
      [{ nonexistent_driver: 5 }, /the model has no driver 'nonexistent_driver' \(its drivers: /],
      [{ price: 'abc' }, /future\[0\]\.drivers\.price is a numeric driver: give a number or null; got 'abc'/],
    ] as const) {
      const field = `future[0].drivers.${Object.keys(drivers)[0]}`;
      await expectRefusal(
        await post('/v1/forecast', { series_id: series, h: 2, future: [{ date: lastDay, drivers }] }),
        400,
        field,
        detail,
      );
    }
    await expectRefusal(
      await post('/v1/whatif', { series, horizon: 3, actions: ['price=1e308'] }),
      400,
      'actions[0]',
      /beyond the largest value a scenario may set/,
    );
    await expectRefusal(
      await post('/v1/explain', {
        series,
        horizon: 2,
        future: [{ series_id: series, date: lastDay, price: huge }],
      }),
      400,
      'future[0].price',
      /beyond the largest driver value accepted/,
    );
  });

  it('refuses out-of-range decision inputs and a discount grid too fine to evaluate', async () => {
    const scope = { stores: [store], products: [product], horizon: 14 };
    for (const body of [
      { ...scope, orderCost: 1e308 },
      { ...scope, prices: [{ productId: product, price: 1e308, unitCost: 1 }] },
      { horizon: 14, assumptions: { fitOutCostPerSqm: 1e308 } },
    ]) {
      const route = 'assumptions' in body ? 'expansion' : 'orderCost' in body ? 'inventory' : 'pricing';
      const res = await post(`/v1/decisions/${route}`, body);
      expect(res.statusCode, `${route}: ${res.body}`).toBe(400);
      expect(res.json().detail, route).toMatch(/must be <= 1000000000000/);
    }
    await expectRefusal(
      await post('/v1/decisions/pricing', { ...scope, grid: { min: 0, max: 50, step: 1e-9 } }),
      400,
      'grid.step',
      /at most 1001 discounts from 0 to 50/,
    );
  });

  it('refuses an actual beyond the bound with its line, storing nothing', async () => {
    const res = await post('/v1/stream', `{"series_id":"${series}","date":"2030-01-01","y":1e308}\n`, {
      'content-type': 'application/x-ndjson',
    });
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json()).toMatchObject({ line: 1, field: 'y' });
    expect(res.json().detail).toBe(
      `line 1: y must be a number from 0 to ${LARGEST_INPUT} for an actual; got 1e+308.`,
    );
  });

  it('refuses a training run with the same quantile twice', async () => {
    const res = await post('/v1/runs', { dataset_id: datasetId, horizon: 7, quantiles: [0.5, 0.5] });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().field).toBe('quantiles');
    expect(res.json().detail).toMatch(/must NOT have duplicate items/);
  });

  it('names the values a choice allows, and what a field that may be null must otherwise be', async () => {
    const role = await post('/v1/api-keys', { name: 'k', role: 'superuser' });
    expect(role.statusCode).toBe(400);
    expect(role.json().detail).toBe(
      `body field 'role' must be one of "admin", "manager", "analyst", "viewer".`,
    );
    const quota = await call(h, 'PUT', `/v1/tenants/${tenantId}/quotas`, token, { api_calls: -1 });
    expect(quota.statusCode).toBe(400);
    expect(quota.json()).toMatchObject({
      field: 'api_calls',
      detail: "body field 'api_calls' must be >= 0 (or null).",
    });
  });

  it('refuses a version number too large to be one, instead of rounding it', async () => {
    const res = await post('/v1/models/default/versions/99999999999999999999/promote', {});
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({
      field: 'version',
      detail: "params field 'version' must be <= 2147483647.",
    });
  });

  it('takes a JSON body as typed: no string or boolean for a number, while query strings are read', async () => {
    for (const horizon of ['3', true]) {
      const res = await post('/v1/forecast', { series_id: series, h: horizon });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json()).toMatchObject({ field: 'h', detail: "body field 'h' must be integer." });
    }
    const listed = await call(h, 'GET', '/v1/datasets?limit=1', token);
    expect(listed.statusCode, listed.body).toBe(200);
    expect(listed.json().datasets).toHaveLength(1);
  });

  it('refuses a schedule in a time zone that does not exist', async () => {
    await expectRefusal(
      await post('/v1/schedules', {
        name: 's',
        trigger: 'cron',
        cron: '0 3 * * *',
        timezone: 'Mars/Olympus',
      }),
      400,
      'timezone',
      /'Mars\/Olympus' is not an IANA time zone/,
    );
  });
});
