/** Usage reports and monthly invoices (JSON and PDF). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, call, createTenant, DIALECTS, type Harness, startHarness } from './harness.js';

const period = new Date().toISOString().slice(0, 7);

describe.each(DIALECTS)('usage and invoices (%s)', (dialect) => {
  let h: Harness;
  let t: Caller;

  beforeAll(async () => {
    h = await startHarness(dialect);
    t = await createTenant(h, 'Billed', 'starter');
    await h.platform.usage.add(t.tenantId, 'prediction_rows', 1_500_000);
    await h.platform.usage.add(t.tenantId, 'training_minutes', 310);
  });
  afterAll(() => h.close());

  it('reports usage against limits and included amounts', async () => {
    const u = (await call(h, 'GET', '/v1/usage', t.token)).json();
    expect(u).toMatchObject({ tenant_id: t.tenantId, plan: 'starter', period });
    expect(u.metrics.prediction_rows).toEqual({ used: 1_500_000, limit: 2_000_000, included: 1_000_000 });
    expect(u.metrics.training_minutes).toEqual({ used: 310, limit: 600, included: 300 });
    expect(u.metrics.storage_bytes).toEqual({ used: 0, limit: 1024 ** 3, included: null });
    const past = (await call(h, 'GET', '/v1/usage?period=2020-01', t.token)).json();
    expect(past.metrics.prediction_rows.used).toBe(0);
    expect((await call(h, 'GET', '/v1/usage?period=2020-13', t.token)).statusCode).toBe(400);
  });

  it('refuses a metric past its hard quota and keeps the counter unchanged', async () => {
    await expect(h.platform.usage.add(t.tenantId, 'prediction_rows', 600_000)).rejects.toMatchObject({
      code: 'QUOTA_EXCEEDED',
      details: { quota: 'prediction_rows', limit: 2_000_000, used: 1_500_000 },
    });
    const u = (await call(h, 'GET', '/v1/usage', t.token)).json();
    expect(u.metrics.prediction_rows.used).toBe(1_500_000);
  });

  it('invoices the plan price plus overage lines, in cents', async () => {
    const res = await call(h, 'GET', `/v1/invoices/${period}`, t.token);
    expect(res.statusCode).toBe(200);
    const inv = res.json();
    expect(inv).toMatchObject({
      tenant_id: t.tenantId,
      period,
      plan: 'starter',
      currency: 'USD',
      status: 'open',
    });
    expect(
      inv.lines.map((l: { metric: string | null; amount_cents: number }) => [l.metric, l.amount_cents]),
    ).toEqual([
      [null, 4_900],
      ['prediction_rows', 500 * 10],
      ['training_minutes', 10 * 5],
    ]);
    expect(inv.total_cents).toBe(4_900 + 5_000 + 50);
    const list = (await call(h, 'GET', '/v1/invoices?months=2', t.token)).json().invoices;
    expect(list.map((i: { period: string }) => i.period)[0]).toBe(period);
    expect(list[1].total_cents).toBe(4_900);
    expect(list[1].status).toBe('closed');
  });

  it('renders the invoice as a PDF', async () => {
    for (const url of [`/v1/invoices/${period}.pdf`, `/v1/invoices/${period}?format=pdf`]) {
      const res = await call(h, 'GET', url, t.token);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/pdf');
      expect(res.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
      expect(res.rawPayload.length).toBeGreaterThan(1000);
    }
    expect((await call(h, 'GET', '/v1/invoices/2026-13', t.token)).statusCode).toBe(400);
    expect((await call(h, 'GET', '/v1/invoices/2999-01', t.token)).statusCode).toBe(404);
  });
});
