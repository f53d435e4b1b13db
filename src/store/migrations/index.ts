/**
 * Every schema migration, in order. Startup runs the pending ones (`migrate` in `../migrate.ts`)
 * and fails loudly if one fails.
 *
 * To add tables for a new module (MLOps, real-time, …):
 * 1. Write `NNNN_<what>.ts` next to this file exporting `up(db)` and `down(db)`; the name must
 *    sort after every existing one (migrations run in name order and never change once shipped).
 * 2. Give every tenant table a `tenant_id` column and, in PostgreSQL, call
 *    `protectTenantTable(db, '<table>')` from `./rls.ts` in `up`: it enables and forces row-level
 *    security with the tenant policy and grants the app role access.
 * 3. Add the table's interface to `Database` in `../schema.ts` and its name to `TENANT_TABLES`;
 *    the RLS test fails for any table without a policy.
 * 4. Register the migration in `MIGRATIONS` below, then write a tenant-scoped repository.
 */
import type { Migration } from 'kysely';
import * as m0001 from './0001_platform.js';
import * as m0002 from './0002_mlops_registry.js';
import * as m0003 from './0003_mlops_jobs.js';
import * as m0004 from './0004_realtime.js';
import * as m0005 from './0005_stream_record_indexes.js';
import * as m0006 from './0006_schedule_jobs.js';

export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001_platform': m0001,
  '0002_mlops_registry': m0002,
  '0003_mlops_jobs': m0003,
  '0004_realtime': m0004,
  '0005_stream_record_indexes': m0005,
  '0006_schedule_jobs': m0006,
};
