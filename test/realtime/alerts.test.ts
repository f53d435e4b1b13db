/**
 * Alerts end to end: an anomalous actual streamed after a warm-up raises one alert, which is
 * pushed over Server-Sent Events and to a webhook (signed with HMAC-SHA256, retried after 503s
 * against a real local HTTP server), deduplicated on repeat, acknowledgeable, and counted in the
 * rolling statistics.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import { formatDay } from '../../src/core/dates.js';
import type { Panel } from '../../src/features/panel.js';
import { createRealtime, type Realtime } from '../../src/realtime/realtime.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from '../../src/realtime/webhook-delivery.js';
import { addUser, type Caller, DIALECTS, type Harness } from '../platform/harness.js';
import { fitStreamingDemo, type StreamingDemo, startServing } from './fixtures.js';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/** A webhook receiver answering 503 to the first `failures` deliveries, then 200. */
async function receiver(failures: number): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.statusCode = received.length <= failures ? 503 : 200;
      res.end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

/** Rows of one series dated in (from, to] as NDJSON actuals. */
function actuals(panel: Panel, s: number, from: number, to: number, override?: [number, number]): string {
  const lines: string[] = [];
  for (let r = panel.offsets[s]; r < panel.offsets[s + 1]; r++) {
    const d = panel.dates[r];
    if (d <= from || d > to) continue;
    const y = override && override[0] === d ? override[1] : Number.isFinite(panel.y[r]) ? panel.y[r] : 0;
    lines.push(JSON.stringify({ series_id: panel.seriesIds[s], date: formatDay(d), y }));
  }
  return lines.join('\n');
}

