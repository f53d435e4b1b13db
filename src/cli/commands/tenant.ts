/**
 * `salescast tenant create|list|suspend|reinstate`: tenant administration on the server's own
 * machine (direct database access, audited as `system:cli`). `create` bootstraps a tenant and its
 * first admin.
 */
import type { Command } from 'commander';
import { PLAN_NAMES } from '../../platform/plans.js';
import type { Platform } from '../../platform/platform.js';
import { choiceOption, withCommonOptions } from '../options.js';
import { emit } from '../output.js';

interface Common {
  dataDir?: string;
  json?: boolean;
}

interface CreateFlags extends Common {
  name: string;
  plan: string;
  adminEmail: string;
  adminPassword: string;
  platformAdmin?: boolean;
}

const CLI_CONTEXT = { requestId: 'cli', ip: 'local' };

/** Opens the platform of `--data-dir` / DATABASE_URL without Redis, runs `fn`, closes it. */
export async function withCliPlatform<T>(
  dataDir: string | undefined,
  fn: (p: Platform) => Promise<T>,
): Promise<T> {
  // Loaded on demand: the platform pulls in the database drivers, which --help does not need.
  const { platformConfig } = await import('../../platform/config.js');
  const { createPlatform } = await import('../../platform/platform.js');
  const platform = await createPlatform(platformConfig({ dataDir, redisUrl: undefined }));
  try {
    return await fn(platform);
  } finally {
    await platform.close();
  }
}

/** Registers `tenant` and its subcommands on `program`. */
export function registerTenant(program: Command): void {
  const tenant = program.command('tenant').description('Create, list, suspend and reinstate tenants.');
  withCommonOptions(
    tenant
      .command('create')
      .description('Create a tenant and its first admin user.')
      .requiredOption('--name <name>', 'display name of the tenant')
      .requiredOption('--plan <plan>', `plan: ${PLAN_NAMES.join(', ')}`, choiceOption(PLAN_NAMES))
      .requiredOption('--admin-email <email>', 'email of the first admin')
      .requiredOption(
        '--admin-password <password>',
        'password of the first admin (≥ 12 characters, mixed classes)',
      )
      .option('--platform-admin', 'make the admin a platform super-admin (may manage every tenant)'),
  )
    .addHelpText(
      'after',
      '\nExample:\n  salescast tenant create --name Acme --plan pro --admin-email admin@acme.test --admin-password "…" --json',
    )
    .action(async (flags: CreateFlags) => {
      const out = await withCliPlatform(flags.dataDir, (p) =>
        p.tenants.create(
          {
            name: flags.name,
            plan: flags.plan,
            adminEmail: flags.adminEmail,
            adminPassword: flags.adminPassword,
            platformAdmin: flags.platformAdmin,
          },
          undefined,
          CLI_CONTEXT,
        ),
      );
      emit(flags, out, () => `created tenant ${out.tenant_id} with admin user ${out.admin_user_id}`);
    });

  withCommonOptions(tenant.command('list').description('List every tenant.')).action(
    async (flags: Common) => {
      const tenants = await withCliPlatform(flags.dataDir, (p) => p.tenants.listAll());
      emit(flags, { tenants }, () =>
        tenants.length === 0
          ? 'no tenants'
          : tenants.map((t) => `${t.id}  ${t.status.padEnd(9)} ${t.plan.padEnd(10)} ${t.name}`).join('\n'),
      );
    },
  );

  for (const [action, status] of [
    ['suspend', 'suspended'],
    ['reinstate', 'active'],
  ] as const) {
    withCommonOptions(
      tenant
        .command(action)
        .description(
          action === 'suspend'
            ? 'Suspend a tenant: its sessions end and its keys stop working.'
            : 'Reinstate a tenant.',
        )
        .requiredOption('--id <tenant-id>', 'the tenant'),
    ).action(async (flags: Common & { id: string }) => {
      const t = await withCliPlatform(flags.dataDir, (p) =>
        p.tenants.setStatus(undefined, flags.id, status, CLI_CONTEXT),
      );
      emit(flags, { tenant_id: t.id, status: t.status }, () => `tenant ${t.id} is ${t.status}`);
    });
  }
}
