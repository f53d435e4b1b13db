/**
 * `salescast serve`: runs the HTTP API (and, with `--role worker|all`, the job worker, which has no
 * queues yet and idles until later issues add them). Migrations run at start; SIGTERM or SIGINT
 * stops accepting connections, lets in-flight requests finish, closes the database and exits 0.
 */
import type { Command } from 'commander';
import { choiceOption, intOption, withCommonOptions } from '../options.js';
import { emit } from '../output.js';

export const SERVE_ROLES = ['api', 'worker', 'all'] as const;

interface ServeFlags {
  host: string;
  port: number;
  role: (typeof SERVE_ROLES)[number];
  demo?: boolean;
  dataDir?: string;
  json?: boolean;
}

const HELP_AFTER = `
Storage: SQLite at <data-dir>/salescast.db, or PostgreSQL when DATABASE_URL is set. REDIS_URL shares
rate limits and login throttling across processes. See docs/OPERATIONS.md for every variable.

With --demo, an empty database gets the tenant "Demo Retail" with demo data, and the URL and the
demo login are printed.

Example:
  salescast serve --port 8080 --data-dir ./var --demo`;

/** Registers `serve` on `program`. */
export function registerServe(program: Command): void {
  withCommonOptions(
    program
      .command('serve')
      .description('Run the HTTP API server (and the worker) until SIGTERM.')
      .option('--host <host>', 'address to listen on', '127.0.0.1')
      .option('--port <port>', 'port to listen on', intOption(0, 65535), 8080)
      .option('--role <role>', 'api, worker or all', choiceOption(SERVE_ROLES), 'all')
      .option('--demo', 'on an empty database, create the demo tenant with demo data'),
  )
    .addHelpText('after', HELP_AFTER)
    .action(async (flags: ServeFlags) => {
      await runServe(flags);
    });
}

async function runServe(flags: ServeFlags): Promise<void> {
  // Loaded here, not at the top, so that other commands do not pay for the server's modules.
  const { default: pino } = await import('pino');
  const { buildServer, LOG_REDACT } = await import('../../api/server.js');
  const { platformConfig } = await import('../../platform/config.js');
  const { ensureDemoTenant } = await import('../../platform/demo-tenant.js');
  const { createPlatform } = await import('../../platform/platform.js');
  const config = platformConfig({ dataDir: flags.dataDir });
  const logger = pino({ level: process.env.SALESCAST_LOG_LEVEL ?? 'info', redact: LOG_REDACT });
  const platform = await createPlatform(config);
  try {
    const demo = flags.demo ? await ensureDemoTenant(platform) : undefined;
    const api = flags.role !== 'worker';
    const app = api
      ? await buildServer({
          platform,
          loggerInstance: logger,
          trustProxy: process.env.SALESCAST_TRUST_PROXY === '1',
        })
      : undefined;
    const url = app ? await app.listen({ host: flags.host, port: flags.port }) : undefined;
    if (!api) logger.info('worker started; it has no job queues yet and waits for SIGTERM');
    const login = demo?.login;
    emit(
      flags,
      {
        url: url ?? null,
        role: flags.role,
        storage: config.databaseUrl ? 'postgres' : 'sqlite',
        demo: login ? { email: login.email, password: login.password, tenant_id: login.tenant_id } : null,
      },
      () =>
        [
          url
            ? `salescast API listening on ${url} (docs at ${url}/docs)`
            : `salescast worker running (${flags.role})`,
          login ? `demo login: ${login.email} / ${login.password}` : '',
        ]
          .filter(Boolean)
          .join('\n'),
    );
    await new Promise<void>((resolve) => {
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, 'shutting down: finishing in-flight requests');
        (app ? app.close() : Promise.resolve()).then(() => resolve(), resolve);
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
  } finally {
    await platform.close();
    logger.flush();
  }
}
