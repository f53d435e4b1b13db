#!/usr/bin/env node
// report.mjs RESULTS.jsonl BENCHMARKS.md: writes the forecasting table between the markers
// <!-- bench:forecast:start --> and <!-- bench:forecast:end --> (appending the section, or creating
// the file, when absent). The latest line per (dataset, model) wins, so datasets can be run apart.
// A line with `carried_from` (text naming an earlier run) is a row not rerun; the table marks it †.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';

const [resultsPath, docPath] = process.argv.slice(2);
if (!resultsPath || !docPath) {
  console.error('usage: report.mjs RESULTS.jsonl BENCHMARKS.md');
  process.exit(2);
}
const START = '<!-- bench:forecast:start -->';
const END = '<!-- bench:forecast:end -->';
const DATASETS = ['walmart45', 'store1', 'demo', 'store-item', 'rossmann'];
const MODELS = ['naive', 'ets', 'stlf', 'xgb', 'salescast', 'salescast_gbm', 'salescast_ets'];
const LABELS = {
  naive: 'seasonal naive (acceptance naive.mjs)',
  ets: 'R forecast::ets',
  stlf: 'R forecast::stlf',
  xgb: 'XGBoost global, recursive',
  salescast: 'salescast `--model auto`',
  salescast_gbm: 'salescast `--model gbm`',
  salescast_ets: 'salescast `--model ets`',
};

const latest = new Map();
for (const line of readFileSync(resultsPath, 'utf8').split('\n')) {
  if (!line.trim()) continue;
  const r = JSON.parse(line);
  latest.set(`${r.dataset}\u0000${r.model}`, r);
}
const rank = (list, v) => (list.includes(v) ? list.indexOf(v) : list.length);
const rows = [...latest.values()].sort(
  (a, b) =>
    rank(DATASETS, a.dataset) - rank(DATASETS, b.dataset) || rank(MODELS, a.model) - rank(MODELS, b.model),
);

const fmt = (v, digits = 3) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '—');
const big = (v) =>
  typeof v === 'number' && Number.isFinite(v)
    ? v >= 1000
      ? Math.round(v).toLocaleString('en-US')
      : v.toPrecision(4)
    : '—';
const table = [
  '| dataset (H, season, series) | model | WAPE | MASE | RMSE | mean pinball P10/P50/P90 | P10–P90 coverage | wall s | CPU s |',
  '|---|---|---:|---:|---:|---:|---:|---:|---:|',
];
for (const r of rows) {
  const label = `${LABELS[r.model] ?? r.model}${r.carried_from ? ' †' : ''}`;
  const ds = `${r.dataset} (${r.h}, ${r.season}, ${r.series})`;
  if (r.error) {
    table.push(
      `| ${ds} | ${label} | failed: ${r.error} | | | | | ${fmt(r.wall_s, 1)} | ${fmt(r.cpu_s, 1)} |`,
    );
    continue;
  }
  const pin = r.pinball ? Object.values(r.pinball) : [];
  const meanPin = pin.length ? pin.reduce((a, b) => a + b, 0) / pin.length : undefined;
  table.push(
    `| ${ds} | ${label} | ${fmt(r.wape)} | ${fmt(r.mase)} | ${big(r.rmse)} | ${big(meanPin)} | ${r.coverage ? fmt(r.coverage.rate, 3) : '—'} | ${fmt(r.wall_s, 1)} | ${fmt(r.cpu_s, 1)} |`,
  );
}
const carried = [...new Set(rows.map((r) => r.carried_from).filter(Boolean))];
const carriedNote = carried.length
  ? [
      '',
      `† Not rerun: carried over from ${carried.join('; ')}. Nothing these models compute on that data`,
      'changed since (later code changes act only on other data, such as small panels or price drivers,',
      "or leave forecasts bit-identical), and their forecasts are deterministic; their times are that run's,",
      'under its load.',
    ]
  : [];
const sources = [...new Map(rows.map((r) => [r.dataset, `${r.dataset} = ${r.source}`])).values()].join('; ');
const fresh = rows.filter((r) => !r.carried_from);
const loads = fresh.map((r) => r.load_before).filter((v) => Number.isFinite(v));
const loadText = loads.length
  ? ` (1-minute load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} when the runs started)`
  : '';
const stamp = (iso) => iso.slice(0, 16).replace('T', ' ');
const when = fresh
  .map((r) => r.measured_at)
  .filter(Boolean)
  .sort();
const section = [
  START,
  '## Forecasting accuracy',
  '',
  'Reproduce: `bash bench/forecast/run.sh` (walmart45, store1, demo, every model) and',
  '`bash bench/forecast/run.sh --datasets store-item,rossmann --models naive,stlf,xgb,salescast,salescast_gbm,salescast_ets`',
  '(the full files; R `ets` there only with `--models ets`, it takes about 2 CPU s per series).',
  'Protocol of ../shared/data/README.md: the last H periods of each series are',
  'held out (`acceptance/lib/split.mjs`), every model trains on the rest with the future drivers known,',
  'and `acceptance/lib/score.mjs` scores WAPE, MASE (in-sample seasonal-naive scale at the season',
  'shown), RMSE (units of y), pinball loss (units of y, averaged over P10, P50, P90) and the share of',
  'actuals inside [P10, P90]. Lower is better except coverage, whose target is 0.80.',
  '',
  ...table,
  ...carriedNote,
  '',
  'Peers: R 4.2 `forecast` 8.20 (Debian `r-cran-forecast`), one model per series, quantiles from',
  'the 80% interval; `ets` with the seasonal period (R allows at most 24, so not on weekly',
  'data), `stlf` = STL + ETS on the seasonally adjusted series. XGBoost 1.7.4 (Debian',
  "`python3-xgboost`, 1 thread): salescast's default lags, rolling means, calendar fields, series",
  'code and every driver; 400 rounds, depth 8, eta 0.05, no tuning; P10/P90 from the scaled errors',
  'of a backtest over the last H training periods (XGBoost 1.7 has no quantile loss). Seasonal naive',
  'has no quantiles. salescast runs on one thread too (`--threads 1`).',
  '',
  `Data: ${sources}.`,
  '',
  `Times: wall clock and CPU (user + sys) of the whole command, reading and writing files included,`,
  `on a ${cpus().length}-core machine shared with other jobs${loadText}, so wall times are inflated`,
  'and CPU times are the fairer comparison. Every process ran under `nice`.',
  `Measured ${when.length ? `${stamp(when[0])} to ${stamp(when[when.length - 1])} UTC` : ''}; salescast as built from the working tree then.`,
  END,
].join('\n');

let doc = existsSync(docPath)
  ? readFileSync(docPath, 'utf8')
  : '# Benchmarks\n\nMeasured results of salescast against reference implementations, each with the command that reproduces it.\n';
const s = doc.indexOf(START);
const e = doc.indexOf(END);
if (s >= 0 && e > s) doc = doc.slice(0, s) + section + doc.slice(e + END.length);
else doc = `${doc.replace(/\n*$/, '\n\n')}${section}\n`;
writeFileSync(`${docPath}.tmp`, doc);
renameSync(`${docPath}.tmp`, docPath);
console.log(`wrote ${rows.length} rows to ${docPath}`);
