// Forecasts when the drivers of the forecast periods are not given: for each cutoff, the `gbm`
// preset is fitted on the panel through the cutoff and forecasts the next H periods twice, with
// the panel's own later driver values (known) and with none (unknown), scored against the actuals.
// Comparing builds shows what a change to unknown-driver handling does (run it once per build).
//   node bench/forecast/unknown-drivers.mjs --dist dist --data PANEL --h 7 --cutoffs 2024-06-30,…
// PANEL: an ingested panel directory or a long CSV with every date (training and held out).
// Prints one JSON line per cutoff (WAPE and mean forecast, known and unknown) and a last line with
// the mean WAPEs.
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    dist: { type: 'string', default: 'dist' },
    data: { type: 'string' },
    h: { type: 'string', default: '7' },
    cutoffs: { type: 'string' },
  },
});
if (!args.data || !args.cutoffs) throw new Error('--data and --cutoffs are required');
const dist = resolve(args.dist);
const load = (p) => import(join(dist, p));
const [{ readForecastData }, { panelThrough }, { Forecaster }, { presetOptions }, { parseIsoDay }] =
  await Promise.all([
    load('store/forecast-data.js'),
    load('features/panel.js'),
    load('forecast/forecaster.js'),
    load('forecast/presets.js'),
    load('core/dates.js'),
  ]);
const h = Number(args.h);
const full = await readForecastData(args.data);
const actual = new Map();
for (let s = 0; s < full.seriesIds.length; s++) {
  for (let r = full.offsets[s]; r < full.offsets[s + 1]; r++)
    actual.set(`${full.seriesIds[s]}|${full.dates[r]}`, full.y[r]);
}
const rows = [];
for (const cutoff of args.cutoffs.split(',')) {
  const train = panelThrough(full, parseIsoDay(cutoff));
  const forecaster = new Forecaster(
    presetOptions('gbm', {
      freq: full.freq,
      quantiles: [0.1, 0.5, 0.9],
      nonNegative: true,
      trainingRows: train.y.length,
    }),
  ).fit(train, { h });
  // WAPE against the actuals, and the forecasts' mean (how far a level shifts without drivers).
  const score = (future) => {
    const p = forecaster.predict(h, { future });
    const yhat = p.models.gbm.yhat;
    let err = 0;
    let sum = 0;
    for (let i = 0; i < yhat.length; i++) {
      const y = actual.get(`${p.seriesIds[Math.floor(i / h)]}|${p.dates[i]}`);
      if (!Number.isFinite(y)) continue;
      err += Math.abs(y - yhat[i]);
      sum += Math.abs(y);
    }
    const mean = yhat.reduce((a, v) => a + v, 0) / yhat.length;
    return [Math.round((err / sum) * 1e4) / 1e4, Math.round(mean * 100) / 100];
  };
  const [known, knownMean] = score(full);
  const [unknown, unknownMean] = score(undefined);
  const row = { cutoff, known, unknown, mean_known: knownMean, mean_unknown: unknownMean };
  rows.push(row);
  console.log(JSON.stringify(row));
}
const mean = (k) => Math.round((rows.reduce((a, r) => a + r[k], 0) / rows.length) * 1e4) / 1e4;
console.log(JSON.stringify({ windows: rows.length, known: mean('known'), unknown: mean('unknown') }));
