import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createRng } from '../../core/rng.js';
import { runCommand } from '../testing/run-command.js';
import { registerLearn } from './learn.js';

const root = await mkdtemp(join(tmpdir(), 'salescast-learn-cli-'));
afterAll(() => rm(root, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/** y = 3·x0 + step(x1) + noise, with a few missing x2 cells. */
async function writeData(
  path: string,
  n: number,
  seed: number,
  columns = ['x0', 'x1', 'x2', 'y'],
): Promise<void> {
  const rng = createRng(seed);
  const lines = [columns.join(',')];
  for (let i = 0; i < n; i++) {
    const x = [rng.next(), rng.next(), rng.next()];
    const y = 3 * x[0] + (x[1] > 0.5 ? 2 : 0) + 0.1 * rng.normal();
    const row: Record<string, string> = {
      x0: x[0].toFixed(5),
      x1: x[1].toFixed(5),
      x2: i % 17 === 0 ? '' : x[2].toFixed(5),
      y: y.toFixed(5),
    };
    lines.push(columns.map((c) => row[c]).join(','));
  }
  await writeFile(path, `${lines.join('\n')}\n`);
}

const train = join(root, 'train.csv');
const test = join(root, 'test.csv');
await writeData(train, 1500, 1);
// The test file orders its columns differently: columns are matched by name.
await writeData(test, 300, 2, ['y', 'x2', 'x1', 'x0']);

const run = (args: string[]) => runCommand(registerLearn, ['learn', ...args]);

const base = ['--train', train, '--test', test, '--target', 'y', '--threads', '1'];

describe('salescast learn', () => {
  it.each(['gbm', 'rf', 'linear'])(
    '%s: writes one prediction per test row and reports JSON with the RMSE',
    async (model) => {
      const out = join(root, `${model}.csv`);
      const text = await run([
        ...base,
        '--model',
        model,
        '--trees',
        '40',
        '--leaves',
        '15',
        '--out',
        out,
        '--json',
      ]);
      const result = JSON.parse(text.trimEnd().split('\n').at(-1)!);
      expect(result).toMatchObject({ model, n_train: 1500, n_test: 300, n_features: 3 });
      expect(result.train_seconds).toBeGreaterThanOrEqual(0);
      expect(result.rows_per_second).toBeGreaterThan(0);
      const lines = (await readFile(out, 'utf8')).trimEnd().split('\n');
      expect(lines[0]).toBe('yhat');
      expect(lines).toHaveLength(301);
      const testLines = (await readFile(test, 'utf8')).trimEnd().split('\n').slice(1);
      let se = 0;
      testLines.forEach((l, i) => {
        se += (Number(lines[i + 1]) - Number(l.split(',')[0])) ** 2;
      });
      expect(result.rmse).toBeCloseTo(Math.sqrt(se / 300), 9);
      expect(result.rmse).toBeLessThan(model === 'linear' ? 0.7 : 0.4);
    },
  );

  it('gives identical output files for the same seed', async () => {
    const a = join(root, 'a.csv');
    const b = join(root, 'b.csv');
    await run([...base, '--trees', '20', '--seed', '4', '--out', a]);
    await run([...base, '--trees', '20', '--seed', '4', '--threads', '2', '--out', b]);
    expect(await readFile(b, 'utf8')).toBe(await readFile(a, 'utf8'));
  });

  it('rejects a test file without a feature column, naming the file and column', async () => {
    const bad = join(root, 'no-x1.csv');
    await writeData(bad, 10, 3, ['x0', 'x2', 'y']);
    await expect(run(['--train', train, '--test', bad, '--target', 'y'])).rejects.toMatchObject({
      code: 'MISSING_COLUMN',
      exitCode: 2,
      message: `${bad} lacks the feature column 'x1' of the training file.`,
    });
  });

  it('rejects an unknown target and an invalid hyperparameter with exit code 2', async () => {
    await expect(run(['--train', train, '--test', test, '--target', 'nope'])).rejects.toMatchObject({
      code: 'MISSING_COLUMN',
      exitCode: 2,
      message: expect.stringContaining("no target column 'nope'"),
    });
    await expect(run([...base, '--lr', '-1'])).rejects.toMatchObject({
      code: 'INVALID_HYPERPARAMETER',
      exitCode: 2,
      message: "The 'learningRate' parameter of GradientBoosting must be a number in (0, ∞); got -1 instead.",
    });
  });

  it('names the file, line and column of a non-numeric cell', async () => {
    const bad = join(root, 'bad.csv');
    await writeFile(bad, 'x0,x1,x2,y\n1,2,3,4\n1,two,3,4\n');
    await expect(run(['--train', bad, '--test', test, '--target', 'y'])).rejects.toMatchObject({
      code: 'INVALID_DATA',
      exitCode: 2,
      message: `${bad}:3: column 'x1' holds 'two', which is not a number.`,
    });
  });
});
