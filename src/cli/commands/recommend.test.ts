import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CommanderError } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type DemoModel, trainDemoModel } from '../../../test/decide/demo-model.js';
import { SalescastError } from '../../core/errors.js';
import { runCommand } from '../testing/run-command.js';
import { registerRecommend } from './recommend.js';

let demo: DemoModel;
beforeAll(async () => {
  demo = await trainDemoModel();
}, 60_000);
afterAll(() => rm(demo.root, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

const run = (args: string[]) =>
  runCommand(registerRecommend, ['recommend', '--model-file', demo.modelFile, '--data', demo.panel, ...args]);
const lastJson = (out: string) => JSON.parse(out.trimEnd().split('\n').at(-1) as string);

/** End-of-day stock of `date` (default the demo's last day), from the inventory table. */
function stock(storeId: string, productId: string, date?: string): number {
  const rows = demo.retailer.tables.inventory.rows.filter(
    (r) => r[0] === storeId && r[1] === productId && (date === undefined || r[2] === date),
  );
  return Number(rows.at(-1)?.[3]);
}

describe('salescast recommend', () => {
  it('prints every decision as text tables', async () => {
    const out = await run(['--lead-time', '3', '--store', 'S01']);
    const lines = out.split('\n');
    expect(lines[0]).toBe(
      'Decisions for 4 series: model gbm, forecast from 2024-02-06 for 14 days; lead time 3, review every 1, service level 95.0%, holding 25.0% a year.',
    );
    for (const heading of [
      'Inventory (risk period 4 days)',
      'Stockout risk over 14 days without new orders',
      'Pricing over 14 days (units summed over the selected stores)',
      'Executive summary',
    ])
      expect(lines).toContain(heading);
    expect(out).toMatch(/^Store expansion \(assumptions: \+10\.0% space, capture 60\.0%/m);
    // One inventory row per product of S01, with its stock from the panel's last day.
    const row = lines.find((l) => l.startsWith('S01/P004 '));
    expect(row?.split(/\s+/)[1]).toBe(String(stock('S01', 'P004')));
    expect(out).toContain('No anomalies are known: no anomaly source was given.');
  });

  it('--json: one object on the last line, with the same plans as the text', async () => {
    const out = await run(['--lead-time', '3', '--order-cost', '10', '--what', 'inventory', '--json']);
    const r = lastJson(out);
    expect(r).toMatchObject({ model: 'gbm', origin: '2024-02-06', horizon: 14, series: 8, frequency: 'day' });
    expect(r.settings).toMatchObject({ leadTime: 3, reviewPeriod: 1, serviceLevel: 0.95, orderCost: 10 });
    expect(r.stockout).toBeUndefined();
    expect(r.inventory).toHaveLength(8);
    for (const d of r.inventory) {
      expect(d.onHand).toBe(stock(d.storeId, d.productId));
      expect(d.plan.economicOrderQuantity).toBeGreaterThan(0);
      expect(d.plan.reorderDue).toBe(d.plan.inventoryPosition <= d.plan.reorderPoint);
      if (d.plan.reorderDue)
        expect(d.plan.orderQuantity).toBe(
          Math.max(d.plan.orderUpTo - d.plan.inventoryPosition, Math.ceil(d.plan.economicOrderQuantity)),
        );
    }
  });

  it('--cutoff: stock of the cutoff day, and the what-if curve from the later rows as future drivers', async () => {
    const out = await run([
      '--cutoff',
      '2024-01-15',
      '--product',
      'P001,P003',
      '--what',
      'pricing',
      '--response',
      'what-if',
      '--json',
    ]);
    const r = lastJson(out);
    expect(r.origin).toBe('2024-01-16');
    expect(r.pricing.map((p: { productId: string }) => p.productId)).toEqual(['P001', 'P003']);
    for (const p of r.pricing) {
      expect(p.method).toBe('what-if');
      expect(p.result.curve).toHaveLength(11);
      expect(p.result.baseline.units).toBeGreaterThan(0);
      // The what-if curve carries no elasticity band.
      expect(p.result.curve[4].unitsLow).toBe(p.result.curve[4].units);
    }
    const inv = lastJson(
      await run([
        '--cutoff',
        '2024-01-15',
        '--store',
        'S02',
        '--product',
        'P003',
        '--what',
        'inventory',
        '--json',
      ]),
    );
    expect(inv.inventory[0].onHand).toBe(stock('S02', 'P003', '2024-01-15'));
  });

  it('--pdf: writes the branded executive summary', async () => {
    const pdf = join(demo.root, 'summary.pdf');
    const r = lastJson(
      await run([
        '--lead-time',
        '3',
        '--what',
        'summary',
        '--pdf',
        pdf,
        '--brand',
        'Corner Grocer',
        '--json',
      ]),
    );
    expect(r.pdf).toBe(pdf);
    expect(r.summary.actions.length).toBeGreaterThan(0);
    const bytes = await readFile(pdf);
    expect(bytes.length).toBe(r.pdf_bytes);
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(bytes.toString('latin1')).toContain('(Corner Grocer)');
  });

  it.each([[['--service-level', '1.5']], [['--lead-time', '-1']], [['--what', 'everything']]])(
    'rejects %j as a usage error (exit 2)',
    async (args) => {
      const error = await run(args).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CommanderError);
      expect((error as CommanderError).code).toBe('commander.invalidArgument');
    },
  );

  it('names an unknown product, and a lead time beyond the horizon (exit 2)', async () => {
    const unknown = await run(['--product', 'P999']).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(SalescastError);
    expect((unknown as SalescastError).exitCode).toBe(2);
    expect((unknown as SalescastError).message).toContain("Unknown product 'P999'");
    const lead = await run(['--lead-time', '20']).catch((e: unknown) => e);
    expect((lead as SalescastError).code).toBe('INVALID_ARGUMENT');
    expect((lead as SalescastError).message).toContain("'leadTime' must be at most 13");
  });
});
