/** The tenant's own row: plan, status, quota overrides, branding and the audit chain head. */
import type { Kysely } from 'kysely';
import type { Database, TenantsTable } from '../schema.js';

export type TenantRow = TenantsTable;

export interface TenantRepo {
  get(): Promise<TenantRow | undefined>;
  update(
    patch: Partial<Pick<TenantRow, 'name' | 'plan' | 'status' | 'quota_overrides' | 'branding'>>,
  ): Promise<void>;
  /**
   * Moves the audit chain head to `seq`/`hash` if it is still at `expectedSeq`. The row update
   * also serialises concurrent appends of one tenant (PostgreSQL row lock, SQLite single writer).
   */
  advanceAuditHead(expectedSeq: number, seq: number, hash: string): Promise<boolean>;
  /** Locks the tenant row for the rest of the transaction and returns the chain head. */
  lockAuditHead(): Promise<{ seq: number; hash: string }>;
}

export function tenantRepo(db: Kysely<Database>, tenantId: string, forUpdate: boolean): TenantRepo {
  return {
    get: () => db.selectFrom('tenants').selectAll().where('id', '=', tenantId).executeTakeFirst(),
    async update(patch) {
      await db
        .updateTable('tenants')
        .set({ ...patch, updated_at: new Date().toISOString() })
        .where('id', '=', tenantId)
        .execute();
    },
    async advanceAuditHead(expectedSeq, seq, hash) {
      const r = await db
        .updateTable('tenants')
        .set({ audit_seq: seq, audit_head: hash })
        .where('id', '=', tenantId)
        .where('audit_seq', '=', expectedSeq)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async lockAuditHead() {
      let q = db.selectFrom('tenants').select(['audit_seq', 'audit_head']).where('id', '=', tenantId);
      // NO KEY UPDATE serialises appenders without conflicting with the KEY SHARE lock that a
      // foreign key to this tenant takes: an appender that first inserted a row referencing the
      // tenant (an API key, a dataset) would otherwise deadlock with another doing the same.
      if (forUpdate) q = q.forNoKeyUpdate();
      const row = await q.executeTakeFirstOrThrow();
      return { seq: row.audit_seq, hash: row.audit_head };
    },
  };
}
