/**
 * `salescast audit verify`: checks every tenant's audit hash chain (or one with `--tenant`) and
 * names the first bad entry. Exit code 1 (AUDIT_CHAIN_BROKEN) when any chain is broken.
 */
import type { Command } from 'commander';
import { SalescastError } from '../../core/errors.js';
import { withCommonOptions } from '../options.js';
import { emit } from '../output.js';
import { withCliPlatform } from './tenant.js';

interface VerifyFlags {
  tenant?: string;
  dataDir?: string;
  json?: boolean;
}

/** Registers `audit` and its subcommands on `program`. */
export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('Inspect the audit trail.');
  withCommonOptions(
    audit
      .command('verify')
      .description(
        'Verify the hash chain of the audit trail; name the first edited, inserted or deleted entry.',
      )
      .option('--tenant <tenant-id>', 'verify only this tenant'),
  ).action(async (flags: VerifyFlags) => {
    const { verifyChain } = await import('../../platform/audit-service.js');
    const results = await withCliPlatform(flags.dataDir, async (p) => {
      const ids = flags.tenant ? [flags.tenant] : (await p.tenants.listAll()).map((t) => t.id);
      const out = [];
      for (const id of ids) {
        if (!(await p.store.system.getTenant(id))) {
          throw new SalescastError('NOT_FOUND', `No tenant '${id}'.`, { field: 'tenant' });
        }
        out.push({ tenant_id: id, ...(await p.store.withTenant(id, verifyChain)) });
      }
      return out;
    });
    const ok = results.every((r) => r.ok);
    emit(
      flags,
      { ok, tenants: results },
      () =>
        results
          .map((r) =>
            r.ok
              ? `ok    ${r.tenant_id}: ${r.checked} entries`
              : `BROKEN ${r.tenant_id}: entry ${r.first_bad?.seq}${r.first_bad?.id ? ` (${r.first_bad.id})` : ''}: ${r.first_bad?.reason}`,
          )
          .join('\n') || 'no tenants',
    );
    if (!ok) {
      const bad = results.find((r) => !r.ok)!;
      throw new SalescastError(
        'AUDIT_CHAIN_BROKEN',
        `audit chain of tenant ${bad.tenant_id} is broken at entry ${bad.first_bad?.seq}: ${bad.first_bad?.reason}`,
      );
    }
  });
}
