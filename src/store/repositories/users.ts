/** Users of one tenant. */
import type { Kysely } from 'kysely';
import type { Database, UsersTable } from '../schema.js';

export type UserRow = UsersTable;

export interface UserRepo {
  insert(row: Omit<UserRow, 'tenant_id'>): Promise<void>;
  get(id: string): Promise<UserRow | undefined>;
  list(): Promise<UserRow[]>;
  update(id: string, patch: Partial<Pick<UserRow, 'role' | 'status' | 'password_hash'>>): Promise<boolean>;
}

export function userRepo(db: Kysely<Database>, tenantId: string): UserRepo {
  return {
    async insert(row) {
      await db
        .insertInto('users')
        .values({ ...row, tenant_id: tenantId })
        .execute();
    },
    get: (id) =>
      db
        .selectFrom('users')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst(),
    list: () =>
      db
        .selectFrom('users')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .orderBy('created_at')
        .orderBy('id')
        .execute(),
    async update(id, patch) {
      const r = await db
        .updateTable('users')
        .set({ ...patch, updated_at: new Date().toISOString() })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
  };
}
