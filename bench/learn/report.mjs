#!/usr/bin/env node
// Collects one run of bench/learn/run.sh into bench/learn/results.json and renders it into the
// learning-engine section of docs/BENCHMARKS.md (between the bench:learn markers; other sections
// are left alone).
//
//   node bench/learn/report.mjs OUT_DIR     collect OUT_DIR/{meta,xgboost,sklearn,salescast}.json
//                                           and *.time, then render
//   node bench/learn/report.mjs             re-render from bench/learn/results.json
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const RESULTS = join(ROOT, 'bench', 'learn', 'results.json');
const DOC = join(ROOT, 'docs', 'BENCHMARKS.md');
const START = '<!-- bench:learn:start -->';
const END = '<!-- bench:learn:end -->';
const ENGINES = ['xgboost', 'sklearn', 'salescast'];
// Held fixed by run.sh for every engine.
const SETTINGS = { trees: 200, leaves: 63, learningRate: 0.1, maxBins: 255, threads: 2 };

const outDir = process.argv[2];
const results = outDir === undefined ? JSON.parse(readFileSync(RESULTS, 'utf8')) : collect(outDir);
if (outDir !== undefined) writeAtomic(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
updateDoc(renderSection(results));
console.log(renderTable(results));

function collect(dir) {
  const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));
  const engines = ENGINES.map((engine) => {
    const raw = JSON.parse(readFileSync(join(dir, `${engine}.json`), 'utf8'));
    const measured = engine === 'salescast' ? fromSalescast(raw) : raw;
    return { ...measured, engine, ...fromTime(readFileSync(join(dir, `${engine}.time`), 'utf8')) };
  });
  const ref = engines.find((e) => e.engine === 'xgboost');
  for (const e of engines) {
    e.vsXgboost = {
      trainSeconds: e.trainSeconds / ref.trainSeconds,
      predictRowsPerSecond: e.predictRowsPerSecond / ref.predictRowsPerSecond,
      rmse: e.rmse / ref.rmse,
      peakRssMb: e.peakRssMb / ref.peakRssMb,
    };
  }
  return {
    date: new Date().toISOString(),
    command: `bash bench/learn/run.sh ${meta.nTrain} ${meta.nCols}`,
    data: { trainRows: meta.nTrain, testRows: meta.nTest, columns: meta.nCols, seed: meta.seed },
    settings: SETTINGS,
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      node: process.version,
      // A busy machine distorts every figure, the OpenMP engines' most (their threads spin-wait).
      loadAverage1m: loadavg()[0],
    },
    engines,
  };
}

/** The fields of `salescast learn --json` that the benchmark reports, under the common names. */
function fromSalescast(raw) {
  const need = (key) => {
    if (typeof raw[key] !== 'number') throw new Error(`salescast learn --json lacks numeric '${key}'`);
    return raw[key];
  };
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  return {
    version: pkg.version,
    trainSeconds: need('train_seconds'),
    predictSeconds: need('predict_seconds'),
    predictRowsPerSecond: need('rows_per_second'),
    rmse: need('rmse'),
  };
}

/** Peak RSS and wall time from `/usr/bin/time -v`. */
function fromTime(text) {
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(text);
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)/.exec(text);
  if (!rss || !wall) throw new Error('cannot read /usr/bin/time -v output');
  const wallSeconds = wall[1].split(':').reduce((acc, part) => acc * 60 + Number(part), 0);
  return { peakRssMb: Number(rss[1]) / 1024, wallSeconds };
}

function renderTable(r) {
  const fmt = (v, digits) =>
    v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  const ratio = (e, key) => (e.engine === 'xgboost' ? '1' : `${fmt(e.vsXgboost[key], 2)}×`);
  const names = {
    xgboost: 'XGBoost',
    sklearn: 'scikit-learn HistGB',
    salescast: 'salescast GradientBoosting',
  };
  const lines = [
    '| engine | version | train s | vs XGBoost | predict rows/s | vs XGBoost | test RMSE | vs XGBoost | peak RSS MB | vs XGBoost |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const e of r.engines) {
    lines.push(
      `| ${names[e.engine]} | ${e.version} | ${fmt(e.trainSeconds, 1)} | ${ratio(e, 'trainSeconds')} | ` +
        `${fmt(e.predictRowsPerSecond, 0)} | ${ratio(e, 'predictRowsPerSecond')} | ${fmt(e.rmse, 4)} | ` +
        `${ratio(e, 'rmse')} | ${fmt(e.peakRssMb, 0)} | ${ratio(e, 'peakRssMb')} |`,
    );
  }
  return lines.join('\n');
}

function renderSection(r) {
  const s = r.settings;
  return [
    START,
    '## Learning engine: gradient boosting against XGBoost and scikit-learn',
    '',
    `Reproduce: \`${r.command}\` (writes \`bench/learn/results.json\` and this section).`,
    '',
    `Data: \`bench/learn/make-data.mjs\`, Friedman #1 signal on 5 columns, a 7-level integer column with an ` +
      `effect, a 50-level integer column and uniform noise columns, 2% missing in one signal column, N(0, 1) ` +
      `noise (best achievable RMSE ≈ 1). ${r.data.trainRows.toLocaleString('en-US')} training rows, ` +
      `${r.data.testRows.toLocaleString('en-US')} test rows, ${r.data.columns} columns, seed ${r.data.seed}. ` +
      'Integer columns are numeric for every engine.',
    '',
    `Settings for every engine: ${s.trees} trees, ${s.leaves} leaves grown leaf-wise, learning rate ` +
      `${s.learningRate}, ${s.maxBins} bins, ${s.threads} threads, squared error, no early stopping. XGBoost: ` +
      '`tree_method=hist, grow_policy=lossguide, max_leaves, max_depth=0` with its other defaults ' +
      '(`min_child_weight=1`, `lambda=1`); scikit-learn: `HistGradientBoostingRegressor(max_leaf_nodes, ' +
      'early_stopping=False)`, `OMP_NUM_THREADS`; salescast: `salescast learn --model gbm --trees --leaves ' +
      '--lr --threads`.',
    '',
    `Measured ${r.date.slice(0, 10)} on ${r.machine.cores} × ${r.machine.cpu}, Node ${r.machine.node}, ` +
      `load average ${r.machine.loadAverage1m.toFixed(1)} at the end of the run. ` +
      'Train seconds cover fitting only (XGBoost includes building its DMatrix); predict rows/s is the whole ' +
      'test set in one call; peak RSS is the whole process (`/usr/bin/time -v`), data loading included. ' +
      'Ratios are to XGBoost in the same run: below 1 is better for time, RMSE and memory, above 1 for rows/s.',
    '',
    renderTable(r),
    '',
    'Reference point: on the acceptance data (Friedman, 20,000 × 20), XGBoost with 200 trees and 31 leaves ' +
      'reaches test RMSE 1.10.',
    END,
  ].join('\n');
}

function updateDoc(section) {
  let doc;
  try {
    doc = readFileSync(DOC, 'utf8');
  } catch {
    doc =
      '# Benchmarks\n\nEach section is produced by a script under `bench/` and names the command that ' +
      'reproduces it. They are measurements, not timed tests.\n';
  }
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  const next =
    start >= 0 && end > start
      ? doc.slice(0, start) + section + doc.slice(end + END.length)
      : `${doc.trimEnd()}\n\n${section}\n`;
  writeAtomic(DOC, next);
}

function writeAtomic(path, text) {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}
