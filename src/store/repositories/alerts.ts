/** Alerts of one tenant, deduplicated by key: a repeated finding updates its row. */
import type { Kysely } from 'kysely';
import type { AlertsTable, Database } from '../schema.js';

export type AlertRow = Omit<AlertsTable, 'tenant_id'>;

export interface AlertFilter {
  readonly status?: string;
  readonly severity?: readonly string[];
  readonly seriesId?: string;
  /** Only alerts last seen at or after this time (ISO 8601). */
  readonly since?: string;
  readonly limit: number;
}

export interface AlertRepo {
  getByKey(dedupKey: string): Promise<AlertRow | undefined>;
  get(id: string): Promise<AlertRow | undefined>;
  insert(row: AlertRow): Promise<void>;
  /** Records a repeat: one more occurrence, the newest values, and the worse severity. */
  repeat(
    id: string,
    update: Pick<AlertRow, 'severity' | 'value' | 'expected' | 'score' | 'message' | 'last_seen_at'>,
  ): Promise<void>;
  acknowledge(id: string, by: string, at: string): Promise<void>;
  /** Newest first. */
  list(filter: AlertFilter): Promise<AlertRow[]>;
}

export function alertRepo(db: Kysely<Database>, tenantId: string): AlertRepo {
  const scoped = () => db.selectFrom('alerts').selectAll().where('tenant_id', '=', tenantId);
  const strip = (row: AlertsTable | undefined): AlertRow | undefined => {
    if (!row) return undefined;
    const { tenant_id: _, ...rest } = row;
    return rest;
  };
  return {
    getByKey: async (key) => strip(await scoped().where('dedup_key', '=', key).executeTakeFirst()),
    get: async (id) => strip(await scoped().where('id', '=', id).executeTakeFirst()),
    async insert(row) {
      await db
        .insertInto('alerts')
        .values({ ...row, tenant_id: tenantId })
        .execute();
    },
    async repeat(id, update) {
      await db
        .updateTable('alerts')
        .set((eb) => ({ ...update, occurrences: eb('occurrences', '+', 1) }))
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .execute();
    },
    async acknowledge(id, by, at) {
      await db
        .updateTable('alerts')
        .set({ status: 'acknowledged', acknowledged_by: by, acknowledged_at: at })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .execute();
    },
    async list(filter) {
      let q = scoped();
      if (filter.status) q = q.where('status', '=', filter.status);
      if (filter.severity?.length) q = q.where('severity', 'in', [...filter.severity]);
      if (filter.seriesId) q = q.where('series_id', '=', filter.seriesId);
      if (filter.since) q = q.where('last_seen_at', '>=', filter.since);
      const rows = await q
        .orderBy('last_seen_at', 'desc')
        .orderBy('id', 'desc')
        .limit(filter.limit)
        .execute();
      return rows.map((r) => strip(r)!);
    },
  };
}