describe.each(DIALECTS)('alerts (%s)', (dialect) => {
  let h: Harness;
  let admin: Caller;
  let demo: StreamingDemo;
  let realtime: Realtime;
  let app: FastifyInstance;
  let base: string;

  beforeAll(async () => {
    demo = fitStreamingDemo({ holdout: 40, days: 240 });
    const serving = await startServing(dialect, { name: 'Alerts', plan: 'enterprise' }, [demo.forecaster]);
    h = serving.h;
    admin = serving.admin;
    realtime = await createRealtime(h.platform, {
      webhookRetry: { maxAttempts: 4, baseDelayMs: 20, timeoutMs: 2000 },
      consumeRedisStream: false,
    });
    app = await buildServer({ platform: h.platform, realtime });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await app?.close();
    await realtime?.close();
    await h?.close();
  });

  const post = async (path: string, body: unknown, token = admin.token, type = 'application/json') => {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': type },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const get = async (path: string, token = admin.token) => {
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };

  it('pushes a new alert over SSE and to a signed webhook retried after failures', async () => {
    const hook = await receiver(2);
    try {
      const created = await post('/v1/webhooks', { url: hook.url });
      expect(created.status).toBe(201);
      const secret = created.json.secret as string;
      expect(secret).toMatch(/^whsec_/);

      // Open the event stream before the alert exists.
      const events: string[] = [];
      const sse = request(`${base}/v1/alerts/stream`, {
        headers: { authorization: `Bearer ${admin.token}` },
      });
      const opened = new Promise<IncomingMessage>((resolve) => sse.on('response', resolve));
      sse.end();
      const res = await opened;
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain('text/event-stream');
      // The hijacked stream writes its own head, with the same security headers as every answer.
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => events.push(chunk));

      const { panel, cutoff } = demo;
      const s = 1;
      const warm = await post(
        '/v1/stream',
        actuals(panel, s, cutoff, cutoff + 20),
        admin.token,
        'application/x-ndjson',
      );
      expect(warm.status).toBe(200);
      expect(warm.json.alerts).toEqual([]);
      const spikeDay = cutoff + 21;
      const spike = await post(
        '/v1/stream',
        actuals(panel, s, cutoff + 20, spikeDay, [spikeDay, 500]),
        admin.token,
        'application/x-ndjson',
      );
      expect(spike.status).toBe(200);
      const [alert] = spike.json.alerts as {
        id: string;
        kind: string;
        severity: string;
        series_id: string;
      }[];
      expect(alert).toMatchObject({
        kind: 'actual_spike',
        severity: 'critical',
        series_id: panel.seriesIds[s],
      });

      for (let i = 0; i < 50 && !events.join('').includes(alert.id); i++)
        await new Promise((r) => setTimeout(r, 20));
      const text = events.join('');
      expect(text).toContain(`id: ${alert.id}\nevent: alert\ndata: `);
      const data = JSON.parse(/data: (.*)\n/.exec(text.slice(text.indexOf(`id: ${alert.id}`)))![1]);
      expect(data).toMatchObject({ id: alert.id, date: formatDay(spikeDay), value: 500 });
      res.destroy();

      const outcomes = await realtime.alerts.settled();
      expect(outcomes).toEqual([{ delivered: true, attempts: 3, status: 'delivered' }]);
      expect(hook.received).toHaveLength(3);
      for (const r of hook.received) {
        const signature = r.headers[SIGNATURE_HEADER] as string;
        expect(verifySignature(secret, r.headers[TIMESTAMP_HEADER] as string, r.body, signature)).toBe(true);
        expect(verifySignature('whsec_wrong', r.headers[TIMESTAMP_HEADER] as string, r.body, signature)).toBe(
          false,
        );
        expect(JSON.parse(r.body).id).toBe(alert.id);
      }
      // One delivery id across the retries, so the receiver can drop duplicates.
      expect(new Set(hook.received.map((r) => r.headers['x-salescast-delivery'])).size).toBe(1);
      const hooks = await get('/v1/webhooks');
      expect((hooks.json.webhooks as { last_status: string }[])[0].last_status).toBe('delivered');

      // The same finding again (same kind, series and day), milder: the one alert counts two
      // occurrences, keeps its severity and is not pushed again. (Streaming the same actual again
      // would not do: a correction of a judged day is not judged twice.)
      const repeat = await realtime.alerts.raise(admin.tenantId, {
        kind: 'actual_spike',
        severity: 'minor',
        score: 3,
        value: 480,
        expected: 20,
        seriesId: panel.seriesIds[s],
        date: formatDay(spikeDay),
        model: 'default@1',
      });
      expect(repeat.pushed).toBe(false);
      expect(repeat.alert).toMatchObject({ id: alert.id, occurrences: 2, severity: 'critical' });
      expect(hook.received).toHaveLength(3);
      const list = await get(`/v1/alerts?series_id=${encodeURIComponent(panel.seriesIds[s])}`);
      const alerts = list.json.alerts as { id: string; occurrences: number; severity: string }[];
      expect(alerts.filter((a) => a.id === alert.id)).toEqual([
        expect.objectContaining({ occurrences: 2, severity: 'critical' }),
      ]);
    } finally {
      hook.server.close();
    }
  });

  it('gives up on a webhook that answers 4xx without retrying', async () => {
    const hook = await receiver(0);
    hook.server.removeAllListeners('request');
    hook.server.on('request', (_req, res) => {
      hook.received.push({ headers: {}, body: '' });
      res.statusCode = 410;
      res.end();
    });
    try {
      const created = await post('/v1/webhooks', { url: hook.url, min_severity: 'minor' });
      await realtime.alerts.raise(admin.tenantId, {
        kind: 'actual_drop',
        severity: 'major',
        score: -5,
        value: 0,
        expected: 20,
        seriesId: demo.panel.seriesIds[0],
        date: '2030-01-01',
        model: 'default@1',
      });
      const outcomes = await realtime.alerts.settled();
      // The first test's receiver is gone by now: its webhook fails too, after every retry.
      expect(outcomes).toContainEqual({ delivered: false, attempts: 1, status: 'failed: HTTP 410' });
      expect(outcomes).toContainEqual({ delivered: false, attempts: 4, status: 'failed: fetch failed' });
      expect(hook.received).toHaveLength(1);
      const del = await fetch(`${base}/v1/webhooks/${created.json.id}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${admin.token}` },
      });
      expect(del.status).toBe(204);
    } finally {
      hook.server.close();
    }
  });

  it('acknowledges an alert (analysts may, viewers may not) and reports rolling stats', async () => {
    const open = await get('/v1/alerts?status=open&min_severity=major');
    const alerts = open.json.alerts as { id: string; severity: string }[];
    expect(alerts.length).toBeGreaterThan(0);
    expect(alerts.every((a) => a.severity !== 'minor')).toBe(true);
    const viewer = await addUser(h, admin, 'viewer');
    expect((await post(`/v1/alerts/${alerts[0].id}/acknowledge`, {}, viewer.token)).status).toBe(403);
    const analyst = await addUser(h, admin, 'analyst');
    const ack = await post(`/v1/alerts/${alerts[0].id}/acknowledge`, {}, analyst.token);
    expect(ack.status).toBe(200);
    expect(ack.json).toMatchObject({ status: 'acknowledged', acknowledged_by: `user:${analyst.userId}` });
    const after = await get('/v1/alerts?status=acknowledged');
    expect((after.json.alerts as { id: string }[]).map((a) => a.id)).toContain(alerts[0].id);

    const stats = await get('/v1/alerts/stats?window=3600');
    expect(stats.status).toBe(200);
    // 21 days streamed in the first test, each judged against its one-step forecast.
    expect(stats.json.actuals).toBe(21);
    expect(stats.json.anomalies).toBeGreaterThanOrEqual(1);
    expect(stats.json.mae).toBeGreaterThan(0);

    // /metrics counts the same pipeline for the operator: the 21 actuals, every anomaly raised,
    // and every webhook delivery by outcome.
    const text = await (await fetch(`${base}/metrics`)).text();
    const samples = (name: string) =>
      text
        .split('\n')
        .filter((l) => l.startsWith(`${name}{`))
        .map((l) => ({
          labels: l.slice(l.indexOf('{'), l.indexOf('}') + 1),
          value: Number(l.split(' ').at(-1)),
        }));
    expect(samples('salescast_stream_records_total')).toContainEqual({
      labels: '{outcome="appended"}',
      value: 21,
    });
    const anomalies = samples('salescast_anomalies_total');
    expect(anomalies.some((a) => a.labels.includes('kind="actual_spike"') && a.value >= 1)).toBe(true);
    // The streamed ones the stats count, and the two findings the tests above raised directly.
    expect(anomalies.reduce((a, b) => a + b.value, 0)).toBe((stats.json.anomalies as number) + 2);
    const outcomes = await realtime.alerts.settled();
    expect(samples('salescast_webhook_deliveries_total')).toEqual([
      { labels: '{outcome="delivered"}', value: outcomes.filter((o) => o.delivered).length },
      { labels: '{outcome="failed"}', value: outcomes.filter((o) => !o.delivered).length },
    ]);
    expect(text).toMatch(/^salescast_served_model_versions 1$/m);
  });
});
