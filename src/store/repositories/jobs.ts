/**
 * Durable jobs. `jobRepo` is the tenant-scoped view (enqueue, read, logs) used by services;
 * `jobQueueRepo` is the worker's cross-tenant queue (claim, heartbeat, finish, requeue expired
 * leases, claim schedule ticks). Like `system.ts`, the queue runs on the owner connection because a
 * worker does not know which tenant's job comes next; every row it touches still carries its
 * tenant, and a job's own work runs in that tenant's scope.
 *
 * Claims are single atomic statements: `UPDATE … WHERE id = (SELECT … LIMIT 1) RETURNING *`, with
 * `FOR UPDATE SKIP LOCKED` in PostgreSQL so concurrent workers pick different jobs; SQLite runs one
 * writer at a time, which gives the same guarantee.
 */
import { type Kysely, sql } from 'kysely';
import type { Database, JobLogsTable, JobsTable } from '../schema.js';

export type JobRow = JobsTable;
export type JobLogRow = JobLogsTable;

export interface JobFilter {
  status?: string;
  kind?: string;
  limit: number;
}

export interface JobRepo {
  /**
   * Inserts a queued job. With an `idempotency_key` already used by this tenant, inserts nothing
   * and returns the existing job instead.
   */
  insert(row: Omit<JobRow, 'tenant_id'>): Promise<JobRow>;
  get(id: string): Promise<JobRow | undefined>;
  /** Newest first. */
  list(filter: JobFilter): Promise<JobRow[]>;
  logs(jobId: string): Promise<JobLogRow[]>;
}

export function jobRepo(db: Kysely<Database>, tenantId: string): JobRepo {
  const get = (id: string) =>
    db
      .selectFrom('jobs')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
  return {
    async insert(row) {
      const values = { ...row, tenant_id: tenantId };
      if (row.idempotency_key === null) {
        await db.insertInto('jobs').values(values).execute();
        return values;
      }
      await db
        .insertInto('jobs')
        .values(values)
        .onConflict((oc) => oc.columns(['tenant_id', 'idempotency_key']).doNothing())
        .execute();
      const existing = await db
        .selectFrom('jobs')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('idempotency_key', '=', row.idempotency_key)
        .executeTakeFirstOrThrow();
      return existing;
    },
    get,
    list(f) {
      let q = db.selectFrom('jobs').selectAll().where('tenant_id', '=', tenantId);
      if (f.status !== undefined) q = q.where('status', '=', f.status);
      if (f.kind !== undefined) q = q.where('kind', '=', f.kind);
      return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(f.limit).execute();
    },
    logs: (jobId) =>
      db
        .selectFrom('job_logs')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('job_id', '=', jobId)
        .orderBy('seq')
        .execute(),
  };
}

export interface DueSchedule {
  id: string;
  tenant_id: string;
  next_run_at: string;
}

export interface JobQueueRepo {
  /** Claims the oldest runnable queued job (optionally one given id): running, leased to `owner`. */
  claim(options: {
    owner: string;
    now: string;
    leaseUntil: string;
    jobId?: string;
  }): Promise<JobRow | undefined>;
  /** Extends the lease; false when the job is no longer leased to `owner`. */
  heartbeat(id: string, owner: string, now: string, leaseUntil: string): Promise<boolean>;
  /** Records the outcome of the owner's attempt; false when the lease was lost meanwhile. */
  finish(
    id: string,
    owner: string,
    outcome:
      | { status: 'succeeded'; result: string; at: string }
      | { status: 'failed'; error: string; at: string }
      | { status: 'queued'; error: string; runAfter: string },
  ): Promise<boolean>;
  /**
   * Jobs whose lease expired (their worker died): back to queued, or failed once they have used
   * every attempt. Returns the ids requeued and failed.
   */
  requeueExpired(now: string): Promise<{ requeued: JobRow[]; failed: JobRow[] }>;
  appendLog(row: Omit<JobLogRow, 'seq'>): Promise<void>;
  /** Queued jobs that may run now, oldest first (to re-announce on a message queue). */
  listRunnable(now: string, limit: number): Promise<JobRow[]>;
  /** Enabled cron schedules whose next tick is due. */
  dueSchedules(now: string): Promise<DueSchedule[]>;
  /**
   * Moves a schedule from tick `due` to `next` and enqueues its job, in one transaction; only the
   * process whose compare-and-set matches `due` does it. Returns the job, or undefined when
   * another process claimed the tick first.
   */
  claimScheduleTick(
    s: DueSchedule,
    next: string | null,
    job: (payload: string) => Omit<JobRow, 'tenant_id'>,
  ): Promise<JobRow | undefined>;
}

