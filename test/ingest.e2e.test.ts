/**
 * End to end through the built CLI: demo-data → ingest, and every way a source can be unusable.
 * Needs `npx tsc -p tsconfig.build.json` (npm test builds first).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const BIN = 'dist/cli/main.js';
const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

function run(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

interface Truth {
  window: { periods: number };
  flags: { stores: number; products: number };
  dirty_records: {
    duplicate_rows: { line: number }[];
    negative_quantity: { line: number }[];
    unknown_product: { line: number }[];
    missing_store_periods: { rows_dropped: number }[];
  };
}

let root: string;
let demo: string;
let truth: Truth;

beforeAll(() => {
  if (!existsSync(BIN)) return;
  return (async () => {
    root = await mkdtemp(join(tmpdir(), 'salescast-ingest-e2e-'));
    demo = join(root, 'demo');
    const r = run([
      'demo-data',
      '--out',
      demo,
      '--stores',
      '3',
      '--products',
      '4',
      '--days',
      '60',
      '--seed',
      '7',
    ]);
    expect(r.code, r.err).toBe(0);
    truth = JSON.parse(await readFile(join(demo, 'truth.json'), 'utf8'));
  })();
});

/** A copy of the demo sources with `sales.csv` replaced. */
async function withSales(content: string | Buffer): Promise<string> {
  const dir = await mkdtemp(join(root, 'src-'));
  for (const s of ['products', 'stores', 'calendar', 'prices', 'promotions', 'weather', 'inventory']) {
    await writeFile(join(dir, `${s}.csv`), await readFile(join(demo, `${s}.csv`)));
  }
  await writeFile(join(dir, 'sales.csv'), content);
  return dir;
}

describe.runIf(existsSync(BIN))('salescast ingest (end to end)', () => {
  it('turns the demo retailer into a full panel and finds every planted dirty record', async () => {
    const out = join(root, 'panel');
    const r = run(['ingest', '--sources', demo, '--out', out, '--json']);
    expect(r.code, r.err).toBe(0);
    const summary = JSON.parse(r.out.trim().split('\n').at(-1) as string);
    const { stores, products } = truth.flags;
    // Every store is open for the whole window, so the panel is complete.
    expect(summary).toMatchObject({
      ok: true,
      panel_rows: stores * products * truth.window.periods,
      series: stores * products,
      periods: truth.window.periods,
      frequency: 'day',
    });
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
    const sales = report.sources.sales;
    expect(sales.duplicates_removed.lines).toEqual(truth.dirty_records.duplicate_rows.map((d) => d.line));
    expect(sales.rejections).toEqual(
      [
        ...truth.dirty_records.negative_quantity.map((d) => ({
          reason: 'out_of_range',
          column: 'units',
          count: 1,
          lines: [d.line],
          lines_truncated: false,
        })),
        ...truth.dirty_records.unknown_product.map((d) => ({
          reason: 'unknown_product',
          column: 'product_id',
          count: 1,
          lines: [d.line],
          lines_truncated: false,
        })),
      ].sort((a, b) => a.lines[0] - b.lines[0]),
    );
    const dropped = truth.dirty_records.missing_store_periods.reduce((n, m) => n + m.rows_dropped, 0);
    // Outages plus the period of the negative-quantity row are missing; nothing else is.
    expect(report.panel.status_counts.missing).toBe(dropped + truth.dirty_records.negative_quantity.length);
    expect(summary.sources.prices).toMatchObject({ rejected: 0 });
  });

  it('lists an appended garbage row by its line (exit 0), and exits 2 on it with --strict', async () => {
    const original = await readFile(join(demo, 'sales.csv'), 'utf8');
    const dir = await withSales(original);
    await appendFile(join(dir, 'sales.csv'), 'garbage,garbage,garbage,garbage,not-a-date\n');
    const garbageLine = original.trimEnd().split('\n').length + 1;
    const out = join(root, 'garbage');
    const r = run(['ingest', '--sources', dir, '--out', out]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('rows rejected');
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
    const lines = report.sources.sales.rejections.flatMap((g: { lines: number[] }) => g.lines);
    expect(lines).toContain(garbageLine);
    const strict = run(['ingest', '--sources', dir, '--out', join(root, 'strict'), '--strict']);
    expect(strict.code).toBe(2);
    expect(strict.err).toMatch(/^salescast: sales\.csv:\d+: row rejected/);
    expect(strict.err.trim().split('\n')).toHaveLength(1);
    await expect(stat(join(root, 'strict'))).rejects.toThrow();
  });

  it('exits 2 with one line naming the file (and column) for unusable sources, writing nothing', async () => {
    const original = await readFile(join(demo, 'sales.csv'), 'utf8');
    const cutFirstColumn = original
      .split('\n')
      .map((l) => l.split(',').slice(1).join(','))
      .join('\n');
    const noProducts = await withSales(original);
    const { rm } = await import('node:fs/promises');
    await rm(join(noProducts, 'products.csv'));
    const cases: [string, RegExp][] = [
      [await withSales(cutFirstColumn), /sales\.csv: required column 'store_id' is missing/],
      [await withSales(''), /sales\.csv: the file is empty/],
      [
        await withSales(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13, 0xff, 0xfe])),
        /sales\.csv: binary content/,
      ],
      [noProducts, /products\.csv: required source 'products' not found/],
      [join(root, 'does-not-exist'), /does-not-exist: no such folder/],
    ];
    for (const [dir, message] of cases) {
      const out = join(root, `bad-${Math.random().toString(36).slice(2)}`);
      const r = run(['ingest', '--sources', dir, '--out', out]);
      expect(r.code, r.err).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).not.toMatch(STACK_FRAME);
      await expect(stat(out)).rejects.toThrow();
    }
  });
});
