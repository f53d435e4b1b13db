/** Login sessions of one tenant: one row per refresh-token family. */
import type { Kysely } from 'kysely';
import type { Database, SessionsTable } from '../schema.js';

export type SessionRow = SessionsTable;

export interface SessionRepo {
  insert(row: Omit<SessionRow, 'tenant_id'>): Promise<void>;
  get(id: string): Promise<SessionRow | undefined>;
  /** Replaces the refresh hash if it still equals `oldHash` (one winner when a token is replayed). */
  rotate(id: string, oldHash: string, newHash: string, expiresAt: string): Promise<boolean>;
  revoke(id: string): Promise<void>;
  revokeAllOfUser(userId: string): Promise<void>;
}

export function sessionRepo(db: Kysely<Database>, tenantId: string): SessionRepo {
  const now = () => new Date().toISOString();
  return {
    async insert(row) {
      await db
        .insertInto('sessions')
        .values({ ...row, tenant_id: tenantId })
        .execute();
    },
    get: (id) =>
      db
        .selectFrom('sessions')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst(),
    async rotate(id, oldHash, newHash, expiresAt) {
      const r = await db
        .updateTable('sessions')
        .set({ refresh_hash: newHash, refreshed_at: now(), expires_at: expiresAt })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .where('refresh_hash', '=', oldHash)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async revoke(id) {
      await db
        .updateTable('sessions')
        .set({ revoked_at: now() })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .execute();
    },
    async revokeAllOfUser(userId) {
      await db
        .updateTable('sessions')
        .set({ revoked_at: now() })
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .execute();
    },
  };
}
