/**
 * Very large batch forecasts as durable jobs (`forecast-batch`): the API checks the batch against
 * the production version and enqueues it; a worker (any process running the job runner) forecasts
 * it from the live state at the time it runs, meters its rows then, and writes the NDJSON result
 * into the tenant's files atomically (a temporary folder renamed at the end, so a reader never sees
 * half a result and a retried attempt replaces a failed one's leftovers). The result is read back
 * through the job id, scoped to the caller's tenant.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SalescastError } from '../core/errors.js';
import { writeDirAtomic } from '../data/atomic-write.js';
import { actorLabel } from '../mlops/actors.js';
import type { JobContext, JobService, JobView } from '../mlops/jobs.js';
import type { ProductionModels } from '../mlops/production-models.js';
import { type Principal, requirePermission } from '../platform/principal.js';
import type { UsageService } from '../platform/usage-service.js';
import type { Store } from '../store/store.js';
import type { AlertService } from './alert-service.js';
import type { AnomalyOptions, BaselineStore } from './anomaly.js';
import { RESULT_FILE, resultDir } from './batch-results.js';
import {
  type BatchInput,
  batchNdjson,
  judgeFirstPeriods,
  type ModelRef,
  planBatch,
} from './forecast-service.js';
import type { ForecastWorkers } from './forecast-workers.js';
import { ServingRegistry } from './serving.js';

export const BATCH_JOB_KIND = 'forecast-batch';

/** What a `forecast-batch` job carries (JSON). */
export interface BatchJobPayload {
  model?: string;
  h: number;
  series_ids?: string[];
}

/** What a succeeded `forecast-batch` job records. */
export interface BatchJobResult {
  /** The production version that answered (the one current when the job ran). */
  model: ModelRef;
  h: number;
  series: number;
  rows: number;
  /** The NDJSON result, relative to the tenant's folder. */
  file: string;
  bytes: number;
}

export interface BatchJobService {
  /** Checks the batch against the production version (horizon, series) and enqueues it. */
  enqueue(p: Principal, input: BatchInput): Promise<{ job: JobView; series: number; rows: number }>;
  /**
   * The result of a succeeded batch job of the caller's tenant: NOT_FOUND for an unknown job (or
   * another tenant's, or one of another kind), CONFLICT while it is queued or running or when it
   * failed.
   */
  result(p: Principal, jobId: string): Promise<{ result: BatchJobResult; open(): Readable }>;
}

export interface BatchJobServiceDeps {
  serving: ServingRegistry;
  jobs: JobService;
  dataDir: string;
  /** Days results are kept (`SALESCAST_BATCH_RESULT_DAYS`); 0 keeps them. */
  resultDays: number;
}

export function createBatchJobService(deps: BatchJobServiceDeps): BatchJobService {
  return {
    async enqueue(p, input) {
      requirePermission(p, 'forecasts:view');
      const served = await deps.serving.get(p.tenantId, input.model);
      // Refused now, not when a worker gets to it: a bad horizon or series is the caller's to fix.
      const plan = planBatch(served, input);
      const payload: BatchJobPayload = {
        ...(input.model ? { model: input.model } : {}),
        h: input.h,
        ...(input.seriesIds ? { series_ids: [...input.seriesIds] } : {}),
      };
      const job = await deps.jobs.enqueue(p.tenantId, {
        kind: BATCH_JOB_KIND,
        payload: payload as unknown as Record<string, unknown>,
        createdBy: actorLabel(p),
      });
      return { job, series: plan.series, rows: plan.rows };
    },

    async result(p, jobId) {
      const job = await deps.jobs.get(p, jobId);
      if (job.kind !== BATCH_JOB_KIND)
        throw new SalescastError('NOT_FOUND', `No batch forecast job '${jobId}'.`, { field: 'id' });
      if (job.status === 'failed') {
        const error = job.error ? `${job.error.code}: ${job.error.message}` : 'unknown error';
        throw new SalescastError('CONFLICT', `Batch forecast job '${jobId}' failed (${error}).`, {
          field: 'id',
        });
      }
      if (job.status !== 'succeeded') {
        throw new SalescastError(
          'CONFLICT',
          `Batch forecast job '${jobId}' is ${job.status}; its result is ready once GET /v1/jobs/${jobId} shows 'succeeded'.`,
          { field: 'id' },
        );
      }
      const result = job.result as BatchJobResult;
      const path = join(resultDir(deps.dataDir, p.tenantId, jobId), RESULT_FILE);
      await stat(path).catch(() => {
        const kept =
          deps.resultDays > 0
            ? ` Results are kept ${deps.resultDays} days (SALESCAST_BATCH_RESULT_DAYS).`
            : '';
        throw new SalescastError(
          'NOT_FOUND',
          `The result file of batch forecast job '${jobId}' is gone.${kept}`,
          {
            field: 'id',
          },
        );
      });
      return { result, open: () => createReadStream(path) };
    },
  };
}

