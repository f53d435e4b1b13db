/**
 * The server's shared infrastructure: health, OpenAPI and docs, metrics, request ids, security
 * headers, problem+json for unknown routes, log redaction, and a graceful close that lets in-flight
 * requests finish.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, LOG_REDACT } from '../../src/api/server.js';
import { call, createTenant, demoSources, type Harness, PASSWORD, startHarness } from './harness.js';

describe('server', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness('sqlite');
  });
  afterAll(() => h.close());

  it('answers health, readiness, metrics, the OpenAPI document and the docs page', async () => {
    expect((await call(h, 'GET', '/healthz')).json()).toEqual({ status: 'ok' });
    expect((await call(h, 'GET', '/readyz')).json()).toEqual({ status: 'ready' });
    const spec = (await call(h, 'GET', '/openapi.json')).json();
    expect(spec.openapi).toBe('3.1.0');
    for (const path of [
      '/v1/auth/login',
      '/v1/datasets',
      '/v1/datasets/{id}',
      '/v1/audit/verify',
      '/v1/tenants/current/branding',
    ]) {
      expect(Object.keys(spec.paths)).toContain(path);
    }
    expect(spec.paths['/v1/users'].post.requestBody.content['application/json'].schema.required).toEqual([
      'email',
      'password',
      'role',
    ]);
    expect(spec.paths['/v1/users'].post.responses['4XX'].content['application/problem+json'].schema).toEqual({
      $ref: '#/components/schemas/Problem',
    });
    expect(spec.components.schemas.Problem.required).toContain('code');
    // docs/API.md lists every route (`npm run docs:reference` regenerates the list).
    const apiDoc = await readFile('docs/API.md', 'utf8');
    const listed = apiDoc.slice(
      apiDoc.indexOf('<!-- routes:start -->'),
      apiDoc.indexOf('<!-- routes:end -->'),
    );
    const routes = Object.entries(spec.paths as Record<string, object>).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `\`${method.toUpperCase()} ${path}\``),
    );
    expect(routes.length).toBeGreaterThan(60);
    expect(routes.filter((r) => !listed.includes(r))).toEqual([]);
    const docs = await call(h, 'GET', '/docs/');
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger');
    const metrics = await call(h, 'GET', '/metrics');
    expect(metrics.body).toContain('# HELP salescast_http_requests_total');
    expect(metrics.body).toMatch(
      /salescast_http_requests_total\{method="GET",route="\/healthz",status="200"\} 1/,
    );
  });

  it('answers unknown routes with 404 problem+json and a request id', async () => {
    const res = await call(h, 'GET', '/v1/nope');
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.json()).toMatchObject({
      code: 'NOT_FOUND',
      status: 404,
      instance: '/v1/nope',
      request_id: res.headers['x-request-id'],
    });
  });

  it('answers a URL it cannot decode with 400 problem+json and a request id', async () => {
    const res = await call(h, 'GET', '/v1/forecast/batch/%00%ff');
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.json()).toMatchObject({
      code: 'USAGE',
      status: 400,
      request_id: res.headers['x-request-id'],
    });
    expect(res.json().detail).toMatch(/\/v1\/forecast\/batch\/%00%ff/);
  });

  it('sends the security headers on answers, errors and the docs page alike', async () => {
    for (const url of ['/healthz', '/v1/nope', '/docs/']) {
      const res = await call(h, 'GET', url);
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
      expect(res.headers['x-frame-options'], url).toBe('DENY');
      expect(res.headers['strict-transport-security'], url).toBe('max-age=31536000; includeSubDomains');
      expect(res.headers['cross-origin-resource-policy'], url).toBe('same-origin');
      // Framing only: no policy that would stop the Swagger UI's own scripts.
      expect(res.headers['content-security-policy'], url).toBe("frame-ancestors 'none'");
    }
    // Tenant data is never cached; the document policies come with HTML pages only.
    const json = await call(h, 'GET', '/healthz');
    expect(json.headers['cache-control']).toBe('no-store');
    expect(json.headers['referrer-policy']).toBeUndefined();
    const page = await call(h, 'GET', '/docs/');
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['cross-origin-opener-policy']).toBe('same-origin');
  });

  it('keeps passwords and tokens out of the log', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const app = await buildServer({
      platform: h.platform,
      loggerInstance: pino({ level: 'trace', redact: LOG_REDACT }, sink),
    });
    const t = await createTenant(h, 'Logged');
    await app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: t.email, password: PASSWORD },
    });
    await app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: t.email, password: 'Wrong-Passw0rd!' },
    });
    await app.inject({ method: 'GET', url: '/v1/usage', headers: { authorization: `Bearer ${t.token}` } });
    await app.close();
    const log = lines.join('');
    expect(log).toContain('"reqId"');
    expect(log).not.toContain(PASSWORD);
    expect(log).not.toContain('Wrong-Passw0rd!');
    expect(log).not.toContain(t.token);
  });

  it('finishes an in-flight upload when closed, and refuses new connections', async () => {
    const other = await startHarness('sqlite');
    const t = await createTenant(other, 'Closing');
    const url = await other.app.listen({ host: '127.0.0.1', port: 0 });
    const form = new FormData();
    for (const [name, content] of demoSources()) form.append('file', new Blob([content]), name);
    const inflight = fetch(`${url}/v1/datasets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.token}` },
      body: form,
    });
    // Close once the upload is being received: close waits for it, and it succeeds.
    const tmp = join(other.config.dataDir, 'tenants', t.tenantId, 'tmp');
    for (let i = 0; i < 200 && (await readdir(tmp).catch(() => [])).length === 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const closing = other.app.close();
    const res = await inflight;
    await closing;
    expect(res.status).toBe(201);
    const id = ((await res.json()) as { id: string }).id;
    const rows = await other.platform.store.withTenant(t.tenantId, (r) => r.datasets.list(10));
    expect(rows.map((d) => d.id)).toEqual([id]);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    await other.close();
  });
});
