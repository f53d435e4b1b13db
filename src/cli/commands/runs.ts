/**
 * `salescast runs train|list|show|compare`: experiment runs of a tenant, on the server's own
 * machine (direct database access, acting and audited as `system:cli`).
 */
import type { Command } from 'commander';
import { SalescastError } from '../../core/errors.js';
import type { SystemActor } from '../../mlops/registry-service.js';
import type { Platform } from '../../platform/platform.js';
import { type ModelCommandOptions, withModelOptions } from '../forecast-input.js';
import { choiceOption, intOption, withCommonOptions } from '../options.js';
import { emit } from '../output.js';
import { withCliPlatform } from './tenant.js';

interface Common {
  tenant: string;
  dataDir?: string;
  json?: boolean;
}

export const CLI_CONTEXT = { requestId: 'cli', ip: 'local' };

/** Opens the platform, checks the tenant exists, and runs `fn` as the system actor of that tenant. */
export async function withTenantCli<T>(
  flags: Common,
  fn: (p: Platform, by: SystemActor) => Promise<T>,
): Promise<T> {
  const { systemActor } = await import('../../mlops/registry-service.js');
  return withCliPlatform(flags.dataDir, async (p) => {
    if (!(await p.store.system.getTenant(flags.tenant))) {
      throw new SalescastError('NOT_FOUND', `No tenant '${flags.tenant}'.`, { field: 'tenant' });
    }
    return fn(p, systemActor(flags.tenant, 'cli'));
  });
}

const fmt = (v: unknown, digits = 4) => (typeof v === 'number' ? v.toFixed(digits) : '-');

function tenantOption(cmd: Command): Command {
  return withCommonOptions(cmd.requiredOption('--tenant <tenant-id>', 'the tenant'));
}

/** Registers `runs` and its subcommands on `program`. */
export function registerRuns(program: Command): void {
  const runs = program
    .command('runs')
    .description('Train, list, show and compare experiment runs of a tenant.');

  withModelOptions(
    tenantOption(
      runs
        .command('train')
        .description(
          "Train on one of the tenant's datasets, backtest, record the run and register a staging version.",
        )
        .requiredOption('--dataset <dataset-id>', 'the dataset to train on')
        .requiredOption(
          '--horizon <periods>',
          'longest horizon the model will forecast',
          intOption(1, 10_000),
        )
        .option('--name <model>', 'registered model to add a version to', 'default')
        .option('--windows <n>', 'backtest windows', intOption(1, 20), 2)
        .option('--backtest-only', 'record a backtest run; register nothing')
        .option(
          '--streamed-actuals',
          "also train on the actuals streamed after each series' end in the dataset",
        ),
    ),
  )
    .addHelpText(
      'after',
      '\nExample:\n  salescast runs train --tenant <id> --dataset <id> --horizon 7 --model linear --json',
    )
    .action(
      async (
        flags: Common &
          ModelCommandOptions & {
            dataset: string;
            horizon: number;
            name: string;
            windows: number;
            backtestOnly?: boolean;
            streamedActuals?: boolean;
          },
      ) => {
        const out = await withTenantCli(flags, (p, by) =>
          p.registry.train(
            by,
            {
              datasetId: flags.dataset,
              modelName: flags.name,
              kind: flags.backtestOnly ? 'backtest' : 'train',
              horizon: flags.horizon,
              model: flags.model,
              strategy: flags.strategy,
              loss: flags.loss,
              intervals: flags.intervals,
              quantiles: flags.quantiles,
              seed: flags.seed,
              trials: flags.trials,
              windows: flags.windows,
              streamedActuals: flags.streamedActuals ?? false,
            },
            CLI_CONTEXT,
          ),
        );
        emit(flags, out, () => {
          const a = out.run.metrics?.aggregate;
          const lines = [
            `run ${out.run.id}: ${out.run.status} in ${((out.run.duration_ms ?? 0) / 1000).toFixed(1)} s; ${out.run.metrics?.model} WAPE ${fmt(a?.wape)} RMSE ${fmt(a?.rmse, 3)} bias ${fmt(a?.bias)} coverage ${fmt(a?.coverage, 3)} over ${out.run.metrics?.cutoffs.length} windows`,
          ];
          if (out.version)
            lines.push(
              `registered ${out.version.name} version ${out.version.version} (staging, ${out.version.artifact_bytes} bytes)`,
            );
          return lines.join('\n');
        });
      },
    );

  tenantOption(
    runs
      .command('list')
      .description('List runs, newest first.')
      .option(
        '--kind <kind>',
        'train|backtest|retrain',
        choiceOption(['train', 'backtest', 'retrain'] as const),
      )
      .option('--name <model>', 'only runs of this registered model')
      .option('--limit <n>', 'most runs to list', intOption(1, 500), 50),
  ).action(async (flags: Common & { kind?: string; name?: string; limit: number }) => {
    const list = await withTenantCli(flags, (p, by) =>
      p.registry.listRuns(by, { kind: flags.kind, modelName: flags.name, limit: flags.limit }),
    );
    emit(flags, { runs: list }, () =>
      list.length === 0
        ? 'no runs'
        : list
            .map(
              (r) =>
                `${r.id}  ${r.started_at}  ${r.kind.padEnd(8)} ${r.status.padEnd(9)} ${(r.artifact_ref ?? '-').padEnd(18)} WAPE ${fmt(r.metrics?.aggregate.wape)}`,
            )
            .join('\n'),
    );
  });

  tenantOption(
    runs.command('show').description('Show one run.').requiredOption('--id <run-id>', 'the run'),
  ).action(async (flags: Common & { id: string }) => {
    const run = await withTenantCli(flags, (p, by) => p.registry.getRun(by, flags.id));
    emit(flags, { ...run }, () => JSON.stringify(run, null, 2));
  });

  tenantOption(
    runs
      .command('compare')
      .description('Compare runs side by side: parameters and aggregate metrics.')
      .requiredOption('--ids <ids>', 'run ids separated by commas (2 to 10)'),
  ).action(async (flags: Common & { ids: string }) => {
    const ids = flags.ids
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const cmp = await withTenantCli(flags, (p, by) => p.registry.compareRuns(by, ids));
    emit(flags, { ...cmp }, () => {
      const width = 14;
      const cell = (v: unknown) => {
        const text = typeof v === 'number' ? Number(v.toPrecision(5)).toString() : JSON.stringify(v ?? null);
        return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
      };
      const lines = [`${''.padEnd(16)}${cmp.runs.map((r) => cell(r.id.slice(0, 8))).join('')}`];
      for (const p of cmp.params)
        lines.push(`${(p.differs ? '* ' : '  ') + p.name.padEnd(14)}${p.values.map(cell).join('')}`);
      for (const m of cmp.metrics) lines.push(`  ${m.name.padEnd(14)}${m.values.map(cell).join('')}`);
      return lines.join('\n');
    });
  });
}
