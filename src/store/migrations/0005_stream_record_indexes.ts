/**
 * Indexes for the two reads of streamed records, which the primary key (tenant, series, date)
 * cannot serve: a newly loaded model version replays the tenant's records dated after its
 * training data (`after`), and a process whose subscription came back reads those received since
 * it lost it (`receivedSince`). Without them both read every record the tenant ever streamed.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Also in the order the replay wants (date, then arrival), so it needs no sort.
  await db.schema
    .createIndex('stream_records_by_date')
    .on('stream_records')
    .columns(['tenant_id', 'date', 'received_at'])
    .execute();
  await db.schema
    .createIndex('stream_records_by_arrival')
    .on('stream_records')
    .columns(['tenant_id', 'received_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('stream_records_by_arrival').execute();
  await db.schema.dropIndex('stream_records_by_date').execute();
}
