/**
 * End to end through the built CLI: demo-data → ingest → backtest → train → forecast, and the
 * forecast command's bad-input exits. The backtests check that P10–P90 intervals are calibrated on
 * the demo data (coverage within 5 points of 80%), for ridge and for the default model, `auto`.
 * Needs `npx tsc -p tsconfig.build.json`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const BIN = 'dist/cli/main.js';
const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

function run(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function lastJson(out: string): Record<string, unknown> {
  return JSON.parse(out.trim().split('\n').pop()!);
}

let root: string;
let panel: string;

beforeAll(() => {
  if (!existsSync(BIN)) return;
  return (async () => {
    root = await mkdtemp(join(tmpdir(), 'salescast-forecast-e2e-'));
    const demo = join(root, 'demo');
    panel = join(root, 'panel');
    const gen = run([
      'demo-data',
      '--out',
      demo,
      '--stores',
      '3',
      '--products',
      '4',
      '--days',
      '450',
      '--seed',
      '7',
    ]);
    expect(gen.code, gen.err).toBe(0);
    const ingest = run(['ingest', '--sources', demo, '--out', panel, '--json']);
    expect(ingest.code, ingest.err).toBe(0);
  })();
});

describe.skipIf(!existsSync(BIN))('forecasting end to end', () => {
  it('backtests the ingested demo panel with calibrated P10–P90 intervals', { timeout: 180_000 }, () => {
    const out = join(root, 'backtest.csv');
    const r = run([
      'backtest',
      '--data',
      panel,
      '--horizon',
      '14',
      '--windows',
      '3',
      '--model',
      'linear',
      '--out',
      out,
      '--json',
    ]);
    expect(r.code, r.err).toBe(0);
    const result = lastJson(r.out) as {
      series: number;
      fits: number;
      rows: number;
      cutoffs: string[];
      models: {
        linear: { aggregate: { wape: number; mase: number; coverage: number }; per_series: unknown[] };
      };
    };
    expect(result.series).toBe(12);
    expect(result.fits).toBe(3);
    expect(result.cutoffs).toHaveLength(3);
    const linear = result.models.linear;
    expect(Math.abs(linear.aggregate.coverage - 0.8)).toBeLessThanOrEqual(0.05);
    // Better than the in-sample seasonal naive, and one score per series.
    expect(linear.aggregate.mase).toBeLessThan(1);
    expect(linear.per_series).toHaveLength(12);
    return readFile(out, 'utf8').then((csv) => {
      const lines = csv.trim().split('\n');
      expect(lines[0]).toBe('series_id,cutoff,date,step,y,linear,linear_q0.1,linear_q0.5,linear_q0.9');
      expect(lines).toHaveLength(result.rows + 1);
    });
  });

  it("calibrates the default model's intervals too: auto's ensemble on the same backtest", {
    timeout: 300_000,
  }, () => {
    const r = run(['backtest', '--data', panel, '--horizon', '14', '--windows', '3', '--json']);
    expect(r.code, r.err).toBe(0);
    const result = lastJson(r.out) as {
      models: Record<string, { aggregate: { wape: number; coverage: number } }>;
    };
    // auto on a small panel: two direct boostings, a recursive Tweedie one and ETS, then the ensemble.
    expect(Object.keys(result.models)).toEqual([
      'gbm',
      'gbm_tweedie',
      'gbm_tweedie_recursive',
      'ets',
      'ensemble',
    ]);
    const ensemble = result.models.ensemble.aggregate;
    expect(Math.abs(ensemble.coverage - 0.8)).toBeLessThanOrEqual(0.05);
    expect(ensemble.wape).toBeLessThan(result.models.ets.aggregate.wape);
  });

  it('trains, saves and forecasts from the artifact: one row per series × horizon date', {
    timeout: 180_000,
  }, async () => {
    const model = join(root, 'model.scf');
    const train = run([
      'train',
      '--data',
      panel,
      '--horizon',
      '14',
      '--model',
      'linear',
      '--out',
      model,
      '--json',
    ]);
    expect(train.code, train.err).toBe(0);
    expect(lastJson(train.out).models).toEqual(['linear']);
    const direct = join(root, 'direct.csv');
    const fromFile = join(root, 'from-file.csv');
    const a = run(['forecast', '--data', panel, '--horizon', '14', '--model', 'linear', '--out', direct]);
    const b = run([
      'forecast',
      '--data',
      panel,
      '--horizon',
      '7',
      '--model-file',
      model,
      '--out',
      fromFile,
      '--json',
    ]);
    expect(a.code, a.err).toBe(0);
    expect(b.code, b.err).toBe(0);
    expect(lastJson(b.out).rows).toBe(12 * 7);
    const fitted = (await readFile(direct, 'utf8')).trim().split('\n');
    const loaded = (await readFile(fromFile, 'utf8')).trim().split('\n');
    expect(fitted[0]).toBe('series_id,date,yhat,q0.1,q0.5,q0.9');
    expect(fitted).toHaveLength(12 * 14 + 1);
    // The saved model forecasts exactly what the freshly fitted one does.
    expect(loaded.slice(1, 8)).toEqual(fitted.slice(1, 8));
    for (const line of fitted.slice(1)) {
      const [, , yhat, q1, q5, q9] = line.split(',').map(Number);
      expect(Number.isFinite(yhat)).toBe(true);
      expect(q1 <= q5 && q5 <= q9).toBe(true);
    }
  });

  it('rejects bad input with exit 2 and no stack trace', { timeout: 180_000 }, async () => {
    const noY = join(root, 'no-y.csv');
    await writeFile(noY, 'series_id,date\na,2024-01-01\na,2024-01-02\n');
    const cases = [
      ['forecast', '--data', noY, '--horizon', '3', '--out', join(root, 'x.csv')],
      ['forecast', '--data', panel, '--horizon', '0', '--out', join(root, 'x.csv')],
      ['forecast', '--data', join(root, 'nope.csv'), '--horizon', '3', '--out', join(root, 'x.csv')],
      ['forecast', '--data', panel, '--horizon', '3', '--quantiles', '0.1,1.5', '--out', join(root, 'x.csv')],
      ['backtest', '--data', panel, '--horizon', '3', '--refit', 'sometimes'],
      ['train', '--data', panel, '--horizon', '3', '--threads', '0', '--out', join(root, 'x.scf')],
    ];
    for (const args of cases) {
      const r = run(args);
      expect(r.code, `${args.join(' ')}: ${r.err}`).toBe(2);
      expect(r.err + r.out).not.toMatch(STACK_FRAME);
    }
    expect(run(cases[0]).err).toMatch(/no-y\.csv.*'y'/);
    expect(run(cases[5]).err).toMatch(/--threads/);

    // A driver numeric in the history but text in the future file would silently be missing.
    const history = join(root, 'history.csv');
    const future = join(root, 'future-text.csv');
    await writeFile(history, 'series_id,date,y,temp\na,2024-01-01,1,10\na,2024-01-02,2,11\n');
    await writeFile(future, 'series_id,date,temp\na,2024-01-03,warm\n');
    const mixed = run([
      'forecast',
      '--data',
      history,
      '--future',
      future,
      '--horizon',
      '1',
      '--out',
      join(root, 'x.csv'),
    ]);
    expect(mixed.code, mixed.err).toBe(2);
    expect(mixed.err).toMatch(/future-text\.csv: column 'temp' holds text \(e\.g\. 'warm'\) but is numeric/);
  });

  it('refuses data a saved model cannot forecast, bad numbers and outputs that would replace inputs', {
    timeout: 180_000,
  }, async () => {
    const day = (i: number) => new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10);
    const rows = (ids: string[], cell: (id: string, i: number) => string) =>
      ids.flatMap((id) => Array.from({ length: 40 }, (_, i) => cell(id, i)));
    const write = async (name: string, header: string, lines: string[]) => {
      const path = join(root, name);
      await writeFile(path, `${header}\n${lines.join('\n')}\n`);
      return path;
    };
    const good = rows(['a', 'b'], (id, i) => `${id},${day(i)},${10 + (i % 7)},1.5`);
    const data = await write('good.csv', 'series_id,date,y,price', good);
    const model = join(root, 'good.scf');
    const trained = run(['train', '--data', data, '--horizon', '7', '--model', 'linear', '--out', model]);
    expect(trained.code, trained.err).toBe(0);
    const forecastWith = (path: string) =>
      run([
        'forecast',
        '--data',
        path,
        '--model-file',
        model,
        '--horizon',
        '7',
        '--out',
        join(root, 'y.csv'),
      ]);
    const expectRefusal = (r: ReturnType<typeof run>, message: string) => {
      expect(r.code, r.err).toBe(2);
      expect(r.err.trim()).toBe(`salescast: ${message}`);
    };

    const noPrice = await write(
      'no-price.csv',
      'series_id,date,y',
      good.map((l) => l.replace(/,1\.5$/, '')),
    );
    expectRefusal(
      forecastWith(noPrice),
      "no-price.csv: the model was trained with the column 'price', which the data lacks.",
    );
    const renamed = await write(
      'new-series.csv',
      'series_id,date,y,price',
      good.map((l) => l.replace(/^a,/, 'z,')),
    );
    expectRefusal(
      forecastWith(renamed),
      "new-series.csv: series 'z' is not in the model's training data; a model forecasts only the series it was trained on.",
    );
    const weekly = await write(
      'weekly.csv',
      'series_id,date,y,price',
      rows(['a'], (id, i) => `${id},${day(7 * i)},10,1.5`),
    );
    expectRefusal(
      forecastWith(weekly),
      'weekly.csv: the data is weekly but the model was trained on daily data.',
    );

    expectRefusal(
      run(['forecast', '--data', data, '--model-file', data, '--horizon', '7', '--out', join(root, 'y.csv')]),
      'good.csv: Invalid model artifact: bad magic bytes (not a salescast model artifact).',
    );

    const mixed = await write('mixed.csv', 'series_id,date,y,price', [
      ...rows(['a'], (id, i) => `${id},${day(i)},10,1.5`),
      ...rows(['w'], (id, i) => `${id},${day(7 * i)},10,1.5`),
    ]);
    expectRefusal(
      run(['forecast', '--data', mixed, '--horizon', '3', '--model', 'naive', '--out', join(root, 'y.csv')]),
      "mixed.csv: series 'w' is weekly (its dates lie whole weeks apart) but series 'a' is daily; one file holds one frequency.",
    );

    // Line 9 is the eighth data row.
    const withCell = async (name: string, row: string) => {
      const lines = [...good];
      lines[7] = row;
      return write(name, 'series_id,date,y,price', lines);
    };
    const forecastNaive = (path: string) =>
      run(['forecast', '--data', path, '--horizon', '3', '--model', 'naive', '--out', join(root, 'y.csv')]);
    expectRefusal(
      forecastNaive(await withCell('y-inf.csv', 'a,2024-01-08,Infinity,1.5')),
      'y-inf.csv:9: y is Infinity, not a finite number.',
    );
    expectRefusal(
      forecastNaive(await withCell('price-inf.csv', 'a,2024-01-08,10,1e400')),
      'price-inf.csv:9: price is Infinity, not a finite number.',
    );
    expectRefusal(
      forecastNaive(await withCell('no-id.csv', ',2024-01-08,10,1.5')),
      'no-id.csv:9: series_id is empty.',
    );
    expectRefusal(
      forecastNaive(join(root, 'nowhere')),
      `${join(root, 'nowhere')}: no such file or directory.`,
    );

    // Future drivers must cover every series × horizon date; a gap would be filled without a word.
    const partFuture = await write(
      'part-future.csv',
      'series_id,date,price',
      Array.from({ length: 7 }, (_, i) => `a,${day(40 + i)},1.5`),
    );
    expectRefusal(
      run([
        'forecast',
        '--data',
        data,
        '--future',
        partFuture,
        '--horizon',
        '7',
        '--model',
        'naive',
        '--out',
        join(root, 'y.csv'),
      ]),
      "part-future.csv: no row for series 'b' on 2024-02-10 (7 of the 14 series × dates of the horizon lack one); the future drivers must cover the 7 days after each series' history.",
    );
    // The same for an explanation of a saved model's forecast.
    expectRefusal(
      run(['explain', '--model-file', model, '--data', data, '--future', partFuture, '--horizon', '7']),
      "part-future.csv: no row for series 'b' on 2024-02-10 (7 of the 14 series × dates of the horizon lack one); the future drivers must cover the 7 days after each series' history.",
    );

    // The output is checked before any work: the input stays as it was.
    const before = await readFile(data, 'utf8');
    expectRefusal(
      run(['forecast', '--data', data, '--horizon', '3', '--model', 'naive', '--out', data]),
      `--out ${data} is the file given to --data: writing it would replace that data; choose another path.`,
    );
    expect(await readFile(data, 'utf8')).toBe(before);
    expectRefusal(
      run(['backtest', '--data', data, '--horizon', '3', '--model', 'naive', '--out', root]),
      `--out ${root} is a directory; give the path of a file to write.`,
    );
  });
});
