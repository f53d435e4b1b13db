/** Webhook subscriptions of one tenant. */
import type { Kysely } from 'kysely';
import type { Database, WebhooksTable } from '../schema.js';

export type WebhookRow = Omit<WebhooksTable, 'tenant_id'>;

export interface WebhookRepo {
  insert(row: WebhookRow): Promise<void>;
  /** Oldest first. */
  list(): Promise<WebhookRow[]>;
  /** Returns false when there was no such webhook. */
  delete(id: string): Promise<boolean>;
  recordDelivery(id: string, status: string, at: string): Promise<void>;
}

export function webhookRepo(db: Kysely<Database>, tenantId: string): WebhookRepo {
  return {
    async insert(row) {
      await db
        .insertInto('webhooks')
        .values({ ...row, tenant_id: tenantId })
        .execute();
    },
    list: () =>
      db
        .selectFrom('webhooks')
        .select([
          'id',
          'url',
          'secret',
          'min_severity',
          'created_by',
          'created_at',
          'last_status',
          'last_delivery_at',
        ])
        .where('tenant_id', '=', tenantId)
        .orderBy('created_at')
        .orderBy('id')
        .execute(),
    async delete(id) {
      const r = await db
        .deleteFrom('webhooks')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async recordDelivery(id, status, at) {
      await db
        .updateTable('webhooks')
        .set({ last_status: status, last_delivery_at: at })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .execute();
    },
  };
}
