/**
 * MLOps operations wired together: durable jobs, retrain schedules, monitoring and the tenant's
 * settings, plus the worker (job runner + scheduler) that `serve --role worker|all` starts. With
 * REDIS_URL set, BullMQ carries job ids between processes; without it the runner polls the table.
 */

import type { Redis } from 'ioredis';
import { appendAudit } from '../platform/audit-service.js';
import type { PlatformConfig } from '../platform/config.js';
import type { RequestContext } from '../platform/principal.js';
import type { UsageService } from '../platform/usage-service.js';
import type { BatchJobHandlerDeps, BatchJudge } from '../realtime/batch-job.js';
import { pruneBatchResults } from '../realtime/batch-results.js';
import { ForecastWorkers } from '../realtime/forecast-workers.js';
import { pruneStreamRecords } from '../realtime/stream-retention.js';
import { datasetDir } from '../store/files.js';
import type { Store } from '../store/store.js';
import { actorLabel, authorizeActor } from './actors.js';
import { type BullJobSignal, createBullJobSignal } from './job-queue-bullmq.js';
import { createJobRunner, createJobService, type JobRunner, type JobService, type JobView } from './jobs.js';
import { createMonitoringService, type MonitoringService } from './monitoring.js';
import type { ProductionModels } from './production-models.js';
import { type Actor, type RegistryService, systemActor } from './registry-service.js';
import { resolveDataset, resolveMonitorPayload, resolveRetrainPayload, retrainHandler } from './retrain.js';
import { registryRetrainSteps } from './retrain-steps.js';
import { createScheduler, createScheduleService, type ScheduleService } from './schedules.js';
import { createMlopsSettingsService, type MlopsSettingsService } from './settings.js';

export interface WorkerOptions {
  /** Job lease; default env SALESCAST_JOB_LEASE_MS or 10 minutes (training blocks heartbeats). */
  leaseMs?: number;
  /** Poll, sweep and scheduler interval; default env SALESCAST_JOB_POLL_MS or 1 s. */
  pollMs?: number;
  onError?: (e: unknown) => void;
}

export interface RunningWorker {
  readonly runner: JobRunner;
  stop(): Promise<void>;
}

export interface MlopsOperations {
  readonly jobs: JobService;
  readonly schedules: ScheduleService;
  readonly monitoring: MonitoringService;
  readonly settings: MlopsSettingsService;
  /** Enqueues a retrain job for the caller's tenant (`models:train`), audited. */
  retrain(p: Actor, payload: Record<string, unknown>, ctx: RequestContext): Promise<JobView>;
  /**
   * Enqueues a monitoring check of a dataset (`models:train`: it may start a retrain), for callers
   * that should not wait for it, such as an upload of new actuals.
   */
  monitor(p: Actor, request: { datasetId: string; model?: string }, ctx: RequestContext): Promise<JobView>;
  /** Starts the job runner and the scheduler in this process. */
  startWorker(options?: WorkerOptions): Promise<RunningWorker>;
  /**
   * The process's forecast threads, started on first use and stopped by `close`: batch jobs and,
   * in a process that also serves the API, streamed batches share them, so both kinds of work at
   * once do not run two threads per core.
   */
  forecastWorkers(): ForecastWorkers;
  /**
   * Has this process's batch jobs judged by `judge` (a real-time service's detectors) until the
   * returned function is called; the latest service still open judges.
   */
  judgeBatchesWith(judge: BatchJudge): () => void;
  close(): Promise<void>;
}

export interface OperationsDeps {
  config: PlatformConfig;
  store: Store;
  registry: RegistryService;
  productionModels: ProductionModels;
  /** Meters the rows of batch forecast jobs. */
  usage: UsageService;
  /** With Redis, batch jobs judge their forecasts on the baselines every process shares. */
  redis?: Redis;
  now?: () => Date;
}

/** How often a worker removes batch results and streamed records past their retention. */
const PRUNE_MS = 3_600_000;

function envMs(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : fallback;
}

