/**
 * The audit trail: state changes are recorded with actor, target, request id and outcome; the
 * hash chain detects an edited, inserted or deleted entry (even the last) and names the first bad
 * one; filters and the compliance report work.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDb } from '../../src/store/db.js';
import { addUser, type Caller, call, createTenant, DIALECTS, type Harness, startHarness } from './harness.js';

describe.each(DIALECTS)('audit trail (%s)', (dialect) => {
  let h: Harness;
  let admin: Caller;
  /** Raw owner access to the database, as an attacker with database access would have. */
  let raw: ReturnType<typeof createDb>;

  beforeAll(async () => {
    h = await startHarness(dialect);
    raw = createDb({
      dataDir: h.config.dataDir,
      databaseUrl: h.config.databaseUrl,
      pgSchema: h.config.pgSchema,
    });
  });
  beforeEach(async () => {
    admin = await createTenant(h, 'Audited');
    await addUser(h, admin, 'analyst');
    await call(h, 'POST', '/v1/api-keys', admin.token, { name: 'k', role: 'viewer' });
    await call(h, 'PUT', '/v1/tenants/current/branding', admin.token, { name: 'Audited Inc' });
  });
  afterAll(async () => {
    await raw.destroy();
    await h.close();
  });

  const verify = async () => (await call(h, 'GET', '/v1/audit/verify', admin.token)).json();
  const seqOf = async (action: string) =>
    (await call(h, 'GET', `/v1/audit?action=${action}`, admin.token)).json().entries[0].seq as number;

  it('records each state change with actor, target, request id and outcome', async () => {
    const res = await call(h, 'GET', '/v1/audit', admin.token, undefined, { 'x-request-id': 'req-abc' });
    expect(res.headers['x-request-id']).toBe('req-abc');
    const entries = res.json().entries as {
      action: string;
      actor: string;
      request_id: string;
      outcome: string;
      target: string;
    }[];
    expect(entries.map((e) => e.action).reverse()).toEqual([
      'tenant.create',
      'user.create',
      'auth.login',
      'user.create',
      'auth.login',
      'api_key.create',
      'settings.branding',
    ]);
    const branding = entries[0];
    expect(branding).toMatchObject({
      actor: `user:${admin.userId}`,
      outcome: 'success',
      target: `tenant:${admin.tenantId}`,
    });
    expect(branding.request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await verify()).toEqual({ ok: true, checked: 7 });
  });

  it('filters by action, actor and time', async () => {
    const byAction = (await call(h, 'GET', '/v1/audit?action=auth.login', admin.token)).json().entries;
    expect(byAction).toHaveLength(2);
    const byActor = (await call(h, 'GET', `/v1/audit?actor=user:${admin.userId}`, admin.token)).json()
      .entries;
    expect(byActor.map((e: { action: string }) => e.action).sort()).toEqual([
      'api_key.create',
      'auth.login',
      'settings.branding',
      'user.create',
    ]);
    const future = (
      await call(h, 'GET', `/v1/audit?from=${new Date(Date.now() + 60_000).toISOString()}`, admin.token)
    ).json();
    expect(future.entries).toEqual([]);
    const past = (
      await call(h, 'GET', `/v1/audit?to=${new Date(Date.now() - 3_600_000).toISOString()}`, admin.token)
    ).json();
    expect(past.entries).toEqual([]);
    expect((await call(h, 'GET', '/v1/audit?from=yesterday', admin.token)).statusCode).toBe(400);
  });

  it('detects an edited entry and names it', async () => {
    const seq = await seqOf('api_key.create');
    await sql`update audit_log set outcome = 'failure' where tenant_id = ${admin.tenantId} and seq = ${seq}`.execute(
      raw.kysely,
    );
    const v = await verify();
    expect(v.ok).toBe(false);
    expect(v.first_bad).toMatchObject({ seq });
    expect(v.first_bad.reason).toMatch(/edited/);
  });

  it('detects a deleted entry in the middle', async () => {
    const seq = await seqOf('user.create');
    await sql`delete from audit_log where tenant_id = ${admin.tenantId} and seq = ${seq}`.execute(raw.kysely);
    const v = await verify();
    expect(v.ok).toBe(false);
    expect(v.first_bad).toMatchObject({ seq, id: null });
    expect(v.first_bad.reason).toMatch(/missing/);
  });

  it('detects a deleted last entry through the recorded chain head', async () => {
    const seq = await seqOf('settings.branding');
    await sql`delete from audit_log where tenant_id = ${admin.tenantId} and seq = ${seq}`.execute(raw.kysely);
    const v = await verify();
    expect(v.ok).toBe(false);
    expect(v.first_bad.seq).toBe(seq);
  });

  it('detects an inserted entry, even one with a correct-looking hash link', async () => {
    const seq = await seqOf('api_key.create');
    const rows = await sql<{
      seq: number;
      hash: string;
    }>`select seq, hash from audit_log where tenant_id = ${admin.tenantId} order by seq`.execute(raw.kysely);
    // Shift the later entries up by one and insert a forged entry in the gap.
    for (const r of [...rows.rows].reverse()) {
      if (r.seq >= seq)
        await sql`update audit_log set seq = ${r.seq + 1} where tenant_id = ${admin.tenantId} and seq = ${r.seq}`.execute(
          raw.kysely,
        );
    }
    const prev = rows.rows.find((r) => r.seq === seq - 1)!.hash;
    await sql`insert into audit_log (tenant_id, seq, id, at, actor, action, target, request_id, outcome, details, prev_hash, hash)
      values (${admin.tenantId}, ${seq}, ${'forged'}, ${new Date().toISOString()}, ${'user:x'}, ${'user.update'}, ${'user:y'}, ${'r'}, ${'success'}, ${'{}'}, ${prev}, ${'0'.repeat(64)})`.execute(
      raw.kysely,
    );
    const v = await verify();
    expect(v.ok).toBe(false);
    expect(v.first_bad).toMatchObject({ seq, id: 'forged' });
  });

  it('records a refused attempt to change state as denied', async () => {
    const viewer = await addUser(h, admin, 'viewer');
    expect(
      (await call(h, 'POST', '/v1/api-keys', viewer.token, { name: 'x', role: 'admin' })).statusCode,
    ).toBe(403);
    expect((await call(h, 'GET', '/v1/api-keys', viewer.token)).statusCode).toBe(403);
    const denied = (await call(h, 'GET', `/v1/audit?actor=user:${viewer.userId}`, admin.token)).json()
      .entries;
    expect(denied.filter((e: { outcome: string }) => e.outcome === 'denied')).toEqual([
      expect.objectContaining({ action: 'POST /v1/api-keys', target: '/v1/api-keys', outcome: 'denied' }),
    ]);
    expect((await call(h, 'GET', '/v1/audit/report', admin.token)).json().denied_actions).toBe(1);
    expect((await verify()).ok).toBe(true);
  });

  it('summarises the last 30 days in a compliance report', async () => {
    await h.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: admin.email, password: 'Wrong-Passw0rd!!' },
    });
    const r = (await call(h, 'GET', '/v1/audit/report', admin.token)).json();
    expect(r.days).toBe(30);
    expect(r.total).toBe(8);
    expect(r.by_action).toEqual({
      'tenant.create': 1,
      'user.create': 2,
      'auth.login': 3,
      'api_key.create': 1,
      'settings.branding': 1,
    });
    expect(r.by_outcome).toEqual({ success: 7, failure: 1 });
    expect(r.failed_logins).toBe(1);
    expect(r.chain.ok).toBe(true);
  });
});

describe('audit report', () => {
  it('counts the entries recorded in its own millisecond', async () => {
    // A stopped clock: every entry is recorded at the instant the report is made.
    const at = new Date();
    const h = await startHarness('sqlite', {}, { now: () => at });
    try {
      const admin = await createTenant(h, 'Instant');
      const r = (await call(h, 'GET', '/v1/audit/report', admin.token)).json();
      expect(r.to).toBe(at.toISOString());
      expect(r.by_action).toEqual({ 'tenant.create': 1, 'user.create': 1, 'auth.login': 1 });
      expect(r.total).toBe(3);
    } finally {
      await h.close();
    }
  });
});
