import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/cli/commands/index.js';
import { buildProgram } from '../src/cli/program.js';

const BIN = 'dist/cli/main.js';
const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

function run(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function commandPaths(): string[][] {
  const walk = (cmd: ReturnType<typeof buildProgram>, prefix: string[]): string[][] =>
    cmd.commands.flatMap((c) => [[...prefix, c.name()], ...walk(c, [...prefix, c.name()])]);
  return walk(buildProgram(COMMANDS), []);
}

describe.runIf(existsSync(BIN))('salescast CLI', () => {
  it('prints help and exits 0', () => {
    const r = run(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Usage: salescast');
  });

  it.each(commandPaths().map((p) => [p.join(' ')]))('%s --help exits 0 with usage', (path) => {
    const r = run([...path.split(' '), '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`Usage: salescast ${path}`);
  });

  it('exits 2 without a stack trace on an unknown command or option', () => {
    for (const args of [['no-such-command'], ['--no-such-flag']]) {
      const r = run(args);
      expect(r.code).toBe(2);
      expect(r.err).not.toMatch(STACK_FRAME);
    }
  });

  it('exits 2 naming a bad SALESCAST_FORECAST_WORKERS before serving', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'salescast-cli-'));
    const r = run(['serve', '--port', '0', '--data-dir', dataDir], {
      ...process.env,
      SALESCAST_FORECAST_WORKERS: 'many',
    });
    expect(r.code).toBe(2);
    expect(r.err.trim()).toBe(
      "salescast: SALESCAST_FORECAST_WORKERS must be a whole number from 0 to 64; got 'many'.",
    );
  });

  it('serve listens on SALESCAST_HOST and SALESCAST_PORT, and exits 2 naming a bad one', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'salescast-cli-'));
    const bad = run(['serve', '--data-dir', dataDir], { ...process.env, SALESCAST_PORT: '80a' });
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("value '80a' from env 'SALESCAST_PORT' is invalid");
    expect(bad.err).toContain('must be an integer in [0, 65535]');

    const port = await freePort();
    const child = spawn(process.execPath, [BIN, 'serve', '--role', 'api', '--json', '--data-dir', dataDir], {
      env: { ...process.env, SALESCAST_HOST: '127.0.0.1', SALESCAST_PORT: String(port) },
    });
    try {
      const started = await new Promise<{ url: string }>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk) => {
          out += chunk;
          // The result line is the one with the URL; pino's log lines are JSON too.
          const line = out.split('\n').find((l) => l.startsWith('{"url"'));
          if (line) resolve(JSON.parse(line));
        });
        child.on('exit', (code) => reject(new Error(`serve exited ${code} before listening`)));
      });
      expect(started.url).toBe(`http://127.0.0.1:${port}`);
      const health = await fetch(`${started.url}/healthz`);
      expect(health.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('stream-sim exits 2 naming --url when it is not an http(s) URL', () => {
    const r = run(['stream-sim', '--data', 'x.csv', '--rate', '10/s', '--url', 'notaurl', '--api-key', 'k']);
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      "option '--url <url>' argument 'notaurl' is invalid. must be an http:// or https:// URL",
    );
  });

  // One test per command, like the help checks: each spawns a process, and on a loaded machine a
  // single loop over every command outlasted the test timeout.
  it.each(commandPaths().map((p) => [p.join(' ')]))('%s exits 2 on an unknown option', (path) => {
    const r = run([...path.split(' '), '--no-such-flag']);
    expect(r.code).toBe(2);
    expect(r.err).not.toMatch(STACK_FRAME);
  });
});

/** A TCP port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
