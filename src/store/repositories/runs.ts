/** Experiment runs of one tenant: written once when a run ends (succeeded or failed), then read. */
import type { Kysely } from 'kysely';
import type { Database, ExperimentRunsTable } from '../schema.js';

export type RunRow = ExperimentRunsTable;

export interface RunFilter {
  kind?: string;
  status?: string;
  modelName?: string;
  limit: number;
}

export interface RunRepo {
  insert(row: Omit<RunRow, 'tenant_id'>): Promise<void>;
  get(id: string): Promise<RunRow | undefined>;
  /** Several runs by id (those that exist, in no particular order). */
  getMany(ids: readonly string[]): Promise<RunRow[]>;
  /** Newest first. */
  list(filter: RunFilter): Promise<RunRow[]>;
}

export function runRepo(db: Kysely<Database>, tenantId: string): RunRepo {
  return {
    async insert(row) {
      await db
        .insertInto('experiment_runs')
        .values({ ...row, tenant_id: tenantId })
        .execute();
    },
    get: (id) =>
      db
        .selectFrom('experiment_runs')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst(),
    async getMany(ids) {
      if (ids.length === 0) return [];
      return db
        .selectFrom('experiment_runs')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', 'in', [...ids])
        .execute();
    },
    list(f) {
      let q = db.selectFrom('experiment_runs').selectAll().where('tenant_id', '=', tenantId);
      if (f.kind !== undefined) q = q.where('kind', '=', f.kind);
      if (f.status !== undefined) q = q.where('status', '=', f.status);
      if (f.modelName !== undefined) q = q.where('model_name', '=', f.modelName);
      return q.orderBy('started_at', 'desc').orderBy('id', 'desc').limit(f.limit).execute();
    },
  };
}
