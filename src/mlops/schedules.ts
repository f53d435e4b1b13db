/**
 * Schedules and the scheduler. A schedule is a cron expression (croner syntax, e.g. `0 3 * * 1`
 * for Mondays 03:00, `@monthly`) or a trigger on `decay` or `drift` that monitoring fires. It
 * starts a retrain, or, on a cron expression, a monitoring check (which may in turn fire a
 * trigger). The scheduler, run by every worker process, enqueues the job of each due cron tick:
 * it claims the tick by moving `next_run_at` forward with a compare-and-set in the same
 * transaction as the insert, so when several workers see the same due tick exactly one enqueues.
 */
import { randomUUID } from 'node:crypto';
import { Cron } from 'croner';
import { SalescastError } from '../core/errors.js';
import { appendAudit } from '../platform/audit-service.js';
import type { RequestContext } from '../platform/principal.js';
import type { ScheduleRow } from '../store/repositories/schedules.js';
import type { Store } from '../store/store.js';
import { actorLabel, authorizeActor } from './actors.js';
import { DEFAULT_MAX_ATTEMPTS, type JobSignal } from './jobs.js';
import type { Actor } from './registry-service.js';
import { resolveMonitorPayload, resolveRetrainPayload } from './retrain.js';

export const SCHEDULE_TRIGGERS = ['cron', 'decay', 'drift'] as const;
export type ScheduleTrigger = (typeof SCHEDULE_TRIGGERS)[number];

/** The jobs a schedule starts. */
export const SCHEDULE_JOBS = ['retrain', 'monitor'] as const;
export type ScheduleJob = (typeof SCHEDULE_JOBS)[number];

/** Named shortcuts accepted besides a five- or six-field cron expression. */
export const CRON_PRESETS: Readonly<Record<string, string>> = {
  daily: '0 3 * * *',
  weekly: '0 3 * * 1',
  monthly: '0 3 1 * *',
};

export interface ScheduleView {
  id: string;
  name: string;
  trigger: ScheduleTrigger;
  job: ScheduleJob;
  cron: string | null;
  timezone: string;
  payload: Record<string, unknown>;
  enabled: boolean;
  next_run_at: string | null;
  last_run_at: string | null;
  last_job_id: string | null;
  created_by: string;
  created_at: string;
}

export interface ScheduleInput {
  name: string;
  trigger: ScheduleTrigger;
  /** Cron expression or preset (daily, weekly, monthly); required for trigger 'cron'. */
  cron?: string;
  /** IANA time zone of the cron expression (default UTC). */
  timezone?: string;
  /** Default 'retrain'; 'monitor' only on a cron expression. */
  job?: ScheduleJob;
  /**
   * The job's payload: a retrain's (dataset_id, model, horizon, trials, seed, streamed_actuals) or
   * a check's (dataset_id, model).
   */
  payload?: Record<string, unknown>;
}

function view(r: ScheduleRow): ScheduleView {
  return {
    id: r.id,
    name: r.name,
    trigger: r.trigger as ScheduleTrigger,
    job: r.job as ScheduleJob,
    cron: r.cron,
    timezone: r.timezone,
    payload: JSON.parse(r.payload) as Record<string, unknown>,
    enabled: Number(r.enabled) === 1,
    next_run_at: r.next_run_at,
    last_run_at: r.last_run_at,
    last_job_id: r.last_job_id,
    created_by: r.created_by,
    created_at: r.created_at,
  };
}

/** The next tick of `cron` strictly after `after`, or null if there is none; throws naming the field. */
export function nextTick(cron: string, timezone: string, after: Date): Date | null {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw new SalescastError(
      'INVALID_ARGUMENT',
      `'${timezone}' is not an IANA time zone (such as 'UTC' or 'Europe/Paris').`,
      { field: 'timezone' },
    );
  }
  let job: Cron;
  try {
    job = new Cron(CRON_PRESETS[cron] ?? cron, { timezone, paused: true });
  } catch (e) {
    throw new SalescastError(
      'INVALID_ARGUMENT',
      `'${cron}' is not a valid cron expression: ${(e as Error).message}`,
      { field: 'cron' },
    );
  }
  return job.nextRun(after);
}

export interface ScheduleService {
  create(p: Actor, input: ScheduleInput, ctx: RequestContext): Promise<ScheduleView>;
  list(p: Actor): Promise<ScheduleView[]>;
  delete(p: Actor, id: string, ctx: RequestContext): Promise<void>;
}

