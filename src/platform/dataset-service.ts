/**
 * Datasets: uploaded source files, ingested into a panel, stored in the tenant's own folder.
 * An upload streams each part to a temporary folder (checking its name, size and first bytes),
 * runs ingestion into a temporary dataset folder, and only after both succeed renames the folder
 * into place and records the row, in the same transaction as its audit entry and storage count.
 * On any failure everything written is removed: nothing is half-stored.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CODE_VERSION } from '../core/config.js';
import { isSalescastError, SalescastError } from '../core/errors.js';
import type { IngestReport } from '../data/ingest/index.js';
import { SOURCE_NAMES, type SourceName } from '../data/schema.js';
import { datasetDir, tenantDir } from '../store/files.js';
import type { DatasetRow } from '../store/repositories/datasets.js';
import type { Store } from '../store/store.js';
import { appendAudit } from './audit-service.js';
import { actorOf, type Principal, type RequestContext, requirePermission } from './principal.js';
import { quotaExceeded, type UsageService } from './usage-service.js';

/** One uploaded file: its client-side name and its content stream. */
export interface UploadPart {
  filename: string;
  stream: Readable;
}

/** The ingestion entry point (`ingestSources` of `src/data/ingest`), injected for testability. */
export type IngestFn = (options: {
  sources: string;
  out: string;
  strict?: boolean;
}) => Promise<{ report: IngestReport }>;

export interface DatasetView {
  id: string;
  name: string;
  files: string[];
  rows: number;
  bytes: number;
  input_hash: string;
  code_version: string;
  created_by: string;
  created_at: string;
}

export interface DatasetService {
  upload(
    p: Principal,
    parts: AsyncIterable<UploadPart>,
    ctx: RequestContext,
    options?: { name?: string; strict?: boolean },
  ): Promise<DatasetView & { report: unknown }>;
  list(p: Principal, limit: number): Promise<DatasetView[]>;
  get(p: Principal, id: string): Promise<DatasetView & { report: unknown }>;
}

export interface DatasetDeps {
  store: Store;
  usage: UsageService;
  ingest: IngestFn;
  dataDir: string;
  maxFileBytes: number;
  maxFiles: number;
  now?: () => Date;
}

export const UPLOAD_EXTENSIONS = ['csv', 'parquet', 'json', 'ndjson', 'jsonl'] as const;
const FILE_NAME = /^([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9]{1,8})$/;
const PARQUET_MAGIC = 'PAR1';

function toView(r: DatasetRow): DatasetView {
  return {
    id: r.id,
    name: r.name,
    files: JSON.parse(r.files) as string[],
    rows: Number(r.rows),
    bytes: Number(r.bytes),
    input_hash: r.input_hash,
    code_version: r.code_version,
    created_by: r.created_by,
    created_at: r.created_at,
  };
}

/** The source a part's file name stands for (`sales.csv` → sales); throws naming the file. */
export function sourceOfFileName(filename: string): { source: SourceName; file: string } {
  const file = basename(filename.replaceAll('\\', '/'));
  const m = FILE_NAME.exec(file);
  const ext = m?.[2].toLowerCase();
  if (!m || !(UPLOAD_EXTENSIONS as readonly string[]).includes(ext ?? '')) {
    throw new SalescastError(
      'INVALID_ARGUMENT',
      `'${file}': a file must be named <source>.<${UPLOAD_EXTENSIONS.join('|')}>.`,
      { file },
    );
  }
  const source = m[1].toLowerCase();
  if (!(SOURCE_NAMES as readonly string[]).includes(source)) {
    throw new SalescastError(
      'INVALID_ARGUMENT',
      `'${file}' is not a known source; name files after one of: ${SOURCE_NAMES.join(', ')}.`,
      { file },
    );
  }
  return { source: source as SourceName, file: `${source}.${ext}` };
}

