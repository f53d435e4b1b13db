import { describe, expect, it } from 'vitest';
import { createRng } from '../core/rng.js';
import { buildPanel } from '../features/panel.js';
import { autoMl, candidateOptions, sampleCandidates } from './automl.js';

/** Weekly-patterned daily series: the seasonal naive is nearly perfect, the moving average is not. */
function weekly() {
  const seriesId: string[] = [];
  const date: number[] = [];
  const y: number[] = [];
  for (const [s, level] of [
    ['a', 10],
    ['b', 40],
  ] as const) {
    for (let t = 0; t < 120; t++) {
      seriesId.push(s);
      date.push(19000 + t);
      y.push(level * (1 + (t % 7) / 3) + ((t * 7919) % 5) / 10);
    }
  }
  return buildPanel({ seriesId, date, y });
}

describe('autoMl', () => {
  it('samples each fixed family once and random points of the learner spaces, reproducibly', () => {
    const a = sampleCandidates(['naive', 'linear', 'gbm'], 6, createRng(1));
    const b = sampleCandidates(['naive', 'linear', 'gbm'], 6, createRng(1));
    expect(a).toEqual(b);
    expect(a.filter((c) => c.family === 'naive')).toHaveLength(1);
    expect(a).toHaveLength(6);
    expect(new Set(a.map((c) => c.family))).toEqual(new Set(['naive', 'linear', 'gbm']));
    for (const c of a.filter((c) => c.family === 'gbm')) {
      expect([100, 200, 400]).toContain(c.params.nEstimators);
      expect(['squared', 'poisson', 'tweedie']).toContain(c.params.loss);
    }
  });

  it('halves the candidates each rung and picks the best backtest WAPE of the last rung', () => {
    const panel = weekly();
    const result = autoMl(panel, {
      h: 7,
      families: ['naive', 'average', 'linear'],
      trials: 4,
      maxWindows: 2,
      eta: 2,
    });
    const rung0 = result.leaderboard.filter((e) => e.rung === 0);
    const rung1 = result.leaderboard.filter((e) => e.rung === 1);
    expect(rung0).toHaveLength(4);
    expect(rung1).toHaveLength(2);
    expect(rung1.every((e) => e.windows === 2)).toBe(true);
    const best = [...rung1].sort((x, y) => x.wape - y.wape)[0];
    expect(result.best).toEqual(best.candidate);
    expect(result.leaderboard[0]).toEqual(best);
    const average = rung0.find((e) => e.candidate.family === 'average')!;
    expect(average.wape).toBeGreaterThan(best.wape);
    expect(Object.keys(result.options.models)).toEqual([result.best.family]);
    const again = autoMl(panel, {
      h: 7,
      families: ['naive', 'average', 'linear'],
      trials: 4,
      maxWindows: 2,
      eta: 2,
    });
    expect(again.leaderboard.map((e) => e.wape)).toEqual(result.leaderboard.map((e) => e.wape));
  });

  it('searches ETS on the training window and MSTL over the week and the year, as the presets fit them', () => {
    const [ets, mstl] = sampleCandidates(['ets', 'mstl'], 2, createRng(1));
    expect([ets.family, mstl.family]).toEqual(['ets', 'mstl']);
    expect(candidateOptions(ets, 'day', 0).models.ets().serialize()).toEqual({
      kind: 'auto-ets',
      config: { season: 7, window: 730 },
    });
    expect(candidateOptions(mstl, 'day', 0).models.mstl().serialize()).toEqual({
      kind: 'mstl',
      config: { periods: [7, 365] },
    });
    expect(candidateOptions(mstl, 'week', 0).models.mstl().serialize()).toEqual({
      kind: 'mstl',
      config: { periods: [52] },
    });
    // Over three years with a week and a year in them, MSTL, which models both, beats ETS, which
    // sees the week and two years, and both beat the moving average.
    const days = 3 * 365;
    const yearly = buildPanel({
      seriesId: Array(days).fill('d'),
      date: Array.from({ length: days }, (_, t) => 19000 + t),
      y: Array.from(
        { length: days },
        (_, t) =>
          50 +
          8 * Math.sin((2 * Math.PI * t) / 7) +
          30 * Math.sin((2 * Math.PI * t) / 365.25) +
          ((t * 7919) % 7) / 7,
      ),
    });
    const result = autoMl(yearly, { h: 28, families: ['ets', 'mstl', 'average'], maxWindows: 1 });
    const wape = (family: string) => result.leaderboard.find((e) => e.candidate.family === family)!.wape;
    expect(wape('mstl')).toBeLessThan(wape('ets'));
    expect(wape('ets')).toBeLessThan(wape('average'));
    // With under two years MSTL would repeat ETS, so it is not tried beside it.
    const short = autoMl(weekly(), { h: 7, families: ['ets', 'mstl'], maxWindows: 1 });
    expect(short.leaderboard.map((e) => e.candidate.family)).toEqual(['ets']);
    // On weekly data MSTL's one period is ETS's season: not tried beside it either.
    const weeklyPanel = buildPanel({
      seriesId: Array(120).fill('w'),
      date: Array.from({ length: 120 }, (_, t) => 19000 + 7 * t),
      y: Array.from({ length: 120 }, (_, t) => 10 + (t % 52) / 4),
    });
    const families = (fs: ('ets' | 'mstl' | 'naive')[]) =>
      new Set(
        autoMl(weeklyPanel, { h: 4, families: fs, maxWindows: 1 }).leaderboard.map((e) => e.candidate.family),
      );
    expect(families(['ets', 'mstl', 'naive'])).toEqual(new Set(['ets', 'naive']));
    expect(families(['mstl', 'naive'])).toEqual(new Set(['mstl', 'naive']));
  });
});
