/**
 * `salescast jobs list|show`: the durable job history of a tenant (status, attempts, timings and
 * log lines), on the server's own machine (direct database access, as `system:cli`).
 */
import type { Command } from 'commander';
import { choiceOption, intOption, withCommonOptions } from '../options.js';
import { emit } from '../output.js';
import { withTenantCli } from './runs.js';

interface Common {
  tenant: string;
  dataDir?: string;
  json?: boolean;
}

const STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const;

function tenantOption(cmd: Command): Command {
  return withCommonOptions(cmd.requiredOption('--tenant <tenant-id>', 'the tenant'));
}

/** Registers `jobs` and its subcommands on `program`. */
export function registerJobs(program: Command): void {
  const jobs = program.command('jobs').description('Follow the retrain and monitoring jobs of a tenant.');
  tenantOption(
    jobs
      .command('list')
      .description('List jobs, newest first.')
      .option('--status <status>', STATUSES.join(', '), choiceOption(STATUSES))
      .option('--limit <n>', 'most jobs to list', intOption(1, 500), 50),
  ).action(async (flags: Common & { status?: (typeof STATUSES)[number]; limit: number }) => {
    const list = await withTenantCli(flags, (p, by) =>
      p.operations.jobs.list(by, { status: flags.status, limit: flags.limit }),
    );
    emit(flags, { jobs: list }, () =>
      list.length === 0
        ? 'no jobs'
        : list
            .map(
              (j) =>
                `${j.id}  ${j.kind.padEnd(8)} ${j.status.padEnd(10)} attempt ${j.attempts}/${j.max_attempts}  ${j.created_at}  ${j.duration_seconds === null ? '' : `${j.duration_seconds.toFixed(1)} s`}`,
            )
            .join('\n'),
    );
  });
  tenantOption(
    jobs
      .command('show')
      .description('Show a job with its log lines.')
      .requiredOption('--id <job-id>', 'the job'),
  ).action(async (flags: Common & { id: string }) => {
    const job = await withTenantCli(flags, (p, by) => p.operations.jobs.get(by, flags.id));
    emit(flags, { ...job }, () =>
      [
        `${job.id}  ${job.kind}  ${job.status}  attempt ${job.attempts}/${job.max_attempts}`,
        `created ${job.created_at} by ${job.created_by}; started ${job.started_at ?? '-'}; finished ${job.finished_at ?? '-'}`,
        ...job.logs.map((l) => `  ${l.at} [${l.attempt}] ${l.level.padEnd(5)} ${l.message}`),
        job.error ? `error: ${JSON.stringify(job.error)}` : '',
        job.result ? `result: ${JSON.stringify(job.result)}` : '',
      ]
        .filter(Boolean)
        .join('\n'),
    );
  });
}
