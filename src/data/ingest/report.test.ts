import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freshOut, withLines, writeSources } from '../../../test/fixtures/ingest-sources.js';
import { ingestSources } from './index.js';
import { MAX_LINES_LISTED } from './report.js';

describe('report and manifest', () => {
  it('gives the same manifest hash for the same sources, and another when a file changes', async () => {
    const dir = await writeSources();
    const a = await ingestSources({ sources: dir, out: await freshOut() });
    const b = await ingestSources({ sources: dir, out: await freshOut() });
    expect(b.manifest).toEqual(a.manifest);
    expect(a.manifest.manifest_hash).toMatch(/^[0-9a-f]{64}$/);
    await writeFile(join(dir, 'weather.csv'), `${withLines('weather.csv', 'south,2024-01-02,9,0')}\n`);
    const c = await ingestSources({ sources: dir, out: await freshOut() });
    expect(c.manifest.manifest_hash).not.toBe(a.manifest.manifest_hash);
  });

  it('records input hashes, schema version, counts and the date range, and writes it into report.json', async () => {
    const dir = await writeSources();
    const out = await freshOut();
    const r = await ingestSources({ sources: dir, out });
    const { createHash } = await import('node:crypto');
    const salesHash = createHash('sha256')
      .update(await readFile(join(dir, 'sales.csv')))
      .digest('hex');
    expect(r.manifest).toMatchObject({
      schema_version: 1,
      frequency: 'day',
      panel: {
        file: 'panel.parquet',
        rows: 16,
        series: 4,
        periods: 4,
        first_date: '2024-01-01',
        last_date: '2024-01-04',
      },
    });
    expect(r.manifest.sources.find((s) => s.source === 'sales')).toMatchObject({
      file: 'sales.csv',
      sha256: salesHash,
      rows_read: 13,
      rows_accepted: 13,
    });
    const onDisk = JSON.parse(await readFile(r.reportPath, 'utf8'));
    expect(onDisk.manifest).toEqual(r.manifest);
    expect(onDisk.sources.sales.rows_read).toBe(13);
  });

  it('lists at most MAX_LINES_LISTED lines per group and says when it truncates', async () => {
    const bad = Array.from({ length: MAX_LINES_LISTED + 5 }, (_, i) => `north,2025-01-01,${61 + i},0`);
    const r = await ingestSources({
      sources: await writeSources({ 'weather.csv': withLines('weather.csv', ...bad) }),
      out: await freshOut(),
    });
    const [group] = r.report.sources.weather.rejections;
    expect(group).toMatchObject({
      reason: 'out_of_range',
      column: 'temp_c',
      count: MAX_LINES_LISTED + 5,
      lines_truncated: true,
    });
    expect(group.lines).toHaveLength(MAX_LINES_LISTED);
    expect(group.lines.slice(0, 3)).toEqual([5, 6, 7]);
  });
});
