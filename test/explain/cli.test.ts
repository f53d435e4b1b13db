/**
 * `salescast explain`, `whatif` and `report` in-process on a small ingested demo retailer and a
 * saved model: drivers add up to the forecast, a discount raises a price-elastic product's
 * forecast, goal seeking answers reachable or not, the PDF is branded, and bad input exits 2
 * naming what was wrong.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerExplain } from '../../src/cli/commands/explain.js';
import { registerReport } from '../../src/cli/commands/report.js';
import { registerWhatIf } from '../../src/cli/commands/whatif.js';
import { runCommand } from '../../src/cli/testing/run-command.js';
import { SalescastError } from '../../src/core/errors.js';
import type { ExplainAnswer, GoalSeekAnswer, WhatIfAnswer } from '../../src/realtime/explain-service.js';
import { type ExplainFixture, explainFixture } from './fixture.js';

let fx: ExplainFixture;
let input: string[];
beforeAll(async () => {
  fx = await explainFixture();
  input = ['--model-file', fx.modelFile, '--data', fx.panelDir, '--cutoff', fx.cutoff];
}, 60_000);
afterAll(() => rm(fx.root, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

const lastJson = <T>(out: string): T => JSON.parse(out.trim().split('\n').pop()!) as T;
const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);

/** The most price-elastic fast mover of the demo truth. */
const elastic = () =>
  [...fx.retailer.truth.products]
    .filter((p) => !p.is_slow_mover)
    .sort((a, b) => a.price_elasticity - b.price_elasticity)[0].product_id;

async function failure(register: Parameters<typeof runCommand>[0], args: string[]): Promise<SalescastError> {
  const error = await runCommand(register, args).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(SalescastError);
  return error as SalescastError;
}

