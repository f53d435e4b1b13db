/**
 * `salescast schedules create|list|delete`: a tenant's schedules (retrains or monitoring checks on
 * cron, retrains on decay or drift).
 */
import type { Command } from 'commander';
import {
  SCHEDULE_JOBS,
  SCHEDULE_TRIGGERS,
  type ScheduleJob,
  type ScheduleTrigger,
} from '../../mlops/schedules.js';
import { choiceOption, intOption, withCommonOptions } from '../options.js';
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

export function registerSchedules(program: Command): void {
  const schedules = program
    .command('schedules')
    .description('Create, list and delete the retrain and monitoring schedules of a tenant.');
  tenantOption(
    schedules
      .command('create')
      .description(
        'Create a schedule: a retrain or a monitoring check on a cron expression (or daily, weekly, monthly), or a retrain on a decay or drift trigger.',
      )
      .requiredOption('--name <name>', 'a name for people')
      .requiredOption('--trigger <trigger>', SCHEDULE_TRIGGERS.join(', '), choiceOption(SCHEDULE_TRIGGERS))
      .option('--cron <expression>', "cron expression for trigger 'cron', e.g. '0 3 * * 1' or weekly")
      .option('--timezone <tz>', 'IANA time zone of the cron expression', 'UTC')
      .option(
        '--job <job>',
        `${SCHEDULE_JOBS.join(', ')}: what a cron tick starts (a monitoring check also reads the actuals streamed after the dataset)`,
        choiceOption(SCHEDULE_JOBS),
        'retrain',
      )
      .option('--dataset <dataset-id>', "dataset to retrain on or check (default: the tenant's newest)")
      .option('--model <name>', 'registered model', 'default')
      .option('--trials <n>', 'AutoML trial budget', intOption(1, 50)),
  ).action(
    async (
      flags: Common & {
        name: string;
        trigger: ScheduleTrigger;
        cron?: string;
        timezone: string;
        job: ScheduleJob;
        dataset?: string;
        model: string;
        trials?: number;
      },
    ) => {
      const payload: Record<string, unknown> = { model: flags.model };
      if (flags.dataset !== undefined) payload.dataset_id = flags.dataset;
      if (flags.trials !== undefined) payload.trials = flags.trials;
      const s = await withTenantCli(flags, (p, by) =>
        p.operations.schedules.create(
          by,
          {
            name: flags.name,
            trigger: flags.trigger,
            job: flags.job,
            cron: flags.cron,
            timezone: flags.timezone,
            payload,
          },
          CLI_CONTEXT,
        ),
      );
      emit(
        flags,
        { ...s },
        () =>
          `schedule ${s.id} (${s.job} on ${s.trigger}${s.cron ? ` ${s.cron}` : ''}); next run ${s.next_run_at ?? '-'}`,
      );
    },
  );
  tenantOption(schedules.command('list').description('List schedules.')).action(async (flags: Common) => {
    const list = await withTenantCli(flags, (p, by) => p.operations.schedules.list(by));
    emit(flags, { schedules: list }, () =>
      list.length === 0
        ? 'no schedules'
        : list
            .map(
              (s) =>
                `${s.id}  ${s.name.padEnd(20)} ${s.job.padEnd(8)} ${s.trigger.padEnd(6)} ${(s.cron ?? '').padEnd(14)} next ${s.next_run_at ?? '-'}  last ${s.last_run_at ?? '-'}`,
            )
            .join('\n'),
    );
  });
  tenantOption(
    schedules
      .command('delete')
      .description('Delete a schedule.')
      .requiredOption('--id <schedule-id>', 'the schedule'),
  ).action(async (flags: Common & { id: string }) => {
    await withTenantCli(flags, (p, by) => p.operations.schedules.delete(by, flags.id, CLI_CONTEXT));
    emit(flags, { deleted: flags.id }, () => `deleted schedule ${flags.id}`);
  });
}
