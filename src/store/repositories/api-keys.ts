/** API keys of one tenant (hashes only). */
import type { Kysely } from 'kysely';
import type { ApiKeysTable, Database } from '../schema.js';

export type ApiKeyRow = ApiKeysTable;

export interface ApiKeyRepo {
  insert(row: Omit<ApiKeyRow, 'tenant_id'>): Promise<void>;
  get(id: string): Promise<ApiKeyRow | undefined>;
  list(): Promise<ApiKeyRow[]>;
  revoke(id: string): Promise<boolean>;
}

export function apiKeyRepo(db: Kysely<Database>, tenantId: string): ApiKeyRepo {
  return {
    async insert(row) {
      await db
        .insertInto('api_keys')
        .values({ ...row, tenant_id: tenantId })
        .execute();
    },
    get: (id) =>
      db
        .selectFrom('api_keys')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst(),
    list: () =>
      db
        .selectFrom('api_keys')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .orderBy('created_at')
        .orderBy('id')
        .execute(),
    async revoke(id) {
      const r = await db
        .updateTable('api_keys')
        .set({ revoked_at: new Date().toISOString() })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
  };
}