export function jobQueueRepo(db: Kysely<Database>, isPg: boolean): JobQueueRepo {
  const skipLocked = isPg ? sql` FOR UPDATE SKIP LOCKED` : sql``;
  return {
    async claim({ owner, now, leaseUntil, jobId }) {
      const pick = jobId === undefined ? sql`` : sql` AND id = ${jobId}`;
      const r = await sql<JobRow>`
        UPDATE jobs SET status = 'running', attempts = attempts + 1, lease_owner = ${owner},
          lease_expires_at = ${leaseUntil}, heartbeat_at = ${now},
          started_at = COALESCE(started_at, ${now}), error = NULL
        WHERE id = (
          SELECT id FROM jobs WHERE status = 'queued' AND run_after <= ${now}${pick}
          ORDER BY run_after, created_at, id LIMIT 1${skipLocked}
        ) AND status = 'queued'
        RETURNING *`.execute(db);
      return r.rows[0];
    },
    async heartbeat(id, owner, now, leaseUntil) {
      const r = await db
        .updateTable('jobs')
        .set({ heartbeat_at: now, lease_expires_at: leaseUntil })
        .where('id', '=', id)
        .where('lease_owner', '=', owner)
        .where('status', '=', 'running')
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async finish(id, owner, outcome) {
      const set =
        outcome.status === 'succeeded'
          ? { status: 'succeeded', result: outcome.result, finished_at: outcome.at }
          : outcome.status === 'failed'
            ? { status: 'failed', error: outcome.error, finished_at: outcome.at }
            : { status: 'queued', error: outcome.error, run_after: outcome.runAfter };
      const r = await db
        .updateTable('jobs')
        .set({ ...set, lease_owner: null, lease_expires_at: null })
        .where('id', '=', id)
        .where('lease_owner', '=', owner)
        .where('status', '=', 'running')
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async requeueExpired(now) {
      const expired = sql`status = 'running' AND lease_expires_at < ${now}`;
      const failed = await sql<JobRow>`
        UPDATE jobs SET status = 'failed', finished_at = ${now}, lease_owner = NULL, lease_expires_at = NULL,
          error = ${JSON.stringify({ code: 'LEASE_EXPIRED', message: 'the worker stopped (lease expired) on the last attempt' })}
        WHERE ${expired} AND attempts >= max_attempts RETURNING *`.execute(db);
      const requeued = await sql<JobRow>`
        UPDATE jobs SET status = 'queued', run_after = ${now}, lease_owner = NULL, lease_expires_at = NULL,
          error = ${JSON.stringify({ code: 'LEASE_EXPIRED', message: 'the worker stopped (lease expired); retrying' })}
        WHERE ${expired} AND attempts < max_attempts RETURNING *`.execute(db);
      return { requeued: requeued.rows, failed: failed.rows };
    },
    async appendLog(row) {
      // One statement computes the next seq, so concurrent writers of one job cannot collide.
      await sql`
        INSERT INTO job_logs (tenant_id, job_id, seq, at, attempt, level, message)
        SELECT ${row.tenant_id}, ${row.job_id}, COALESCE(MAX(seq), 0) + 1, ${row.at}, ${row.attempt}, ${row.level}, ${row.message}
        FROM job_logs WHERE job_id = ${row.job_id}`.execute(db);
    },
    listRunnable: (now, limit) =>
      db
        .selectFrom('jobs')
        .selectAll()
        .where('status', '=', 'queued')
        .where('run_after', '<=', now)
        .orderBy('run_after')
        .orderBy('created_at')
        .limit(limit)
        .execute(),
    dueSchedules: (now) =>
      db
        .selectFrom('schedules')
        .select(['id', 'tenant_id', 'next_run_at'])
        .where('enabled', '=', 1)
        .where('trigger', '=', 'cron')
        .where('next_run_at', 'is not', null)
        .where('next_run_at', '<=', now)
        .execute() as Promise<DueSchedule[]>,
    claimScheduleTick(s, next, job) {
      return db.transaction().execute(async (trx) => {
        const row = await trx
          .updateTable('schedules')
          .set({ next_run_at: next, last_run_at: s.next_run_at })
          .where('id', '=', s.id)
          .where('next_run_at', '=', s.next_run_at)
          .returning(['payload'])
          .executeTakeFirst();
        if (!row) return undefined;
        const values = { ...job(row.payload), tenant_id: s.tenant_id };
        await trx
          .insertInto('jobs')
          .values(values)
          .onConflict((oc) => oc.columns(['tenant_id', 'idempotency_key']).doNothing())
          .execute();
        await trx.updateTable('schedules').set({ last_job_id: values.id }).where('id', '=', s.id).execute();
        return values;
      });
    },
  };
}
