/** Sessions, token expiry and revocation, refresh rotation, API keys and login throttling. */
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../src/store/db.js';
import {
  addUser,
  type Caller,
  call,
  createTenant,
  DIALECTS,
  type Harness,
  PASSWORD,
  startHarness,
  TEST_JWT_SECRET,
} from './harness.js';

const loginRes = (h: Harness, email: string, password: string) =>
  h.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password } });

describe.each(DIALECTS)('auth (%s)', (dialect) => {
  let h: Harness;
  let admin: Caller;

  beforeAll(async () => {
    h = await startHarness(dialect);
    admin = await createTenant(h, 'Authco');
  });
  afterAll(() => h.close());

  it('logs in with a token pair and refuses a wrong password with 401 problem+json', async () => {
    const ok = await loginRes(h, admin.email.toUpperCase(), PASSWORD);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
    const bad = await loginRes(h, admin.email, 'Wrong-Passw0rd-!!');
    expect(bad.statusCode).toBe(401);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(bad.json()).toMatchObject({ code: 'UNAUTHENTICATED', status: 401, instance: '/v1/auth/login' });
    const unknown = await loginRes(h, 'nobody@nowhere.test', PASSWORD);
    expect(unknown.json().detail).toBe(bad.json().detail);
  });

  it('refuses an expired or forged access token', async () => {
    const secret = new TextEncoder().encode(TEST_JWT_SECRET);
    const claims = { tid: admin.tenantId, sid: 'whatever' };
    const expired = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(admin.userId)
      .setIssuer('salescast')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 3600)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(secret);
    const forged = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(admin.userId)
      .setIssuer('salescast')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('another-secret-another-secret-another-secret'));
    for (const token of [expired, forged, 'not-a-token', `${admin.token}x`]) {
      const res = await call(h, 'GET', '/v1/usage', token);
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('UNAUTHENTICATED');
    }
    expect((await call(h, 'GET', '/v1/usage', admin.token)).statusCode).toBe(200);
    // Credentials are checked before input: a bad token with a bad body is 401, not 400.
    expect((await call(h, 'POST', '/v1/users', 'not-a-token', { nope: 1 })).statusCode).toBe(401);
    expect((await call(h, 'POST', '/v1/users', undefined, { nope: 1 })).statusCode).toBe(401);
  });

  it('logout ends the session at once; refresh rotates and detects reuse', async () => {
    const pair = (await loginRes(h, admin.email, PASSWORD)).json();
    const r1 = await call(h, 'POST', '/v1/auth/refresh', undefined, { refresh_token: pair.refresh_token });
    expect(r1.statusCode).toBe(200);
    expect(r1.json().refresh_token).not.toBe(pair.refresh_token);
    expect((await call(h, 'GET', '/v1/usage', r1.json().access_token)).statusCode).toBe(200);
    // The old refresh token comes back: the whole session is revoked.
    const reuse = await call(h, 'POST', '/v1/auth/refresh', undefined, { refresh_token: pair.refresh_token });
    expect(reuse.statusCode).toBe(401);
    expect((await call(h, 'GET', '/v1/usage', r1.json().access_token)).statusCode).toBe(401);
    const again = await call(h, 'POST', '/v1/auth/refresh', undefined, {
      refresh_token: r1.json().refresh_token,
    });
    expect(again.statusCode).toBe(401);

    const p2 = (await loginRes(h, admin.email, PASSWORD)).json();
    expect((await call(h, 'POST', '/v1/auth/logout', p2.access_token)).statusCode).toBe(204);
    expect((await call(h, 'GET', '/v1/usage', p2.access_token)).statusCode).toBe(401);
    expect(
      (await call(h, 'POST', '/v1/auth/refresh', undefined, { refresh_token: p2.refresh_token })).statusCode,
    ).toBe(401);
    for (const bad of ['x.y.z', 'garbage', `${admin.tenantId}.nope.nope`]) {
      expect((await call(h, 'POST', '/v1/auth/refresh', undefined, { refresh_token: bad })).statusCode).toBe(
        401,
      );
    }
  });

  it('refuses a refresh token whose session has expired', async () => {
    const pair = (await loginRes(h, admin.email, PASSWORD)).json();
    const sessionId = pair.refresh_token.split('.')[1];
    const raw = createDb({
      dataDir: h.config.dataDir,
      databaseUrl: h.config.databaseUrl,
      pgSchema: h.config.pgSchema,
    });
    await raw.kysely
      .updateTable('sessions')
      .set({ expires_at: '2000-01-01T00:00:00.000Z' })
      .where('id', '=', sessionId)
      .execute();
    await raw.destroy();
    const res = await call(h, 'POST', '/v1/auth/refresh', undefined, { refresh_token: pair.refresh_token });
    expect(res.statusCode).toBe(401);
  });

  it('a role change or a disable takes effect immediately', async () => {
    const u = await addUser(h, admin, 'manager');
    expect((await call(h, 'GET', '/v1/audit', u.token)).statusCode).toBe(200);
    const patched = await call(h, 'PATCH', `/v1/users/${u.userId}`, admin.token, { role: 'viewer' });
    expect(patched.json().role).toBe('viewer');
    expect((await call(h, 'GET', '/v1/audit', u.token)).statusCode).toBe(401);
    const fresh = (await loginRes(h, u.email, PASSWORD)).json().access_token;
    expect((await call(h, 'GET', '/v1/audit', fresh)).statusCode).toBe(403);
    await call(h, 'PATCH', `/v1/users/${u.userId}`, admin.token, { status: 'disabled' });
    expect((await loginRes(h, u.email, PASSWORD)).statusCode).toBe(401);
    expect(
      (await call(h, 'PATCH', `/v1/users/${admin.userId}`, admin.token, { role: 'viewer' })).statusCode,
    ).toBe(409);
  });

  it('API keys are shown once, stored hashed, scoped to a role and revocable', async () => {
    const created = await call(h, 'POST', '/v1/api-keys', admin.token, { name: 'ci', role: 'analyst' });
    expect(created.statusCode).toBe(201);
    const { key, id } = created.json();
    expect(key).toMatch(/^sck_/);
    const list = await call(h, 'GET', '/v1/api-keys', admin.token);
    expect(list.body).not.toContain(key);
    expect(list.json().api_keys.find((k: { id: string }) => k.id === id).prefix).toBe(key.slice(0, 12));
    const row = await h.platform.store.withTenant(admin.tenantId, (r) => r.apiKeys.get(id));
    expect(row?.key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(key.slice(13));
    expect((await call(h, 'GET', '/v1/datasets', key)).statusCode).toBe(200);
    expect((await call(h, 'GET', '/v1/audit', key)).statusCode).toBe(403);
    expect((await call(h, 'POST', '/v1/auth/logout', key)).statusCode).toBe(400);
    expect((await call(h, 'DELETE', `/v1/api-keys/${id}`, admin.token)).statusCode).toBe(204);
    const revoked = await call(h, 'GET', '/v1/datasets', key);
    expect(revoked.statusCode).toBe(401);
    expect((await call(h, 'GET', '/v1/datasets', `${key.slice(0, -2)}xx`)).statusCode).toBe(401);
  });

  it('throttles password guessing with 429 and Retry-After, and records every attempt', async () => {
    const victim = await addUser(h, admin, 'viewer');
    const statuses: number[] = [];
    let retryAfter: string | undefined;
    for (let i = 0; i < 8; i++) {
      const r = await loginRes(h, victim.email, `Wrong-guess-${i}-!A`);
      statuses.push(r.statusCode);
      if (r.statusCode === 429) {
        retryAfter = r.headers['retry-after'] as string;
        expect(r.json().code).toBe('LOGIN_THROTTLED');
      }
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(retryAfter)).toBeLessThanOrEqual(30);
    // Even the right password waits out the lock: the lock is on the account, not on guesses.
    expect((await loginRes(h, victim.email, PASSWORD)).statusCode).toBe(429);
    const audit = await call(
      h,
      'GET',
      `/v1/audit?action=auth.login&actor=user:${victim.userId}`,
      admin.token,
    );
    const outcomes = audit.json().entries.map((e: { outcome: string }) => e.outcome);
    expect(outcomes.filter((o: string) => o === 'failure')).toHaveLength(5);
    expect(outcomes.filter((o: string) => o === 'success')).toHaveLength(1);
  });
});
