/** Monitoring reports (drift and decay per model version) and the tenant's MLOps settings. */
import type { Kysely } from 'kysely';
import type { Database, MlopsSettingsTable, MonitoringReportsTable } from '../schema.js';

export type MonitoringReportRow = MonitoringReportsTable;
export type MlopsSettingsRow = MlopsSettingsTable;

export interface MonitoringRepo {
  insertReport(row: Omit<MonitoringReportRow, 'tenant_id'>): Promise<void>;
  getReport(id: string): Promise<MonitoringReportRow | undefined>;
  /** Newest first; optionally of one model (and version). */
  listReports(filter: { model?: string; version?: number; limit: number }): Promise<MonitoringReportRow[]>;
  getSettings(): Promise<MlopsSettingsRow | undefined>;
  putSettings(row: Omit<MlopsSettingsRow, 'tenant_id'>): Promise<void>;
}

export function monitoringRepo(db: Kysely<Database>, tenantId: string): MonitoringRepo {
  return {
    async insertReport(row) {
      await db
        .insertInto('monitoring_reports')
        .values({ ...row, tenant_id: tenantId })
        .execute();
    },
    getReport: (id) =>
      db
        .selectFrom('monitoring_reports')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst(),
    listReports(f) {
      let q = db.selectFrom('monitoring_reports').selectAll().where('tenant_id', '=', tenantId);
      if (f.model !== undefined) q = q.where('model_name', '=', f.model);
      if (f.version !== undefined) q = q.where('model_version', '=', f.version);
      return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(f.limit).execute();
    },
    getSettings: () =>
      db.selectFrom('mlops_settings').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst(),
    async putSettings(row) {
      const values = { ...row, tenant_id: tenantId };
      await db
        .insertInto('mlops_settings')
        .values(values)
        .onConflict((oc) => oc.column('tenant_id').doUpdateSet(row))
        .execute();
    },
  };
}
