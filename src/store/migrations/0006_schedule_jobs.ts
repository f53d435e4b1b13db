/**
 * What a schedule starts: a retrain (every schedule until now, hence the default) or a monitoring
 * check, so that a tenant that streams its sales is checked for decay without anyone asking.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('schedules')
    .addColumn('job', 'text', (c) => c.notNull().defaultTo('retrain'))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('schedules').dropColumn('job').execute();
}
