/** `salescast user create`: adds a user to a tenant on the server's own machine. */
import type { Command } from 'commander';
import { ROLES } from '../../platform/permissions.js';
import { choiceOption, withCommonOptions } from '../options.js';
import { emit } from '../output.js';
import { withCliPlatform } from './tenant.js';

interface CreateFlags {
  tenant: string;
  email: string;
  password: string;
  role: string;
  platformAdmin?: boolean;
  dataDir?: string;
  json?: boolean;
}

/** Registers `user` and its subcommands on `program`. */
export function registerUser(program: Command): void {
  const user = program.command('user').description('Manage users of a tenant.');
  withCommonOptions(
    user
      .command('create')
      .description('Create a user in a tenant.')
      .requiredOption('--tenant <tenant-id>', 'the tenant')
      .requiredOption('--email <email>', 'login email')
      .requiredOption('--password <password>', 'password (≥ 12 characters, mixed classes)')
      .option('--role <role>', `role: ${ROLES.join(', ')}`, choiceOption(ROLES), 'viewer')
      .option('--platform-admin', 'make the user a platform super-admin'),
  ).action(async (flags: CreateFlags) => {
    const u = await withCliPlatform(flags.dataDir, (p) =>
      p.users.createAsSystem(flags.tenant, {
        email: flags.email,
        password: flags.password,
        role: flags.role,
        platformAdmin: flags.platformAdmin,
      }),
    );
    emit(
      flags,
      { user_id: u.id, email: u.email, role: u.role },
      () => `created user ${u.id} (${u.email}, ${u.role})`,
    );
  });
}
