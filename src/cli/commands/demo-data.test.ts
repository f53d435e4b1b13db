import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommanderError } from 'commander';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { SalescastError } from '../../core/errors.js';
import { runCommand } from '../testing/run-command.js';
import { registerDemoData } from './demo-data.js';

const root = await mkdtemp(join(tmpdir(), 'salescast-demo-cli-'));
afterAll(() => rm(root, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

const run = (args: string[]) => runCommand(registerDemoData, ['demo-data', ...args]);

describe('salescast demo-data', () => {
  it('writes the eight sources and truth.json and prints one JSON object with --json', async () => {
    const dir = join(root, 'ok');
    const out = await run(['--out', dir, '--stores', '2', '--products', '3', '--days', '40', '--json']);
    const result = JSON.parse(out.trimEnd().split('\n').at(-1)!);
    expect(result).toMatchObject({ ok: true, out: dir, format: 'csv', frequency: 'day', periods: 40 });
    expect(result.files.map((f: { file: string }) => f.file)).toEqual([
      'sales.csv',
      'products.csv',
      'stores.csv',
      'calendar.csv',
      'prices.csv',
      'promotions.csv',
      'weather.csv',
      'inventory.csv',
      'truth.json',
    ]);
    expect((await readdir(dir)).sort()).toHaveLength(9);
    const truth = JSON.parse(await readFile(join(dir, 'truth.json'), 'utf8'));
    expect(truth.flags).toEqual({
      stores: 2,
      products: 3,
      start: '2023-01-02',
      days: 40,
      freq: 'day',
      seed: 42,
    });
    const sales = (await readFile(join(dir, 'sales.csv'), 'utf8')).trimEnd().split('\n');
    expect(sales).toHaveLength(1 + 2 * 3 * 40 - truth.dirty_records.missing_store_periods.length * 3 + 4);
  });

  it('writes weekly data with Monday dates', async () => {
    const dir = join(root, 'weekly');
    await run([
      '--out',
      dir,
      '--stores',
      '1',
      '--products',
      '2',
      '--days',
      '21',
      '--freq',
      'week',
      '--start',
      '2024-05-01',
    ]);
    const dates = (await readFile(join(dir, 'sales.csv'), 'utf8'))
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',')[2]);
    expect(new Set(dates)).toEqual(new Set(['2024-04-29', '2024-05-06', '2024-05-13', '2024-05-20']));
  });

  it.each([[['--stores', '0']], [['--start', '2023-13-01']], [['--freq', 'month']], [['--format', 'xlsx']]])(
    'rejects %j as a usage error (exit 2)',
    async (args) => {
      // main.ts maps every CommanderError other than help/version to exit code 2.
      const error = await run(['--out', join(root, 'bad'), ...args]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CommanderError);
      expect((error as CommanderError).code).toBe('commander.invalidArgument');
      expect(existsSync(join(root, 'bad'))).toBe(false);
    },
  );

  it('rejects an --out that is a file with INVALID_ARGUMENT', async () => {
    const file = join(root, 'a-file');
    await writeFile(file, 'x');
    const error = await run(['--out', file]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SalescastError);
    expect((error as SalescastError).exitCode).toBe(2);
    expect((error as SalescastError).message).toContain(file);
  });

  const built = existsSync(join(process.cwd(), 'dist/cli/commands/demo-data.js'));
  it.runIf(built)('exits 2 without a stack trace from the built binary', () => {
    // One spawn only: the binary loads every command, which takes a few seconds on a busy machine.
    const result = spawnSync(
      'node',
      ['dist/cli/main.js', 'demo-data', '--out', join(root, 'bin'), '--stores', '0'],
      { encoding: 'utf8' },
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/error: option '--stores <n>' argument '0' is invalid/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
