import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { metrics } from './metrics.js';

/** The exposition lines of `name` (with labels) from a /metrics body, mapped to their values. */
function samples(body: string, name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of body.split('\n')) {
    if (!line.startsWith(name)) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

describe('metrics plugin', () => {
  const apps: ReturnType<typeof Fastify>[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.close()));
  });

  it('counts requests per route and status, and their durations in cumulative buckets', async () => {
    const app = Fastify();
    apps.push(app);
    await app.register(metrics);
    let waitMs = 0;
    app.get('/item/:id', async (request) => {
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      if ((request.params as { id: string }).id === 'missing')
        throw Object.assign(new Error('no such item'), { statusCode: 404 });
      return { ok: true };
    });
    await app.inject({ method: 'GET', url: '/item/1' });
    await app.inject({ method: 'GET', url: '/item/2' });
    await app.inject({ method: 'GET', url: '/item/missing' });
    waitMs = 30;
    await app.inject({ method: 'GET', url: '/item/3' });
    await app.inject({ method: 'GET', url: '/nowhere' });

    const body = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    const requests = samples(body, 'salescast_http_requests_total{');
    expect(requests.get('salescast_http_requests_total{method="GET",route="/item/:id",status="200"}')).toBe(
      3,
    );
    expect(requests.get('salescast_http_requests_total{method="GET",route="/item/:id",status="404"}')).toBe(
      1,
    );
    expect(requests.get('salescast_http_requests_total{method="GET",route="unmatched",status="404"}')).toBe(
      1,
    );
    expect(body).toContain('# TYPE salescast_http_request_duration_seconds histogram');

    const route = 'method="GET",route="/item/:id"';
    const buckets = samples(body, 'salescast_http_request_duration_seconds_bucket{');
    const bucket = (le: string) =>
      buckets.get(`salescast_http_request_duration_seconds_bucket{le="${le}",${route}}`);
    // Three quick answers, then one that waited 30 ms: it first counts in the 0.05 s bucket.
    expect(bucket('0.025')).toBe(3);
    expect(bucket('0.05')).toBe(4);
    expect(bucket('10')).toBe(4);
    expect(bucket('+Inf')).toBe(4);
    const ordered = [...buckets].filter(([k]) => k.includes(route)).map(([, v]) => v);
    expect(ordered).toHaveLength(12);
    expect(ordered).toEqual([...ordered].sort((a, b) => a - b));
    const count = samples(body, 'salescast_http_request_duration_seconds_count{');
    expect(count.get(`salescast_http_request_duration_seconds_count{${route}}`)).toBe(4);
    const sum = samples(body, 'salescast_http_request_duration_seconds_sum{').get(
      `salescast_http_request_duration_seconds_sum{${route}}`,
    );
    expect(sum).toBeGreaterThan(0.03);
    expect(sum).toBeLessThan(1);
  });
});
