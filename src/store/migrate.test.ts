import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Kysely, sql } from 'kysely';
import { describe, expect, it, vi } from 'vitest';
import { createDb } from './db.js';
import { migrate } from './migrate.js';

// The real migrations plus one that fails, sorted after them.
vi.mock('./migrations/index.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('./migrations/index.js')>();
  return {
    MIGRATIONS: {
      ...original.MIGRATIONS,
      '9999_broken': {
        up: async (db: Kysely<unknown>) => {
          await sql`select * from no_such_table`.execute(db);
        },
      },
    },
  };
});

describe('migrate', () => {
  it('fails loudly, naming the migration, and keeps the earlier ones applied', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'salescast-migrate-'));
    const db = createDb({ dataDir: dir });
    try {
      await expect(migrate(db)).rejects.toMatchObject({
        code: 'SERVICE_UNAVAILABLE',
        message: expect.stringContaining('9999_broken'),
      });
      const tables = await sql<{
        name: string;
      }>`select name from sqlite_master where type = 'table' and name = 'tenants'`.execute(db.kysely);
      expect(tables.rows).toEqual([{ name: 'tenants' }]);
    } finally {
      await db.destroy();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
