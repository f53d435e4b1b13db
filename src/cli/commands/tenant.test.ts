/**
 * The platform CLI commands, run in-process on an embedded database: tenant create/list/suspend,
 * user create and audit verify.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../program.js';
import { COMMANDS } from './index.js';

// These tests use the embedded database even when CI sets DATABASE_URL (the API tests cover PostgreSQL).
delete process.env.DATABASE_URL;

let dataDir: string;

/** Runs the CLI and returns the JSON of its last stdout line. */
async function run(...args: string[]): Promise<Record<string, unknown>> {
  const out: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out.push(String(chunk));
    return true;
  });
  try {
    await buildProgram(COMMANDS).parseAsync(['node', 'salescast', ...args, '--data-dir', dataDir, '--json']);
  } finally {
    spy.mockRestore();
  }
  return JSON.parse(out.join('').trim().split('\n').pop()!);
}

describe('platform CLI', () => {
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'salescast-cli-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('creates, lists, suspends and reinstates tenants', async () => {
    const created = await run(
      'tenant',
      'create',
      '--name',
      'Acme',
      '--plan',
      'pro',
      '--admin-email',
      'admin@acme.test',
      '--admin-password',
      'Acme-Str0ng-Passw0rd!',
    );
    expect(created).toEqual({ tenant_id: expect.any(String), admin_user_id: expect.any(String) });
    const list = (await run('tenant', 'list')) as {
      tenants: { id: string; name: string; plan: string; status: string }[];
    };
    expect(list.tenants).toEqual([
      expect.objectContaining({ id: created.tenant_id, name: 'Acme', plan: 'pro', status: 'active' }),
    ]);
    expect(await run('tenant', 'suspend', '--id', String(created.tenant_id))).toEqual({
      tenant_id: created.tenant_id,
      status: 'suspended',
    });
    expect(await run('tenant', 'reinstate', '--id', String(created.tenant_id))).toEqual({
      tenant_id: created.tenant_id,
      status: 'active',
    });
  });

  it('refuses a weak password, a bad plan and a duplicate email with exit code 2', async () => {
    const weak = run(
      'tenant',
      'create',
      '--name',
      'W',
      '--plan',
      'pro',
      '--admin-email',
      'a@weak.test',
      '--admin-password',
      '123',
    );
    await expect(weak).rejects.toMatchObject({ code: 'WEAK_PASSWORD', exitCode: 2 });
    const plan = run(
      'tenant',
      'create',
      '--name',
      'W',
      '--plan',
      'gold',
      '--admin-email',
      'a@weak.test',
      '--admin-password',
      'Acme-Str0ng-Passw0rd!',
    );
    await expect(plan).rejects.toMatchObject({ code: 'commander.invalidArgument' });
    const dup = run(
      'tenant',
      'create',
      '--name',
      'W',
      '--plan',
      'pro',
      '--admin-email',
      'ADMIN@acme.test',
      '--admin-password',
      'Acme-Str0ng-Passw0rd!',
    );
    await expect(dup).rejects.toMatchObject({ code: 'CONFLICT', exitCode: 2 });
  });

  it('creates users and verifies the audit chain, naming a tampered entry', async () => {
    const t = await run(
      'tenant',
      'create',
      '--name',
      'Globex',
      '--plan',
      'starter',
      '--admin-email',
      'admin@globex.test',
      '--admin-password',
      'Globex-Str0ng-Passw0rd!',
    );
    const u = await run(
      'user',
      'create',
      '--tenant',
      String(t.tenant_id),
      '--email',
      'ana@globex.test',
      '--password',
      'Analyst-Str0ng-1!',
      '--role',
      'analyst',
    );
    expect(u).toEqual({ user_id: expect.any(String), email: 'ana@globex.test', role: 'analyst' });
    const ok = (await run('audit', 'verify')) as { ok: boolean; tenants: { checked: number }[] };
    expect(ok.ok).toBe(true);
    expect(ok.tenants.map((x) => x.checked)).toEqual([4, 3]);
    const db = new SQLite(join(dataDir, 'salescast.db'));
    db.prepare('update audit_log set actor = ? where tenant_id = ? and seq = 3').run(
      'user:someone-else',
      t.tenant_id,
    );
    db.close();
    await expect(run('audit', 'verify', '--tenant', String(t.tenant_id))).rejects.toMatchObject({
      code: 'AUDIT_CHAIN_BROKEN',
      exitCode: 1,
      message: expect.stringMatching(/entry 3: .*edited/),
    });
  });
});
