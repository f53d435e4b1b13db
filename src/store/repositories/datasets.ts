/** Dataset records of one tenant; the files live in the tenant's folder (see `../files.ts`). */
import type { Kysely } from 'kysely';
import type { Database, DatasetsTable } from '../schema.js';

export type DatasetRow = DatasetsTable;

export interface DatasetRepo {
  insert(row: Omit<DatasetRow, 'tenant_id'>): Promise<void>;
  get(id: string): Promise<DatasetRow | undefined>;
  /** Newest first. */
  list(limit: number): Promise<DatasetRow[]>;
}

export function datasetRepo(db: Kysely<Database>, tenantId: string): DatasetRepo {
  return {
    async insert(row) {
      await db
        .insertInto('datasets')
        .values({ ...row, tenant_id: tenantId })
        .execute();
    },
    get: (id) =>
      db
        .selectFrom('datasets')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst(),
    list: (limit) =>
      db
        .selectFrom('datasets')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute(),
  };
}
