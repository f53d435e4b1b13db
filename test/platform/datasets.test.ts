/**
 * Uploads: streamed multipart parts named after their sources, ingested for real, read back;
 * rejected rows reported; bad names, content and columns refused naming the file; nothing is
 * half-stored on failure.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Caller,
  call,
  createTenant,
  DIALECTS,
  demoSources,
  type Harness,
  startHarness,
  upload,
} from './harness.js';

describe.each(DIALECTS)('datasets (%s)', (dialect) => {
  let h: Harness;
  let admin: Caller;
  const tenantFolder = () => join(h.config.dataDir, 'tenants', admin.tenantId);

  beforeAll(async () => {
    h = await startHarness(dialect);
    admin = await createTenant(h, 'Uploader');
  });
  afterAll(() => h.close());

  async function expectNothingStored(): Promise<void> {
    expect((await call(h, 'GET', '/v1/datasets', admin.token)).json().datasets).toEqual([]);
    expect(await readdir(join(tenantFolder(), 'tmp')).catch(() => [])).toEqual([]);
    expect(await readdir(join(tenantFolder(), 'datasets')).catch(() => [])).toEqual([]);
    expect((await call(h, 'GET', '/v1/usage', admin.token)).json().metrics.storage_bytes.used).toBe(0);
  }

  it.each([
    ['an unknown source name', [['orders.csv', 'a,b\n1,2\n']], 400, 'INVALID_ARGUMENT', 'orders.csv'],
    ['an unsupported extension', [['sales.exe', 'MZ']], 400, 'INVALID_ARGUMENT', 'sales.exe'],
    [
      'a binary "CSV"',
      [['sales.csv', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00])]],
      400,
      'SOURCE_UNREADABLE',
      'sales.csv',
    ],
    [
      'a fake Parquet file',
      [['sales.parquet', 'store_id,product_id\n']],
      400,
      'SOURCE_UNREADABLE',
      'sales.parquet',
    ],
    ['an empty file', [['sales.csv', '']], 400, 'SOURCE_EMPTY', 'sales.csv'],
  ] as const)('refuses %s naming the file, storing nothing', async (_what, files, status, code, file) => {
    const res = await upload(
      h,
      admin.token,
      files.map(([n, c]) => [n, c]),
    );
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({ code, file });
    expect(res.json().detail).toContain(file);
    await expectNothingStored();
  });

  it('names a required source the upload lacks, without a server path', async () => {
    const sales = demoSources().filter(([n]) => n === 'sales.csv');
    const res = await upload(h, admin.token, sales);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'SOURCE_NOT_FOUND', file: 'products.csv' });
    expect(res.json().detail).toBe(
      "products.csv: required source 'products' not found in the upload (expected products.csv, .parquet, .json, .ndjson or .jsonl)",
    );
    await expectNothingStored();
  });

  it('refuses a source sent twice and a file missing a required column', async () => {
    const twice = await upload(h, admin.token, [
      ['sales.csv', 'store_id,product_id,date,units\n'],
      ['SALES.csv', 'store_id,product_id,date,units\n'],
    ]);
    expect(twice.statusCode).toBe(400);
    expect(twice.json().detail).toMatch(/twice/);
    const sources = demoSources();
    const broken = sources.map(([n, c]): [string, string] =>
      n === 'products.csv' ? [n, c.replace('category,', 'kategorie,')] : [n, c],
    );
    const res = await upload(h, admin.token, broken);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'MISSING_COLUMN', file: 'products.csv' });
    expect(res.body).not.toContain(h.config.dataDir);
    await expectNothingStored();
  });

  it('refuses a request that is not multipart with 415', async () => {
    const res = await call(h, 'POST', '/v1/datasets', admin.token, { files: [] });
    expect(res.statusCode).toBe(415);
    expect(res.json().code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it.each([
    ['without a boundary', 'multipart/form-data', 'garbage'],
    [
      'cut short',
      'multipart/form-data; boundary=XYZ',
      '--XYZ\r\nContent-Disposition: form-data; name="file"; filename="sales.csv"\r\n\r\nstore_id',
    ],
  ])('refuses a multipart body %s with 400, storing nothing', async (_, type, body) => {
    const res = await call(h, 'POST', '/v1/datasets', admin.token, body, { 'content-type': type });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ code: 'SOURCE_UNREADABLE' });
    expect(res.json().detail).toMatch(/the upload is not well-formed multipart\/form-data: /);
    await expectNothingStored();
  });

  it('ingests an upload, reports rejected rows and reads it back', async () => {
    const files = demoSources().map(([n, c]): [string, string] =>
      n === 'sales.csv' ? [n, `${c}S999,P999,not-a-date,-5\n`] : [n, c],
    );
    const res = await upload(h, admin.token, files);
    expect(res.statusCode).toBe(201);
    const ds = res.json();
    expect([...ds.files].sort()).toEqual(files.map(([n]) => n).sort());
    expect(ds.report.rows_rejected).toBeGreaterThanOrEqual(1);
    const lastLine = files
      .find(([n]) => n === 'sales.csv')![1]
      .trim()
      .split('\n').length;
    const salesRejections = ds.report.sources.sales.rejections.flatMap((g: { lines: number[] }) => g.lines);
    expect(salesRejections).toContain(lastLine);
    expect(ds.rows).toBe(ds.report.panel.rows);
    expect(ds.rows).toBe(2 * 28);
    expect(ds.input_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(ds.report)).not.toContain(h.config.dataDir);

    const got = await call(h, 'GET', `/v1/datasets/${ds.id}`, admin.token);
    expect(got.statusCode).toBe(200);
    expect(got.json()).toEqual(ds);
    const list = (await call(h, 'GET', '/v1/datasets', admin.token)).json().datasets;
    expect(list.map((d: { id: string }) => d.id)).toEqual([ds.id]);
    const stored = await readdir(join(tenantFolder(), 'datasets', ds.id));
    expect(stored.sort()).toEqual(['panel.parquet', 'report.json', 'sources']);
    const usage = (await call(h, 'GET', '/v1/usage', admin.token)).json();
    expect(usage.metrics.storage_bytes.used).toBe(ds.bytes);
    expect(ds.bytes).toBeGreaterThan(0);
    expect((await call(h, 'GET', '/v1/datasets/nope', admin.token)).statusCode).toBe(404);
    const audit = (await call(h, 'GET', '/v1/audit?action=dataset.upload', admin.token)).json().entries;
    expect(
      audit.map((e: { outcome: string }) => e.outcome).filter((o: string) => o === 'success'),
    ).toHaveLength(1);
  });
});
