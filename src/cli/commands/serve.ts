/**
 * `salescast serve`: runs the HTTP API and/or, with `--role worker|all`, the job worker (durable
 * job runner and retrain scheduler; BullMQ shares the work between processes when REDIS_URL is set). Migrations run at start; SIGTERM or SIGINT
 * stops accepting connections, lets in-flight requests finish, closes the database and exits 0.
 */
import { type Command, Option } from 'commander';
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

Roles: api serves HTTP only; worker runs queued jobs (retrains) and due schedules only; all does both.
Several worker processes can share one database: with REDIS_URL, BullMQ hands each job to one of them.
A worker killed midway leaves its job to be retried once its lease (SALESCAST_JOB_LEASE_MS, default
10 minutes) expires.

With --demo, an empty database gets the tenant "Demo Retail" with demo data and a production model
trained on it (about 10 s), and the URL and the demo login are printed.

Example:
  salescast serve --port 8080 --data-dir ./var --demo`;

/** Registers `serve` on `program`. */
export function registerServe(program: Command): void {
  withCommonOptions(
    program
      .command('serve')
      .description('Run the HTTP API server (and the worker) until SIGTERM.')
      // Containers and process managers set the address through the environment; a flag wins.
      .addOption(
        new Option('--host <host>', 'address to listen on').env('SALESCAST_HOST').default('127.0.0.1'),
      )
      .addOption(
        new Option('--port <port>', 'port to listen on')
          .env('SALESCAST_PORT')
          .argParser(intOption(0, 65535))
          .default(8080),
      )
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
    const worker =
      flags.role === 'api'
        ? undefined
        : await platform.operations.startWorker({
            onError: (e) => logger.error({ err: e }, 'job worker error'),
          });
    if (worker) logger.info({ owner: worker.runner.owner }, 'job worker started');
    const login = demo?.login;
    emit(
      flags,
      {
        url: url ?? null,
        role: flags.role,
        storage: config.databaseUrl ? 'postgres' : 'sqlite',
        demo: login
          ? {
              email: login.email,
              password: login.password,
              tenant_id: login.tenant_id,
              model_version: login.model_version ?? null,
            }
          : null,
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
        // The API stops taking requests first; the worker then finishes the job in hand.
        (app ? app.close() : Promise.resolve()).then(() => worker?.stop()).then(() => resolve(), resolve);
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
  } finally {
    await platform.close();
    logger.flush();
  }
}
