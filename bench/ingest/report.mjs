// Writes the ingestion section of docs/BENCHMARKS.md from one run of bench/ingest/run.sh:
//   node bench/ingest/report.mjs OUT_DIR "REPRODUCING COMMAND"
// Reads OUT/ingest.json (the CLI's --json summary) and OUT/ingest.time (`/usr/bin/time -v`).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

const [out, command] = process.argv.slice(2);
const summary = JSON.parse(readFileSync(`${out}/ingest.json`, 'utf8'));
const time = readFileSync(`${out}/ingest.time`, 'utf8');
const phases = existsSync(`${out}/phases.txt`) ? readFileSync(`${out}/phases.txt`, 'utf8').trimEnd() : '';

/** Seconds from `/usr/bin/time -v`'s "Elapsed (wall clock) time (h:mm:ss or m:ss): 0:07.12". */
function wallSeconds(text) {
  const m = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)/.exec(text);
  return m[1].split(':').reduce((acc, part) => acc * 60 + Number(part), 0);
}
const field = (name) => Number(new RegExp(`${name}: ([\\d.]+)`).exec(time)[1]);

const seconds = wallSeconds(time);
const cpuSeconds = field('User time \\(seconds\\)') + field('System time \\(seconds\\)');
const rssMb = field('Maximum resident set size \\(kbytes\\)') / 1024;
const sources = Object.values(summary.sources);
const salesRows = summary.sources.sales.rows_read;
const inputRows = sources.reduce((n, s) => n + s.rows_read, 0);
const fmt = (x) => Math.round(x).toLocaleString('en-US');
const load = loadavg()[0].toFixed(1);

const section = `<!-- bench:ingest:start -->
## Ingestion: \`salescast ingest\` end to end

Reproduce: \`${command}\` (writes this section; data and raw outputs in \`.bench-out/ingest\`).

Data: \`salescast demo-data --stores 20 --products 50 --days 1000 --seed 1\` (CSV): ${fmt(salesRows)} sales rows, and ${fmt(inputRows)} rows over the eight sources (prices and inventory have one row per store × product × day too). Timed: the built CLI \`node dist/cli/main.js ingest --sources … --out … --json\` under \`/usr/bin/time -v\`, from process start to exit: reading and hashing every file, validation, cleaning, the panel join and sort, the Parquet write and report.json.

Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} × ${cpus()[0].model.trim()}, Node ${process.version}, load average ${load} at the end of the run (the machine was shared; wall time stretches with the load, CPU time less so). Goal: ≥ 500,000 sales rows/s end to end.

| sales rows | input rows | panel rows | wall s | CPU s (user + sys) | sales rows/s | input rows/s | peak RSS MB |
|---:|---:|---:|---:|---:|---:|---:|---:|
| ${fmt(salesRows)} | ${fmt(inputRows)} | ${fmt(summary.panel_rows)} | ${seconds.toFixed(1)} | ${cpuSeconds.toFixed(1)} | ${fmt(salesRows / seconds)} | ${fmt(inputRows / seconds)} | ${fmt(rssMb)} |

The process got ${fmt((100 * cpuSeconds) / seconds)}% of one core on average (of ${cpus().length * 100}% possible). A rough bound for an idle machine, not a measurement: with both cores busy the CPU time would take ${(cpuSeconds / cpus().length).toFixed(1)} s, about ${fmt(salesRows / (cpuSeconds / cpus().length))} sales rows/s.
${
  phases
    ? `
By phase (\`node bench/ingest/phases.mjs\`, a second run in one process, so without Node's start-up; CPU counts every thread):

\`\`\`
${phases}
\`\`\`
`
    : ''
}<!-- bench:ingest:end -->`;

const doc = 'docs/BENCHMARKS.md';
const text = existsSync(doc)
  ? readFileSync(doc, 'utf8')
  : '# Benchmarks\n\nEach section is produced by a script under `bench/` and names the command that reproduces it.\n';
const pattern = /<!-- bench:ingest:start -->[\s\S]*?<!-- bench:ingest:end -->/;
writeFileSync(doc, pattern.test(text) ? text.replace(pattern, section) : `${text.trimEnd()}\n\n${section}\n`);
console.log(section);
