/**
 * `salescast retrain`: enqueues a retrain job for a tenant (tune, backtest, register, compare,
 * auto-promote if allowed). A running worker (`serve --role worker|all`) picks it up; `--run`
 * runs it in this process instead and waits for it.
 */
import type { Command } from 'commander';
import { ERROR_CODES, type ErrorCode, SalescastError } from '../../core/errors.js';
import { intOption, withCommonOptions } from '../options.js';
import { emit } from '../output.js';
import { CLI_CONTEXT, withTenantCli } from './runs.js';

interface RetrainFlags {
  tenant: string;
  dataset?: string;
  name: string;
  horizon?: number;
  trials?: number;
  seed?: number;
  /** False with --no-streamed-actuals. */
  streamedActuals: boolean;
  run?: boolean;
  dataDir?: string;
  json?: boolean;
}

const HELP_AFTER = `
Examples:
  salescast retrain --tenant <id> --dataset <dataset-id> --trials 4 --run
  salescast retrain --tenant <id>            # newest dataset; a worker runs it`;

export function registerRetrain(program: Command): void {
  withCommonOptions(
    program
      .command('retrain')
      .description(
        'Enqueue a retrain job: tune, backtest, register, compare with the champion, auto-promote.',
      )
      .requiredOption('--tenant <tenant-id>', 'the tenant')
      .option('--dataset <dataset-id>', "dataset to train on (default: the tenant's newest)")
      .option('--name <model>', 'registered model', 'default')
      .option('--horizon <periods>', 'forecast horizon (default 28)', intOption(1, 366))
      .option('--trials <n>', 'AutoML trial budget (default 6)', intOption(1, 50))
      .option('--seed <n>', 'random seed', intOption(0, 4_294_967_295))
      .option(
        '--no-streamed-actuals',
        'train on the dataset alone, without the actuals streamed after its end',
      )
      .option('--run', 'run the job in this process and wait for it'),
  )
    .addHelpText('after', HELP_AFTER)
    .action(async (flags: RetrainFlags) => {
      const job = await withTenantCli(flags, async (p, by) => {
        const payload: Record<string, unknown> = { model: flags.name };
        if (flags.dataset !== undefined) payload.dataset_id = flags.dataset;
        if (flags.horizon !== undefined) payload.horizon = flags.horizon;
        if (flags.trials !== undefined) payload.trials = flags.trials;
        if (flags.seed !== undefined) payload.seed = flags.seed;
        payload.streamed_actuals = flags.streamedActuals;
        const queued = await p.operations.retrain(by, payload, CLI_CONTEXT);
        if (!flags.run) return queued;
        const worker = await p.operations.startWorker({ pollMs: 60_000 });
        try {
          await worker.runner.runOnce(queued.id);
        } finally {
          await worker.stop();
        }
        return p.operations.jobs.get(by, queued.id);
      });
      emit(flags, { ...job }, () => {
        const r = job.result as {
          version?: number;
          promoted?: boolean;
          comparison?: { reason?: string };
        } | null;
        return job.status === 'succeeded' && r
          ? `job ${job.id} succeeded: ${flags.name} v${r.version} ${r.promoted ? 'promoted to production' : 'staged (not promoted)'}; ${r.comparison?.reason ?? ''}`
          : `job ${job.id} ${job.status}`;
      });
      if (job.status === 'failed') {
        const e = job.error as { code?: string; message?: string } | null;
        const code = e?.code && e.code in ERROR_CODES ? (e.code as ErrorCode) : 'INTERNAL';
        throw new SalescastError(code, `retrain job ${job.id} failed: ${e?.message ?? 'unknown error'}`);
      }
    });
}
