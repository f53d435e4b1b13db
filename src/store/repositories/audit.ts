/** The tenant's audit chain: append and read only; there is no update or delete. */
import type { Kysely } from 'kysely';
import type { AuditLogTable, Database } from '../schema.js';

export type AuditRow = AuditLogTable;

export interface AuditFilter {
  action?: string;
  actor?: string;
  /** Inclusive lower bound, ISO 8601. */
  from?: string;
  /** Exclusive upper bound, ISO 8601. */
  to?: string;
  /** Return entries with seq < beforeSeq (paging backwards). */
  beforeSeq?: number;
  limit?: number;
}

export interface AuditRepo {
  append(row: Omit<AuditRow, 'tenant_id'>): Promise<void>;
  /** Entries matching the filter, newest first. */
  list(filter: AuditFilter): Promise<AuditRow[]>;
  /** The whole chain in order, in pages of `pageSize`, for verification. */
  scan(afterSeq: number, pageSize: number): Promise<AuditRow[]>;
}

export function auditRepo(db: Kysely<Database>, tenantId: string): AuditRepo {
  return {
    async append(row) {
      await db
        .insertInto('audit_log')
        .values({ ...row, tenant_id: tenantId })
        .execute();
    },
    list(f) {
      let q = db.selectFrom('audit_log').selectAll().where('tenant_id', '=', tenantId);
      if (f.action !== undefined) q = q.where('action', '=', f.action);
      if (f.actor !== undefined) q = q.where('actor', '=', f.actor);
      if (f.from !== undefined) q = q.where('at', '>=', f.from);
      if (f.to !== undefined) q = q.where('at', '<', f.to);
      if (f.beforeSeq !== undefined) q = q.where('seq', '<', f.beforeSeq);
      return q
        .orderBy('seq', 'desc')
        .limit(f.limit ?? 100)
        .execute();
    },
    scan: (afterSeq, pageSize) =>
      db
        .selectFrom('audit_log')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('seq', '>', afterSeq)
        .orderBy('seq')
        .limit(pageSize)
        .execute(),
  };
}