export function createScheduleService(deps: { store: Store; now?: () => Date }): ScheduleService {
  const now = deps.now ?? (() => new Date());
  return {
    async create(p, input, ctx) {
      authorizeActor(p, 'models:train');
      if (!(SCHEDULE_TRIGGERS as readonly string[]).includes(input.trigger)) {
        throw new SalescastError(
          'INVALID_ARGUMENT',
          `The trigger must be one of ${SCHEDULE_TRIGGERS.join(', ')}.`,
          {
            field: 'trigger',
          },
        );
      }
      const timezone = input.timezone ?? 'UTC';
      let next: Date | null = null;
      if (input.trigger === 'cron') {
        if (!input.cron) {
          throw new SalescastError('INVALID_ARGUMENT', "A 'cron' schedule needs a cron expression.", {
            field: 'cron',
          });
        }
        next = nextTick(input.cron, timezone, now());
      } else if (input.cron) {
        throw new SalescastError(
          'INVALID_ARGUMENT',
          `A '${input.trigger}' trigger takes no cron expression.`,
          {
            field: 'cron',
          },
        );
      }
      const job = input.job ?? 'retrain';
      if (!(SCHEDULE_JOBS as readonly string[]).includes(job)) {
        throw new SalescastError('INVALID_ARGUMENT', `The job must be one of ${SCHEDULE_JOBS.join(', ')}.`, {
          field: 'job',
        });
      }
      if (job === 'monitor' && input.trigger !== 'cron') {
        // A finding starts a retrain; a check started by a finding would only find it again.
        throw new SalescastError(
          'INVALID_ARGUMENT',
          `A '${input.trigger}' trigger starts a retrain, not a check.`,
          {
            field: 'job',
          },
        );
      }
      const payload = input.payload ?? {};
      if (job === 'monitor') resolveMonitorPayload(payload);
      else resolveRetrainPayload(payload);
      const row: Omit<ScheduleRow, 'tenant_id'> = {
        id: randomUUID(),
        name: input.name,
        trigger: input.trigger,
        job,
        cron: input.trigger === 'cron' ? (input.cron ?? null) : null,
        timezone,
        payload: JSON.stringify(payload),
        enabled: 1,
        next_run_at: next ? next.toISOString() : null,
        last_run_at: null,
        last_job_id: null,
        created_by: actorLabel(p),
        created_at: now().toISOString(),
      };
      await deps.store.withTenant(p.tenantId, async (r) => {
        await r.schedules.insert(row);
        await appendAudit(
          r,
          {
            actor: actorLabel(p),
            action: 'schedule.create',
            target: `schedule:${row.id}`,
            outcome: 'success',
            requestId: ctx.requestId,
            details: { name: row.name, trigger: row.trigger, job, cron: row.cron, payload },
          },
          now(),
        );
      });
      return view({ ...row, tenant_id: p.tenantId });
    },
    async list(p) {
      authorizeActor(p, 'forecasts:view');
      return (await deps.store.withTenant(p.tenantId, (r) => r.schedules.list())).map(view);
    },
    async delete(p, id, ctx) {
      authorizeActor(p, 'models:train');
      await deps.store.withTenant(p.tenantId, async (r) => {
        if (!(await r.schedules.delete(id))) {
          throw new SalescastError('NOT_FOUND', `No schedule '${id}'.`, { field: 'id' });
        }
        await appendAudit(
          r,
          {
            actor: actorLabel(p),
            action: 'schedule.delete',
            target: `schedule:${id}`,
            outcome: 'success',
            requestId: ctx.requestId,
          },
          now(),
        );
      });
    },
  };
}

export interface Scheduler {
  /** Enqueues the job of every due cron tick; returns the ids of the jobs this process enqueued. */
  tick(): Promise<string[]>;
}

export function createScheduler(deps: { store: Store; signal?: JobSignal; now?: () => Date }): Scheduler {
  const now = deps.now ?? (() => new Date());
  return {
    async tick() {
      const at = now();
      const enqueued: string[] = [];
      for (const due of await deps.store.jobQueue.dueSchedules(at.toISOString())) {
        const s = await deps.store.withTenant(due.tenant_id, (r) => r.schedules.get(due.id));
        if (!s?.cron) continue;
        // Missed ticks (every worker was down) collapse into one run: the next tick is after now.
        const next = nextTick(s.cron, s.timezone, at);
        const job = await deps.store.jobQueue.claimScheduleTick(
          due,
          next?.toISOString() ?? null,
          (payload) => ({
            id: randomUUID(),
            kind: s.job,
            payload:
              s.job === 'retrain'
                ? JSON.stringify({ ...(JSON.parse(payload) as object), reason: `schedule:${s.id}` })
                : payload,
            status: 'queued',
            attempts: 0,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            idempotency_key: `schedule:${s.id}:${due.next_run_at}`,
            lease_owner: null,
            lease_expires_at: null,
            heartbeat_at: null,
            run_after: at.toISOString(),
            created_by: `schedule:${s.id}`,
            created_at: at.toISOString(),
            started_at: null,
            finished_at: null,
            result: null,
            error: null,
          }),
        );
        if (job) {
          enqueued.push(job.id);
          await deps.signal?.announce(job.id, 0);
        }
      }
      return enqueued;
    },
  };
}