export function createMlopsOperations(deps: OperationsDeps): MlopsOperations {
  const { store, registry, config } = deps;
  const now = deps.now ?? (() => new Date());
  const signal: BullJobSignal | undefined = config.redisUrl
    ? createBullJobSignal({ redisUrl: config.redisUrl, prefix: config.redisPrefix })
    : undefined;
  const jobs = createJobService({ store, signal, now });
  const settings = createMlopsSettingsService({ store, now });
  const schedules = createScheduleService({ store, now });
  const monitoring = createMonitoringService({
    store,
    productionModels: deps.productionModels,
    async loadPanel(tenantId, datasetId, like) {
      // The same reader the registry trains from, so monitoring sees the panel the model would.
      const { readForecastData } = await import('../store/forecast-data.js');
      return readForecastData(datasetDir(config.dataDir, tenantId, datasetId), { like });
    },
    async expectedWape(tenantId, model, version) {
      const v = await registry.getVersion(systemActor(tenantId, 'monitor'), model, version);
      return v.metrics.aggregate.wape ?? null;
    },
    jobs,
    settings,
    now,
  });
  let workers: ForecastWorkers | undefined;
  const forecastWorkers = () => {
    workers ??= new ForecastWorkers(config.forecastWorkers);
    return workers;
  };
  const judges: BatchJudge[] = [];
  // Made on the first batch job, when Redis is configured: other jobs need no real-time code.
  let batchAnomalies: Promise<BatchJobHandlerDeps['shared']> | undefined;
  const sharedAnomalies = (redis: Redis) => {
    batchAnomalies ??= Promise.all([
      import('../realtime/alert-service.js'),
      import('../realtime/shared-baselines.js'),
    ]).then(([{ createAlertService }, { RedisBaselineStore }]) => ({
      baselines: new RedisBaselineStore(redis, config.redisPrefix),
      alerts: createAlertService({ store, redis, redisPrefix: config.redisPrefix }),
      anomaly: { threshold: config.anomalyThreshold },
    }));
    return batchAnomalies;
  };
  const handlers = {
    retrain: retrainHandler({ store, steps: registryRetrainSteps(registry), settings }),
    monitor: async (ctx: Parameters<ReturnType<typeof retrainHandler>>[0]) => {
      const payload = resolveMonitorPayload(ctx.job.payload as Record<string, unknown>);
      // 'latest' is the newest dataset now, for a scheduled check, not when it was scheduled.
      const report = await monitoring.run(ctx.tenantId, {
        datasetId: await resolveDataset(store, ctx.tenantId, payload.dataset_id),
        model: payload.model,
        actor: `job:${ctx.job.id}`,
      });
      if (!report) {
        // A scheduled check between two arrivals of data finds nothing new: done, not failed.
        await ctx.log('no period after the production model’s data yet: nothing to check');
        return { report_id: null, triggered_job_id: null };
      }
      await ctx.log(
        `report ${report.id}: drift ${report.drift_status}, decayed ${report.decay.decayed}` +
          (report.triggered_job_id ? `, started retrain ${report.triggered_job_id}` : ''),
      );
      return { report_id: report.id, triggered_job_id: report.triggered_job_id };
    },
    // Loaded when a batch runs: the real-time serving code is not needed by other jobs.
    'forecast-batch': async (ctx: Parameters<ReturnType<typeof retrainHandler>>[0]) => {
      const { runBatchJob } = await import('../realtime/batch-job.js');
      return runBatchJob(ctx, {
        store,
        productionModels: deps.productionModels,
        usage: deps.usage,
        dataDir: config.dataDir,
        workers: forecastWorkers(),
        shared: deps.redis && (await sharedAnomalies(deps.redis)),
        // The service judging now, not when the job started: one closed meanwhile judges no more.
        judge: (key, ids, firsts) => judges.at(-1)?.(key, ids, firsts) ?? Promise.resolve(),
      });
    },
  };

  return {
    jobs,
    schedules,
    monitoring,
    settings,
    async retrain(p, payload, ctx) {
      authorizeActor(p, 'models:train');
      // Refused now, not when a worker gets to it: the caller learns at once that the data is missing.
      await resolveDataset(store, p.tenantId, resolveRetrainPayload(payload).dataset_id);
      const job = await jobs.enqueue(p.tenantId, {
        kind: 'retrain',
        payload: { ...payload, reason: 'manual' },
        createdBy: actorLabel(p),
      });
      await store.withTenant(p.tenantId, (r) =>
        appendAudit(
          r,
          {
            actor: actorLabel(p),
            action: 'job.retrain',
            target: `job:${job.id}`,
            outcome: 'success',
            requestId: ctx.requestId,
            details: { payload },
          },
          now(),
        ),
      );
      return job;
    },
    async monitor(p, request, ctx) {
      authorizeActor(p, 'models:train');
      await resolveDataset(store, p.tenantId, request.datasetId);
      const job = await jobs.enqueue(p.tenantId, {
        kind: 'monitor',
        payload: { dataset_id: request.datasetId, ...(request.model ? { model: request.model } : {}) },
        createdBy: actorLabel(p),
      });
      await store.withTenant(p.tenantId, (r) =>
        appendAudit(
          r,
          {
            actor: actorLabel(p),
            action: 'job.monitor',
            target: `job:${job.id}`,
            outcome: 'success',
            requestId: ctx.requestId,
            details: { dataset_id: request.datasetId, model: request.model ?? null },
          },
          now(),
        ),
      );
      return job;
    },
    async startWorker(options = {}) {
      const pollMs = options.pollMs ?? envMs('SALESCAST_JOB_POLL_MS', 1_000);
      const onError = options.onError ?? (() => {});
      const runner = createJobRunner({
        store,
        handlers,
        leaseMs: options.leaseMs ?? envMs('SALESCAST_JOB_LEASE_MS', 600_000),
        pollMs,
        signal,
        onError,
        now,
      });
      const scheduler = createScheduler({ store, signal, now });
      await runner.start();
      const consumer = signal?.consume((id) => runner.runOnce(id));
      const tick = setInterval(() => {
        scheduler.tick().catch(onError);
      }, pollMs);
      // Old batch results and streamed records go once an hour, and once now (a worker may start
      // after a long stop).
      const prune = () => {
        if (config.batchResultDays > 0)
          pruneBatchResults(config.dataDir, config.batchResultDays, now().getTime()).catch(onError);
        if (config.streamRetentionDays > 0)
          pruneStreamRecords(store, config.streamRetentionDays).catch(onError);
      };
      prune();
      const pruning = setInterval(prune, PRUNE_MS);
      pruning.unref();
      return {
        runner,
        async stop() {
          clearInterval(tick);
          clearInterval(pruning);
          await consumer?.close();
          await runner.stop();
        },
      };
    },
    forecastWorkers,
    judgeBatchesWith(judge) {
      judges.push(judge);
      return () => {
        const k = judges.indexOf(judge);
        if (k >= 0) judges.splice(k, 1);
      };
    },
    async close() {
      await signal?.close();
      await workers?.close();
      await (await batchAnomalies)?.alerts.close();
    },
  };
}
