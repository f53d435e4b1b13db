/**
 * `salescast models list|show|promote|rollback`: the model registry of a tenant, on the server's
 * own machine (direct database access, acting and audited as `system:cli`, which may `--force`).
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

const fmt = (v: unknown, digits = 4) => (typeof v === 'number' ? v.toFixed(digits) : '-');

/** Registers `models` and its subcommands on `program`. */
export function registerModels(program: Command): void {
  const models = program
    .command('models')
    .description('List, show, promote and roll back registered models of a tenant.');

  tenantOption(
    models.command('list').description('List registered models and their production version.'),
  ).action(async (flags: Common) => {
    const list = await withTenantCli(flags, (p, by) => p.registry.listModels(by));
    emit(flags, { models: list }, () =>
      list.length === 0
        ? 'no models'
        : list
            .map(
              (m) =>
                `${m.name.padEnd(20)} latest ${m.latest_version}  production ${m.production_version ?? '-'}`,
            )
            .join('\n'),
    );
  });

  tenantOption(
    models
      .command('show')
      .description('Show a model: versions and stage history.')
      .requiredOption('--name <model>', 'the model'),
  ).action(async (flags: Common & { name: string }) => {
    const m = await withTenantCli(flags, (p, by) => p.registry.getModel(by, flags.name));
    emit(flags, { ...m }, () =>
      [
        `${m.model.name}: production version ${m.model.production_version ?? '-'}, ${m.versions.length} versions`,
        ...m.versions.map(
          (v) =>
            `  v${String(v.version).padEnd(4)} ${v.stage.padEnd(10)} WAPE ${fmt(v.metrics.aggregate.wape)}  run ${v.run_id ?? '-'}  dataset ${v.dataset_id ?? '-'}  ${v.created_at}`,
        ),
        'history:',
        ...m.history.map(
          (h) =>
            `  ${h.at}  v${h.version} ${h.from_stage ?? '(new)'} → ${h.to_stage}  by ${h.actor}: ${h.reason}`,
        ),
      ].join('\n'),
    );
  });

  tenantOption(
    models
      .command('promote')
      .description(
        "Promote a version to production if the promotion policy passes on the challenger's windows.",
      )
      .requiredOption('--name <model>', 'the model')
      .requiredOption('--model-version <n>', 'the version to promote', intOption(1))
      .option('--force', 'skip the promotion policy')
      .option('--dry-run', 'evaluate the policy only')
      .option('--reason <text>', 'why (kept in the stage history)')
      .option(
        '--min-improvement-pct <pct>',
        'the primary metric must improve by at least this (default 1)',
        numberOption,
      )
      .option(
        '--max-regression-pct <pct>',
        'no key metric may get worse by more than this (default 5)',
        numberOption,
      ),
  ).action(
    async (
      flags: Common & {
        name: string;
        modelVersion: number;
        force?: boolean;
        dryRun?: boolean;
        reason?: string;
        minImprovementPct?: number;
        maxRegressionPct?: number;
      },
    ) => {
      const policy = {
        ...(flags.minImprovementPct !== undefined ? { minImprovementPct: flags.minImprovementPct } : {}),
        ...(flags.maxRegressionPct !== undefined ? { maxRegressionPct: flags.maxRegressionPct } : {}),
      };
      const out = await withTenantCli(flags, (p, by) =>
        p.registry.promote(
          by,
          flags.name,
          flags.modelVersion,
          { force: flags.force, dryRun: flags.dryRun, reason: flags.reason, policy },
          CLI_CONTEXT,
        ),
      );
      emit(flags, { ...out }, () => {
        const verdict = out.evaluation?.decision.reason ?? 'forced past the policy';
        return out.promoted
          ? `${flags.name} version ${out.version.version} is in production (was ${out.previous ?? 'none'}): ${verdict}`
          : `dry run: ${verdict}`;
      });
    },
  );

  tenantOption(
    models
      .command('rollback')
      .description('Restore the previous production version (or --to-version) in one step.')
      .requiredOption('--name <model>', 'the model')
      .option(
        '--to-version <n>',
        'the version to restore (default: the previous production version)',
        intOption(1),
      )
      .option('--reason <text>', 'why (kept in the stage history)'),
  ).action(async (flags: Common & { name: string; toVersion?: number; reason?: string }) => {
    const out = await withTenantCli(flags, (p, by) =>
      p.registry.rollback(by, flags.name, { toVersion: flags.toVersion, reason: flags.reason }, CLI_CONTEXT),
    );
    emit(
      flags,
      { ...out },
      () => `${flags.name} version ${out.version.version} is in production again (was ${out.previous})`,
    );
  });
}
