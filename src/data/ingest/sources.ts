/**
 * Which files hold the eight sources: found by name in a folder (`sales.csv`, `Stores.parquet`,
 * …) or listed in a CONFIG.yaml with column mappings. The result is a plan; nothing is read yet.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Frequency } from '../../core/dates.js';
import { SalescastError } from '../../core/errors.js';
import { detectFormat, TABLE_FORMATS, type TableFormat } from '../duckdb.js';
import { SOURCE_NAMES, SOURCES, type SourceName } from '../schema.js';

/** One source file to read, and how its columns map to ours. */
export interface SourceFile {
  readonly source: SourceName;
  /** Absolute path. */
  readonly path: string;
  /** The name used in messages and the report: the path as the user wrote it, or the file name. */
  readonly file: string;
  readonly format: TableFormat;
  /** Our column name → the column name in the file. Unmapped columns are matched by name. */
  readonly columns: Readonly<Record<string, string>>;
  /** A strptime format (e.g. `%d/%m/%Y`) for the date columns; default ISO `YYYY-MM-DD`. */
  readonly dateFormat?: string;
}

export interface IngestPlan {
  readonly files: Partial<Record<SourceName, SourceFile>>;
  /** Declared frequency; undefined means infer it from the sales dates. */
  readonly frequency?: Frequency;
  /** The CONFIG.yaml used, if any. */
  readonly configPath?: string;
}

const EXTENSIONS = new Set(['.csv', '.parquet', '.json', '.ndjson', '.jsonl']);

/**
 * Resolves `--sources`: a folder (files named `<source>.<ext>`) or a CONFIG.yaml. Throws
 * SOURCE_NOT_FOUND for a missing folder, config or required source, and INVALID_CONFIG for a
 * malformed config (naming the offending key).
 */
export async function planSources(sources: string): Promise<IngestPlan> {
  const path = resolve(sources);
  const info = await stat(path).catch(() => undefined);
  if (!info)
    throw new SalescastError('SOURCE_NOT_FOUND', `${sources}: no such folder or config file`, {
      file: sources,
    });
  if (info.isDirectory()) return planFolder(path, sources);
  const ext = extname(path).toLowerCase();
  if (ext === '.yaml' || ext === '.yml') return planConfig(path, sources);
  throw new SalescastError(
    'INVALID_ARGUMENT',
    `${sources}: --sources must be a folder or a .yaml config file`,
    { file: sources },
  );
}

async function planFolder(dir: string, shown: string): Promise<IngestPlan> {
  const names = await readdir(dir);
  const files: Partial<Record<SourceName, SourceFile>> = {};
  for (const source of SOURCE_NAMES) {
    const matches = names.filter((n) => {
      const ext = extname(n).toLowerCase();
      return EXTENSIONS.has(ext) && basename(n, extname(n)).toLowerCase() === source;
    });
    if (matches.length > 1) {
      throw new SalescastError(
        'INVALID_ARGUMENT',
        `${shown}: more than one file for source '${source}' (${matches.sort().join(', ')}); keep one`,
        { file: shown },
      );
    }
    if (matches.length === 1) {
      const name = matches[0];
      files[source] = {
        source,
        path: resolve(dir, name),
        file: name,
        format: detectFormat(name) as TableFormat,
        columns: {},
      };
    } else if (SOURCES[source].required) {
      throw new SalescastError(
        'SOURCE_NOT_FOUND',
        `${source}.csv: required source '${source}' not found in ${shown} (expected ${source}.csv, .parquet, .json, .ndjson or .jsonl)`,
        { file: `${source}.csv` },
      );
    }
  }
  return { files };
}

const TOP_KEYS = new Set(['sources', 'frequency', 'date_format']);
const SOURCE_KEYS = new Set(['path', 'format', 'columns', 'date_format']);

