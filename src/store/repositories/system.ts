/**
 * The few queries that run before a tenant is known, or across tenants for the platform
 * super-admin: find a login's user by email, an API key by its hash, create and list tenants.
 * They run on the owner connection; everything else goes through a tenant scope.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { ApiKeyRow } from './api-keys.js';
import type { TenantRow } from './tenants.js';
import type { UserRow } from './users.js';

export interface SystemRepo {
  findUserByEmail(email: string): Promise<UserRow | undefined>;
  findApiKeyByHash(keyHash: string): Promise<ApiKeyRow | undefined>;
  /** Inserts a tenant and its first user in one transaction. */
  createTenant(tenant: TenantRow, admin: UserRow): Promise<void>;
  getTenant(id: string): Promise<TenantRow | undefined>;
  listTenants(): Promise<TenantRow[]>;
  countTenants(): Promise<number>;
}

export function systemRepo(db: Kysely<Database>): SystemRepo {
  return {
    findUserByEmail: (email) =>
      db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst(),
    findApiKeyByHash: (keyHash) =>
      db.selectFrom('api_keys').selectAll().where('key_hash', '=', keyHash).executeTakeFirst(),
    async createTenant(tenant, admin) {
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('tenants').values(tenant).execute();
        await trx.insertInto('users').values(admin).execute();
      });
    },
    getTenant: (id) => db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst(),
    listTenants: () => db.selectFrom('tenants').selectAll().orderBy('created_at').orderBy('id').execute(),
    async countTenants() {
      const r = await db
        .selectFrom('tenants')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
}
