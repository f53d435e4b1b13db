/** Streamed actuals and events of one tenant: the durable side of the online feature state. */
import type { Kysely } from 'kysely';
import type { Database, StreamRecordsTable } from '../schema.js';

export type StreamRecordRow = Omit<StreamRecordsTable, 'tenant_id'>;

export interface StreamRecordRepo {
  /** Inserts the records; a record for a series and date already stored replaces it. */
  upsert(rows: readonly StreamRecordRow[]): Promise<void>;
  /** Records dated after `afterDate` ('YYYY-MM-DD'), oldest first: replayed into a new model's state. */
  after(afterDate: string): Promise<StreamRecordRow[]>;
  /**
   * Records received at or after `at` (an ISO time), oldest date first: what a process that stopped
   * hearing the others' records since then has missed.
   */
  receivedSince(at: string): Promise<StreamRecordRow[]>;
  /** The newest record's date ('YYYY-MM-DD'), or undefined when the tenant has none. */
  newestDate(): Promise<string | undefined>;
  /** Deletes the records dated before `date` ('YYYY-MM-DD'); returns how many went. */
  deleteBefore(date: string): Promise<number>;
}

export function streamRecordRepo(db: Kysely<Database>, tenantId: string): StreamRecordRepo {
  /** The tenant's records whose `column` compares to `value` as `op` says, oldest date first. */
  const recordsWhere = (column: 'date' | 'received_at', op: '>' | '>=', value: string) =>
    db
      .selectFrom('stream_records')
      .select(['series_id', 'date', 'y', 'drivers', 'received_at'])
      .where('tenant_id', '=', tenantId)
      .where(column, op, value)
      .orderBy('date')
      .orderBy('received_at')
      .execute();
  return {
    async upsert(rows) {
      // Chunks keep each statement under SQLite's bound-parameter limit.
      for (let i = 0; i < rows.length; i += 500) {
        await db
          .insertInto('stream_records')
          .values(rows.slice(i, i + 500).map((r) => ({ ...r, tenant_id: tenantId })))
          .onConflict((oc) =>
            oc.columns(['tenant_id', 'series_id', 'date']).doUpdateSet((eb) => ({
              y: eb.ref('excluded.y'),
              drivers: eb.ref('excluded.drivers'),
              received_at: eb.ref('excluded.received_at'),
            })),
          )
          .execute();
      }
    },
    after: (afterDate) => recordsWhere('date', '>', afterDate),
    receivedSince: (at) => recordsWhere('received_at', '>=', at),
    async newestDate() {
      const row = await db
        .selectFrom('stream_records')
        .select((eb) => eb.fn.max('date').as('newest'))
        .where('tenant_id', '=', tenantId)
        .executeTakeFirst();
      return row?.newest ?? undefined;
    },
    async deleteBefore(date) {
      const result = await db
        .deleteFrom('stream_records')
        .where('tenant_id', '=', tenantId)
        .where('date', '<', date)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