function invalidConfig(configFile: string, message: string, key?: string): SalescastError {
  return new SalescastError('INVALID_CONFIG', `${configFile}: ${message}`, { file: configFile, field: key });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

async function planConfig(configPath: string, shown: string): Promise<IngestPlan> {
  const configFile = basename(shown);
  let doc: unknown;
  try {
    doc = parseYaml(await readFile(configPath, 'utf8'));
  } catch (e) {
    const first = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    throw invalidConfig(configFile, `not valid YAML (${first})`);
  }
  if (!isRecord(doc)) throw invalidConfig(configFile, 'expected a mapping with a `sources` key');
  for (const key of Object.keys(doc)) {
    if (!TOP_KEYS.has(key)) throw invalidConfig(configFile, `unknown key '${key}'`, key);
  }
  const frequency = doc.frequency;
  if (frequency !== undefined && frequency !== 'day' && frequency !== 'week') {
    throw invalidConfig(
      configFile,
      `'frequency' must be day or week; got '${String(frequency)}'`,
      'frequency',
    );
  }
  const globalDateFormat = optionalString(configFile, doc.date_format, 'date_format');
  if (!isRecord(doc.sources))
    throw invalidConfig(configFile, "'sources' must be a mapping of source names", 'sources');
  const baseDir = dirname(configPath);
  const files: Partial<Record<SourceName, SourceFile>> = {};
  for (const [name, entry] of Object.entries(doc.sources)) {
    const where = `sources.${name}`;
    if (!(SOURCE_NAMES as readonly string[]).includes(name)) {
      throw invalidConfig(
        configFile,
        `unknown source '${name}' (expected one of ${SOURCE_NAMES.join(', ')})`,
        where,
      );
    }
    const source = name as SourceName;
    const spec = typeof entry === 'string' ? { path: entry } : entry;
    if (!isRecord(spec)) throw invalidConfig(configFile, `'${where}' must be a path or a mapping`, where);
    for (const key of Object.keys(spec)) {
      if (!SOURCE_KEYS.has(key))
        throw invalidConfig(configFile, `unknown key '${where}.${key}'`, `${where}.${key}`);
    }
    if (typeof spec.path !== 'string' || spec.path === '') {
      throw invalidConfig(configFile, `'${where}.path' must be a file path`, `${where}.path`);
    }
    const format = spec.format === undefined ? detectFormat(spec.path) : spec.format;
    if (typeof format !== 'string' || !(TABLE_FORMATS as readonly string[]).includes(format)) {
      throw invalidConfig(
        configFile,
        `'${where}.format' must be one of ${TABLE_FORMATS.join(', ')}; got '${String(format ?? extname(spec.path))}'`,
        `${where}.format`,
      );
    }
    files[source] = {
      source,
      path: resolve(baseDir, spec.path),
      file: spec.path,
      format: format as TableFormat,
      columns: columnMapping(configFile, source, spec.columns, `${where}.columns`),
      dateFormat: optionalString(configFile, spec.date_format, `${where}.date_format`) ?? globalDateFormat,
    };
  }
  for (const source of SOURCE_NAMES) {
    if (SOURCES[source].required && !files[source]) {
      throw invalidConfig(configFile, `required source 'sources.${source}' is missing`, `sources.${source}`);
    }
  }
  return { files, frequency, configPath };
}

function optionalString(configFile: string, value: unknown, key: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '')
    throw invalidConfig(configFile, `'${key}' must be a string`, key);
  return value;
}

function columnMapping(
  configFile: string,
  source: SourceName,
  value: unknown,
  where: string,
): Record<string, string> {
  if (value === undefined) return {};
  if (!isRecord(value))
    throw invalidConfig(configFile, `'${where}' must map our column names to yours`, where);
  const ours = new Set(SOURCES[source].columns.map((c) => c.name));
  const mapping: Record<string, string> = {};
  for (const [our, theirs] of Object.entries(value)) {
    if (!ours.has(our)) {
      throw invalidConfig(
        configFile,
        `unknown column '${where}.${our}' (columns of ${source}: ${[...ours].join(', ')})`,
        `${where}.${our}`,
      );
    }
    if (typeof theirs !== 'string' || theirs === '') {
      throw invalidConfig(configFile, `'${where}.${our}' must name a column of your file`, `${where}.${our}`);
    }
    mapping[our] = theirs;
  }
  return mapping;
}
