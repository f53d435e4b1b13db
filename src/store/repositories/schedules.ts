/** Retrain schedules of one tenant (cron, or triggers on decay or drift). */
import type { Kysely } from 'kysely';
import type { Database, SchedulesTable } from '../schema.js';

export type ScheduleRow = SchedulesTable;

export interface ScheduleRepo {
  insert(row: Omit<ScheduleRow, 'tenant_id'>): Promise<void>;
  get(id: string): Promise<ScheduleRow | undefined>;
  list(): Promise<ScheduleRow[]>;
  /** Enabled schedules of a trigger kind ('decay' or 'drift'). */
  listByTrigger(trigger: string): Promise<ScheduleRow[]>;
  /** True when a schedule was deleted. */
  delete(id: string): Promise<boolean>;
  markRun(id: string, at: string, jobId: string): Promise<void>;
}

export function scheduleRepo(db: Kysely<Database>, tenantId: string): ScheduleRepo {
  return {
    async insert(row) {
      await db
        .insertInto('schedules')
        .values({ ...row, tenant_id: tenantId })
        .execute();
    },
    get: (id) =>
      db
        .selectFrom('schedules')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst(),
    list: () =>
      db
        .selectFrom('schedules')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .orderBy('created_at')
        .orderBy('id')
        .execute(),
    listByTrigger: (trigger) =>
      db
        .selectFrom('schedules')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('trigger', '=', trigger)
        .where('enabled', '=', 1)
        .orderBy('created_at')
        .execute(),
    async delete(id) {
      const r = await db
        .deleteFrom('schedules')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },
    async markRun(id, at, jobId) {
      await db
        .updateTable('schedules')
        .set({ last_run_at: at, last_job_id: jobId })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .execute();
    },
  };
}