describe('explain', () => {
  it('splits each forecast period into the base and business drivers, in units', async () => {
    const series = fx.history.seriesIds[0];
    const a = lastJson<ExplainAnswer>(
      await runCommand(registerExplain, ['explain', ...input, '--series', series, '--json']),
    );
    expect(a.model).toBe('gbm');
    expect(a.series).toBe(1);
    expect(a.periods).toHaveLength(fx.h);
    expect(a.rows.every((r) => r.series_id === series)).toBe(true);
    // The forecast explained is the saved model's forecast from the cutoff with the known drivers.
    const forecast = fx.forecaster.predict(fx.h, { history: fx.history, future: fx.panel });
    const s = forecast.seriesIds.indexOf(series);
    a.periods.forEach((p, k) => {
      expect(p.prediction).toBeCloseTo(forecast.models.gbm.yhat[s * fx.h + k], 8);
      expect(Math.abs(p.base + sum(p.drivers) - p.prediction)).toBeLessThan(1e-6);
    });
    expect(a.periods[0].date).toBe(
      new Date(Date.parse(`${fx.cutoff}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10),
    );
  });

  it('sums a store’s series per period, and ranks drivers globally', async () => {
    const out = await runCommand(registerExplain, [
      'explain',
      ...input,
      '--store',
      'S01',
      '--global',
      '--json',
    ]);
    const a = lastJson<ExplainAnswer>(out);
    expect(a.series).toBe(3);
    for (const p of a.periods) {
      const rows = a.rows.filter((r) => r.date === p.date);
      expect(rows).toHaveLength(3);
      expect(p.prediction).toBeCloseTo(
        rows.reduce((t, r) => t + r.prediction, 0),
        9,
      );
    }
    const shares = a.importance!.drivers.map((d) => d.share);
    expect(shares.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 9);
    expect(shares).toEqual([...shares].sort((x, y) => y - x));
    expect(a.importance!.method).toBe('gain');
  });

  it('tells why sales changed between two periods, the drivers and the rest adding up to the change', async () => {
    const product = elastic();
    const args = ['explain', ...input, '--product', product, '--why', '--global'];
    const a = lastJson<ExplainAnswer>(await runCommand(registerExplain, [...args, '--json']));
    const c = a.change!;
    expect(c.segment).toEqual({ kind: 'product', id: product });
    expect(c.period.to).toBe(fx.cutoff);
    expect(c.change).toBeCloseTo(c.actual[1] - c.actual[0], 9);
    expect(c.drivers.reduce((t, d) => t + d.units, 0) + c.unexplained).toBeCloseTo(c.change, 6);
    expect(c.narrative).toMatch(new RegExp(`^Sales of product ${product} (rose|fell) `));
    const text = await runCommand(registerExplain, args);
    expect(text).toContain('base + drivers = forecast');
    expect(text).toContain('Global importance (gain)');
    expect(text).toContain(c.narrative);
  });

  it('refuses an unknown product naming the field', async () => {
    const e = await failure(registerExplain, ['explain', ...input, '--product', 'P999']);
    expect(e.code).toBe('NOT_FOUND');
    expect(e.exitCode).toBe(2);
    expect(e.location.field).toBe('product');
  });

  it("refuses a cutoff after the data, which would forecast from the data's end instead", async () => {
    const args = ['--model-file', fx.modelFile, '--data', fx.panelDir, '--cutoff', '2099-01-01'];
    const e = await failure(registerExplain, ['explain', ...args]);
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.location.field).toBe('cutoff');
    expect(e.message).toMatch(/^--cutoff 2099-01-01 is after the data's last date \d{4}-\d{2}-\d{2}; /);
  });
});

describe('whatif', () => {
  it('re-runs the forecast with a deeper discount: a price-elastic product sells more', async () => {
    const product = elastic();
    const a = lastJson<WhatIfAnswer>(
      await runCommand(registerWhatIf, [
        'whatif',
        ...input,
        '--action',
        'discount+15',
        '--product',
        product,
        '--json',
      ]),
    );
    expect(a.actions).toEqual([{ driver: 'discount_pct', op: 'add', value: 15 }]);
    expect(a.changed_rows).toBe(2 * fx.h);
    expect(a.series.map((s) => s.series_id)).toEqual([`S01/${product}`, `S02/${product}`]);
    expect(a.total.scenario).toBeGreaterThan(a.total.baseline * 1.05);
    expect(a.total.delta).toBeCloseTo(a.total.scenario - a.total.baseline, 9);
    const [lo, hi] = a.total.scenario_interval!;
    expect(lo).toBeLessThan(a.total.scenario);
    expect(hi).toBeGreaterThan(a.total.scenario);
    expect(a.periods).toHaveLength(fx.h);
    expect(a.periods.reduce((t, p) => t + p.scenario, 0)).toBeCloseTo(a.total.scenario, 6);
  });

  it('never lowers a forecast with a deeper discount (monotone price constraints), even by +5 points', async () => {
    // This fixture's forecaster has no price-response transform, and the demo's discounts are 0 or
    // 10–40%, so its trees split between them: +5 from a planned 0 may change nothing but must
    // never lower a forecast.
    const a = lastJson<WhatIfAnswer>(
      await runCommand(registerWhatIf, ['whatif', ...input, '--action', 'discount+5', '--json']),
    );
    expect(a.series).toHaveLength(6);
    for (const s of a.series) expect(s.scenario).toBeGreaterThanOrEqual(s.baseline - 1e-9);
  });

  it('turns a promotion on for one series only', async () => {
    const series = fx.history.seriesIds[1];
    const out = await runCommand(registerWhatIf, [
      'whatif',
      ...input,
      '--action',
      'promo=on',
      '--series',
      series,
    ]);
    expect(out).toContain('Scenario promo=on');
    const a = lastJson<WhatIfAnswer>(
      await runCommand(registerWhatIf, [
        'whatif',
        ...input,
        '--action',
        'promo=on',
        '--series',
        series,
        '--json',
      ]),
    );
    expect(a.changed_rows).toBe(fx.h);
    expect(a.series.map((s) => s.series_id)).toEqual([series]);
    expect(a.total.scenario).toBeGreaterThanOrEqual(a.total.baseline);
  });

  it.each([
    ['discount+abc', /'abc' is not a number/],
    ['discount', /not <driver><op><value>/],
    ['price*-1', /'-1' is not a number/],
    ['5+discount', /not <driver><op><value>/],
  ])('refuses the malformed action %s with exit 2', async (action, message) => {
    const e = await failure(registerWhatIf, ['whatif', ...input, '--action', action]);
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(message);
    expect(e.message).toContain(action);
  });

  it('refuses a driver the data lacks, and + without planned values', async () => {
    const unknown = await failure(registerWhatIf, ['whatif', ...input, '--action', 'shelf_space+1']);
    expect(unknown.message).toContain("no driver column 'shelf_space'");
    // Without --future or --cutoff the forecast periods have no planned discount to add to.
    const noPlan = ['--model-file', fx.modelFile, '--data', fx.panelDir, '--action', 'discount+5'];
    const e = await failure(registerWhatIf, ['whatif', ...noPlan]);
    expect(e.location.field).toBe('future');
  });

  it('seeks the smallest discount that reaches a weekly goal', async () => {
    const product = elastic();
    const base = lastJson<WhatIfAnswer>(
      await runCommand(registerWhatIf, [
        'whatif',
        ...input,
        '--action',
        'discount+0',
        '--product',
        product,
        '--json',
      ]),
    ).total.baseline;
    const goal = Math.round(base * 1.1);
    const args = ['whatif', ...input, '--product', product, '--goal', String(goal), '--driver', 'discount'];
    const a = lastJson<GoalSeekAnswer>(await runCommand(registerWhatIf, [...args, '--json']));
    expect(a).toMatchObject({
      reachable: true,
      driver: 'discount_pct',
      op: 'add',
      bounds: [0, 40],
      per: 'week',
    });
    expect(a.baseline).toBeCloseTo(base, 6); // h = 7 days: one week
    expect(a.achieved).toBeGreaterThanOrEqual(goal);
    expect(a.change).toBeGreaterThan(0);
    expect(a.change).toBeLessThanOrEqual(40);
    expect(await runCommand(registerWhatIf, args)).toMatch(/^Reachable: discount_pct \+/);
  });

  it('says clearly when a goal is out of reach, without failing', async () => {
    const product = elastic();
    const args = [
      'whatif',
      ...input,
      '--product',
      product,
      '--goal',
      '100000',
      '--driver',
      'price',
      '--json',
    ];
    const a = lastJson<GoalSeekAnswer>(await runCommand(registerWhatIf, args));
    expect(a.reachable).toBe(false);
    expect(a.op).toBe('multiply');
    expect(a.bounds).toEqual([0.8, 1.2]);
    expect(a.achieved).toBeLessThan(100_000);
    expect(a.message).toMatch(/^Not reachable within \[0\.8, 1\.2\]/);
  });

  it('refuses --goal with --action, and --goal without --driver', async () => {
    const both = await failure(registerWhatIf, ['whatif', ...input, '--action', 'promo=on', '--goal', '5']);
    expect(both.code).toBe('USAGE');
    const noDriver = await failure(registerWhatIf, ['whatif', ...input, '--goal', '5']);
    expect(noDriver.message).toContain('--driver');
  });
});

describe('report', () => {
  it('writes a branded PDF for a product', async () => {
    const brand = join(fx.root, 'brand.json');
    await writeFile(brand, JSON.stringify({ name: 'Acme Groceries', colors: { primary: '#0a7d5a' } }));
    const out = join(fx.root, 'p.pdf');
    const args = ['report', ...input, '--product', elastic(), '--brand', brand, '--out', out, '--json'];
    const r = lastJson<{ out: string; bytes: number; title: string }>(await runCommand(registerReport, args));
    const pdf = await readFile(out);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.length).toBe(r.bytes);
    expect(pdf.toString('latin1')).toContain('(Acme Groceries)');
    expect(r.title).toBe(`Demand outlook: Product ${elastic()}`);
  });

  it('refuses a malformed branding colour and a missing branding file, writing nothing', async () => {
    const brand = join(fx.root, 'bad-brand.json');
    await writeFile(brand, JSON.stringify({ name: 'Acme', colors: { primary: 'green' } }));
    const out = join(fx.root, 'bad.pdf');
    const e = await failure(registerReport, ['report', ...input, '--brand', brand, '--out', out]);
    expect(e.message).toContain('#rrggbb');
    await expect(readFile(out)).rejects.toThrow();
    const missing = await failure(registerReport, [
      'report',
      ...input,
      '--brand',
      join(fx.root, 'no.json'),
      '--out',
      out,
    ]);
    expect(missing.code).toBe('SOURCE_NOT_FOUND');
  });
});
