/**
 * `salescast monitor check|reports|settings`: drift and decay of a tenant's production model, and
 * the tenant's MLOps settings (automatic promotion, decay policy).
 */
import type { Command } from 'commander';
import { intOption, numberOption, withCommonOptions } from '../options.js';
import { emit } from '../output.js';
import { CLI_CONTEXT, withTenantCli } from './runs.js';

interface Common {
  tenant: string;
  dataDir?: string;
  json?: boolean;
}

function tenantOption(cmd: Command): Command {
  return withCommonOptions(cmd.requiredOption('--tenant <tenant-id>', 'the tenant'));
}

const fmt = (v: number | null | undefined) => (typeof v === 'number' ? v.toFixed(4) : '-');

export function registerMonitor(program: Command): void {
  const monitor = program
    .command('monitor')
    .description('Drift and decay of production models; MLOps settings.');
  tenantOption(
    monitor
      .command('check')
      .description("Compare the production model with a dataset's actuals (decay) and new rows (drift).")
      .requiredOption('--dataset <dataset-id>', 'dataset holding the new actuals')
      .option('--name <model>', 'registered model', 'default'),
  ).action(async (flags: Common & { dataset: string; name: string }) => {
    const r = await withTenantCli(flags, (p, by) =>
      p.operations.monitoring.check(by, { datasetId: flags.dataset, model: flags.name }),
    );
    emit(flags, { ...r }, () =>
      [
        `report ${r.id}: ${r.model} v${r.version} on dataset ${r.dataset_id} (${r.rows} rows)`,
        `decay: ${r.decay.decayed ? 'DECAYED' : 'ok'}; expected WAPE ${fmt(r.decay.expected_wape)}, threshold ${fmt(r.decay.threshold)}, realized ${fmt(r.decay.realized_wape)}`,
        ...r.decay.periods.map(
          (p) => `  ${p.start}..${p.end}  WAPE ${fmt(p.wape)}${p.exceeded ? '  exceeded' : ''}`,
        ),
        `drift: ${r.drift_status}`,
        ...r.drift.map(
          (d) =>
            `  ${d.feature.padEnd(20)} ${d.kind.padEnd(11)} PSI ${fmt(d.psi)}  KS ${fmt(d.ks)}  p ${fmt(d.p)}  ${d.status}`,
        ),
        r.triggered_job_id ? `started retrain job ${r.triggered_job_id}` : '',
      ]
        .filter(Boolean)
        .join('\n'),
    );
  });
  tenantOption(
    monitor
      .command('reports')
      .description('List monitoring reports, newest first.')
      .option('--name <model>', 'only this model')
      .option('--limit <n>', 'most reports', intOption(1, 200), 20),
  ).action(async (flags: Common & { name?: string; limit: number }) => {
    const list = await withTenantCli(flags, (p, by) =>
      p.operations.monitoring.list(by, { model: flags.name, limit: flags.limit }),
    );
    emit(flags, { reports: list }, () =>
      list.length === 0
        ? 'no reports'
        : list
            .map(
              (r) =>
                `${r.id}  ${r.created_at}  ${r.model} v${r.version}  drift ${r.drift_status.padEnd(5)} decay ${r.decay.decayed ? 'yes' : 'no '}  WAPE ${fmt(r.decay.realized_wape)} vs ${fmt(r.decay.expected_wape)}`,
            )
            .join('\n'),
    );
  });
  tenantOption(
    monitor
      .command('settings')
      .description('Show the MLOps settings, or change them with the options below.')
      .option('--auto-promote <on|off>', 'let retrain jobs promote a better model on their own')
      .option(
        '--decay-margin <x>',
        'allowed relative excess over the expected WAPE (0.25 = 25 %)',
        numberOption,
      )
      .option('--decay-periods <n>', 'consecutive exceeding periods that make decay', intOption(1, 52))
      .option('--decay-period-days <n>', 'length of a monitoring period in days', intOption(1, 366)),
  ).action(
    async (
      flags: Common & {
        autoPromote?: string;
        decayMargin?: number;
        decayPeriods?: number;
        decayPeriodDays?: number;
      },
    ) => {
      const { SalescastError } = await import('../../core/errors.js');
      if (flags.autoPromote !== undefined && !['on', 'off'].includes(flags.autoPromote)) {
        throw new SalescastError('USAGE', `--auto-promote takes on or off; got '${flags.autoPromote}'.`, {
          field: 'auto-promote',
        });
      }
      const decay = {
        ...(flags.decayMargin !== undefined ? { margin: flags.decayMargin } : {}),
        ...(flags.decayPeriods !== undefined ? { periods: flags.decayPeriods } : {}),
        ...(flags.decayPeriodDays !== undefined ? { periodDays: flags.decayPeriodDays } : {}),
      };
      const change = flags.autoPromote !== undefined || Object.keys(decay).length > 0;
      const s = await withTenantCli(flags, (p, by) =>
        change
          ? p.operations.settings.update(
              by,
              {
                ...(flags.autoPromote !== undefined ? { auto_promote: flags.autoPromote === 'on' } : {}),
                ...(Object.keys(decay).length > 0 ? { decay } : {}),
              },
              CLI_CONTEXT,
            )
          : p.operations.settings.get(by),
      );
      emit(
        flags,
        { ...s },
        () =>
          `auto-promote ${s.auto_promote ? 'on' : 'off'}; decay when realized WAPE > expected × ${1 + s.decay.margin} for ${s.decay.periods} periods of ${s.decay.periodDays} days`,
      );
    },
  );
}