/** Checks the first bytes: Parquet must start with its magic; text formats must not hold NUL bytes. */
function checkContent(file: string, head: Buffer): void {
  if (head.length === 0) throw new SalescastError('SOURCE_EMPTY', `'${file}' is empty.`, { file });
  if (file.endsWith('.parquet')) {
    if (head.subarray(0, 4).toString('latin1') !== PARQUET_MAGIC) {
      throw new SalescastError('SOURCE_UNREADABLE', `'${file}' is not a Parquet file.`, { file });
    }
  } else if (head.includes(0)) {
    throw new SalescastError('SOURCE_UNREADABLE', `'${file}' is binary, not ${file.split('.').pop()} text.`, {
      file,
    });
  }
}

/** Streams one part to `target`, counting bytes and hashing; throws past `maxBytes`. */
async function receive(
  part: UploadPart,
  file: string,
  target: string,
  maxBytes: number,
  hash: ReturnType<typeof createHash>,
): Promise<number> {
  let bytes = 0;
  let head: Buffer | undefined;
  await pipeline(
    part.stream,
    async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        if (head === undefined) {
          head = chunk.subarray(0, 4096);
          checkContent(file, head);
        }
        bytes += chunk.length;
        if (bytes > maxBytes) {
          throw new SalescastError('PAYLOAD_TOO_LARGE', `'${file}' is larger than ${maxBytes} bytes.`, {
            file,
          });
        }
        hash.update(chunk);
        yield chunk;
      }
    },
    createWriteStream(target, { flags: 'wx' }),
  ).catch((e: unknown) => {
    // A failure of the part's own stream is the request's (a multipart body cut short), not ours.
    if (isSalescastError(e) || !part.stream.errored) throw e;
    throw new SalescastError(
      'SOURCE_UNREADABLE',
      `the upload is not well-formed multipart/form-data: '${file}' ends before its part does (${(e as Error).message}).`,
      { file },
    );
  });
  if (bytes === 0) checkContent(file, Buffer.alloc(0));
  return bytes;
}

/** Rewrites an ingestion error so it names the uploaded file, never a server path. */
function clientError(e: unknown, tmpRoot: string): unknown {
  if (!isSalescastError(e)) return e;
  const file = e.location.file ? basename(e.location.file) : undefined;
  const message = e.message
    .split(tmpRoot)
    .join('')
    // The staging folder of the parts is "the upload" to the client.
    .replaceAll(/ in \/?sources\/? /g, ' in the upload ')
    .replaceAll(/\/?sources\//g, '');
  return new SalescastError(e.code, message, { ...e.location, ...(file ? { file } : {}) }, e.details);
}

/** The report with the server's temporary paths cut down to the uploaded file names. */
function scrubPaths(report: IngestReport, dirs: readonly string[]): unknown {
  let text = JSON.stringify(report);
  for (const d of dirs) text = text.split(`${JSON.stringify(`${d}/`).slice(1, -1)}`).join('');
  return JSON.parse(text);
}

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += (await stat(join(e.parentPath, e.name))).size;
  }
  return total;
}

