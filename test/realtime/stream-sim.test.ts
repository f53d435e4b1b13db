/**
 * `salescast stream-sim` replays a CSV against a real listening server: every record arrives (the
 * served forecasts move past the replayed days), at the requested pace, through an API key.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerStreamSim } from '../../src/cli/commands/stream-sim.js';
import { runCommand } from '../../src/cli/testing/run-command.js';
import { formatDay } from '../../src/core/dates.js';
import { seriesKey } from '../../src/features/panel.js';
import { type Caller, call, type Harness } from '../platform/harness.js';
import { fitStreamingDemo, type StreamingDemo, startServing } from './fixtures.js';

describe('stream-sim', () => {
  let h: Harness;
  let admin: Caller;
  let demo: StreamingDemo;
  let url: string;
  let dir: string;

  beforeAll(async () => {
    demo = fitStreamingDemo({ holdout: 10, days: 150, trees: 20 });
    const serving = await startServing('sqlite', { name: 'Replay', plan: 'pro' }, [demo.forecaster]);
    h = serving.h;
    admin = serving.admin;
    url = await h.app.listen({ port: 0, host: '127.0.0.1' });
    dir = await mkdtemp(join(tmpdir(), 'salescast-stream-sim-'));
  });
  afterAll(async () => {
    await h?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('replays the held-out days of a CSV at the given rate', async () => {
    const { panel, cutoff } = demo;
    const rows = ['series_id,date,y,on_promo'];
    for (let s = 0; s < panel.seriesIds.length; s++) {
      for (let r = panel.offsets[s]; r < panel.offsets[s + 1]; r++) {
        if (panel.dates[r] <= cutoff || panel.dates[r] > cutoff + 5) continue;
        const promo = (panel.exog.on_promo as Float64Array)[r];
        rows.push(`${panel.seriesIds[s]},${formatDay(panel.dates[r])},${panel.y[r]},${promo}`);
      }
    }
    const file = join(dir, 'live.csv');
    await writeFile(file, `${rows.join('\n')}\n`);
    const key = (await call(h, 'POST', '/v1/api-keys', admin.token, { name: 'feed', role: 'analyst' })).json()
      .key;

    const out = await runCommand(registerStreamSim, [
      'stream-sim',
      '--data',
      file,
      '--rate',
      '100/s',
      '--batch',
      '6',
      '--url',
      url,
      '--api-key',
      key,
      '--json',
    ]);
    const result = JSON.parse(out.trim().split('\n').at(-1)!);
    const records = rows.length - 1 - rows.slice(1).filter((r) => r.split(',')[2] === 'NaN').length;
    expect(result.sent).toBe(records);
    expect(result.requests).toBe(Math.ceil(records / 6));
    // 30 records at 100/s: the last batch is due after 0.24 s.
    expect(result.seconds).toBeGreaterThanOrEqual(0.24);
    const fc = await call(h, 'POST', '/v1/forecast', admin.token, { series_id: panel.seriesIds[0], h: 1 });
    expect(fc.json().forecasts[0].date).toBe(formatDay(cutoff + 6));
  });

  it('replays a sales file as ingested, its series store_id/product_id and y its units', async () => {
    const { panel, cutoff } = demo;
    const rows = ['store_id,product_id,date,units,revenue'];
    for (let s = 0; s < panel.seriesIds.length; s++) {
      const { store, product } = seriesKey(panel.seriesIds[s]);
      for (let r = panel.offsets[s]; r < panel.offsets[s + 1]; r++) {
        const d = panel.dates[r];
        if (d <= cutoff + 5 || d > cutoff + 7 || !Number.isFinite(panel.y[r])) continue;
        rows.push(`${store},${product},${formatDay(d)},${panel.y[r]},${panel.y[r] * 2.5}`);
      }
    }
    const file = join(dir, 'sales.csv');
    await writeFile(file, `${rows.join('\n')}\n`);
    const out = await runCommand(registerStreamSim, [
      'stream-sim',
      '--data',
      file,
      '--rate',
      '1000/s',
      '--url',
      url,
      '--api-key',
      admin.token,
      '--json',
    ]);
    expect(JSON.parse(out.trim().split('\n').at(-1)!).sent).toBe(rows.length - 1);
    const fc = await call(h, 'POST', '/v1/forecast', admin.token, { series_id: panel.seriesIds[0], h: 1 });
    expect(fc.json().forecasts[0].date).toBe(formatDay(cutoff + 8));
  });

  it('names the columns a file without series or target lacks', async () => {
    const file = join(dir, 'no-units.csv');
    await writeFile(file, 'store_id,product_id,date\nS1,P1,2024-01-01\n');
    await expect(
      runCommand(registerStreamSim, [
        'stream-sim',
        '--data',
        file,
        '--rate',
        '10/s',
        '--url',
        url,
        '--api-key',
        'k',
      ]),
    ).rejects.toMatchObject({ code: 'MISSING_COLUMN', location: { file: 'no-units.csv', field: 'units' } });
  });

  it('refuses a rate that is not records per second', async () => {
    await expect(
      runCommand(registerStreamSim, [
        'stream-sim',
        '--data',
        'x.csv',
        '--rate',
        'fast',
        '--url',
        url,
        '--api-key',
        'k',
      ]),
    ).rejects.toThrow(/records per second/);
  });
});