/**
 * Judges a batch job's first forecast periods (`firstPeriods`' layout) with the anomaly detectors
 * of a real-time service in the same process, if it has the version (`tenant|name|version`) loaded.
 */
export type BatchJudge = (
  modelKey: string,
  seriesIds: readonly string[],
  firsts: Float64Array,
) => Promise<void>;

export interface BatchJobHandlerDeps {
  store: Store;
  productionModels: ProductionModels;
  usage: UsageService;
  dataDir: string;
  /** The threads that forecast the batch's chunks in parallel, shared by the process's batch jobs. */
  workers: ForecastWorkers;
  /**
   * With Redis: the baselines every process's detectors share, and the alerts to raise. The job
   * then judges with its own detector, on the series' whole recent history, in any process.
   */
  shared?: { baselines: BaselineStore; alerts: AlertService; anomaly?: AnomalyOptions };
  /**
   * Without Redis: the detectors of the process's real-time service, when it has one: they hold
   * each series' recent predictions, which a job's own registry, loaded afresh, does not.
   */
  judge?: BatchJudge;
}

/**
 * Runs one `forecast-batch` job. The served state is loaded afresh for the job (training history
 * plus every record streamed until now, replayed from the store), since a worker process does not
 * receive the API processes' streamed records. Rows are metered before the work, as the streamed
 * batch meters them; a retried attempt does the work again and is metered again. Each series'
 * first period is judged as a streamed batch's is: on the shared baselines with Redis, else by the
 * process's real-time service if any.
 */
export async function runBatchJob(ctx: JobContext, deps: BatchJobHandlerDeps): Promise<BatchJobResult> {
  const payload = ctx.job.payload as BatchJobPayload;
  const { shared } = deps;
  const serving = new ServingRegistry(deps.productionModels, deps.store, {
    anomaly: shared?.anomaly,
    baselines: shared?.baselines,
  });
  const { workers } = deps;
  try {
    const served = await serving.get(ctx.tenantId, payload.model);
    const input = { h: payload.h, seriesIds: payload.series_ids, model: payload.model };
    const judge: ((ids: readonly string[], firsts: Float64Array) => Promise<void>) | undefined = shared
      ? async (ids, firsts) => {
          const all = Array.from(ids, (_, i) => i);
          for (const f of await judgeFirstPeriods(served, ids, firsts, all))
            await shared.alerts.raise(ctx.tenantId, f);
        }
      : deps.judge && ((ids, firsts) => deps.judge!(served.key, ids, firsts));
    const batch = planBatch(
      served,
      input,
      workers,
      // Judging is beside the job's point: its failure is logged, and the forecasts still written.
      judge &&
        ((ids, firsts) =>
          judge(ids, firsts).catch((e: unknown) =>
            ctx.log(`anomaly judging skipped: ${e instanceof Error ? e.message : String(e)}`),
          )),
    );
    await deps.usage.add(ctx.tenantId, 'prediction_rows', batch.rows);
    await ctx.log(
      `forecasting ${batch.series} series × ${batch.h} = ${batch.rows} rows with ${batch.model.name}@${batch.model.version}` +
        (batch.threads > 0 ? ` on ${batch.threads} threads` : ''),
    );
    const dir = resultDir(deps.dataDir, ctx.tenantId, ctx.job.id);
    const bytes = await writeDirAtomic(dir, async (tmp) => {
      const file = join(tmp, RESULT_FILE);
      await pipeline(Readable.from(batchNdjson(batch)), createWriteStream(file), { signal: ctx.signal });
      return (await stat(file)).size;
    });
    await ctx.log(`wrote ${bytes} bytes`);
    return {
      model: batch.model,
      h: batch.h,
      series: batch.series,
      rows: batch.rows,
      file: `forecast-batches/${ctx.job.id}/${RESULT_FILE}`,
      bytes,
    };
  } finally {
    serving.close();
  }
}