export function createDatasetService(deps: DatasetDeps): DatasetService {
  const now = deps.now ?? (() => new Date());
  const { store } = deps;

  return {
    async upload(p, parts, ctx, options = {}) {
      requirePermission(p, 'datasets:upload');
      const id = randomUUID();
      const tmpRoot = join(tenantDir(deps.dataDir, p.tenantId), 'tmp', `upload-${id}`);
      const srcDir = join(tmpRoot, 'sources');
      const outDir = join(tmpRoot, 'dataset');
      const finalDir = datasetDir(deps.dataDir, p.tenantId, id);
      await mkdir(srcDir, { recursive: true });
      const files: string[] = [];
      let stored = false;
      let reservedBytes = 0;
      try {
        const hash = createHash('sha256');
        const seen = new Set<SourceName>();
        let uploadBytes = 0;
        for await (const part of parts) {
          if (files.length >= deps.maxFiles) {
            part.stream.resume();
            throw new SalescastError(
              'INVALID_ARGUMENT',
              `An upload may hold at most ${deps.maxFiles} files.`,
            );
          }
          let named: { source: SourceName; file: string };
          try {
            named = sourceOfFileName(part.filename);
          } catch (e) {
            part.stream.resume();
            throw e;
          }
          if (seen.has(named.source)) {
            part.stream.resume();
            throw new SalescastError(
              'INVALID_ARGUMENT',
              `'${named.file}': source '${named.source}' was sent twice.`,
              {
                file: named.file,
              },
            );
          }
          seen.add(named.source);
          hash.update(`${named.file}\n`);
          uploadBytes += await receive(part, named.file, join(srcDir, named.file), deps.maxFileBytes, hash);
          files.push(named.file);
        }
        if (files.length === 0) {
          throw new SalescastError(
            'INVALID_ARGUMENT',
            'The upload holds no files; send one part per source file.',
          );
        }
        // Reserve the raw bytes against the storage quota before the (slow) ingestion.
        await deps.usage.add(p.tenantId, 'storage_bytes', uploadBytes);
        reservedBytes = uploadBytes;
        const ingested = await deps.ingest({ sources: srcDir, out: outDir, strict: options.strict });
        const seriesLimit = (await deps.usage.read(p.tenantId, 'total')).metrics.series.limit;
        if (ingested.report.panel.series > seriesLimit) {
          throw quotaExceeded('series', seriesLimit, ingested.report.panel.series);
        }
        const report = scrubPaths(ingested.report, [srcDir, outDir, tmpRoot]);
        await rename(srcDir, join(outDir, 'sources'));
        const bytes = await folderBytes(outDir);
        await mkdir(join(finalDir, '..'), { recursive: true });
        await rename(outDir, finalDir);
        stored = true;
        const row: Omit<DatasetRow, 'tenant_id'> = {
          id,
          name: options.name ?? `upload ${now().toISOString()}`,
          files: JSON.stringify(files),
          report: JSON.stringify(report),
          rows: ingested.report.panel.rows,
          bytes,
          input_hash: hash.digest('hex'),
          code_version: CODE_VERSION,
          created_by: actorOf(p),
          created_at: now().toISOString(),
        };
        await store.withTenant(p.tenantId, async (r) => {
          await deps.usage.addIn(r, 'storage_bytes', bytes - reservedBytes);
          await r.datasets.insert(row);
          await appendAudit(
            r,
            {
              actor: actorOf(p),
              action: 'dataset.upload',
              target: `dataset:${id}`,
              outcome: 'success',
              requestId: ctx.requestId,
              details: { files, bytes, rows: row.rows },
            },
            now(),
          );
        });
        return { ...toView({ ...row, tenant_id: p.tenantId }), report };
      } catch (e) {
        if (stored) await rm(finalDir, { recursive: true, force: true });
        if (reservedBytes > 0) await deps.usage.add(p.tenantId, 'storage_bytes', -reservedBytes);
        const err = clientError(e, tmpRoot);
        await store.withTenant(p.tenantId, (r) =>
          appendAudit(
            r,
            {
              actor: actorOf(p),
              action: 'dataset.upload',
              target: `dataset:${id}`,
              outcome: 'failure',
              requestId: ctx.requestId,
              details: {
                files,
                code: isSalescastError(err) ? err.code : 'INTERNAL',
                reason: isSalescastError(err) ? err.message : 'internal error',
              },
            },
            now(),
          ),
        );
        throw err;
      } finally {
        await rm(tmpRoot, { recursive: true, force: true });
      }
    },
    async list(p, limit) {
      requirePermission(p, 'datasets:view');
      return (await store.withTenant(p.tenantId, (r) => r.datasets.list(limit))).map(toView);
    },
    async get(p, id) {
      requirePermission(p, 'datasets:view');
      const row = await store.withTenant(p.tenantId, (r) => r.datasets.get(id));
      if (!row) throw new SalescastError('NOT_FOUND', `No dataset '${id}'.`);
      return { ...toView(row), report: JSON.parse(row.report) as unknown };
    },
  };
}
