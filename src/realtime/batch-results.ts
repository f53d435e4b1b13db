/**
 * Where batch forecast jobs write their results, and their retention: a result is one folder per
 * job under the tenant's files, removed once older than the configured number of days, with the
 * leftovers of attempts that died before renaming their temporary folder.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { tenantDir } from '../store/files.js';

/** The result file's name inside the job's folder. */
export const RESULT_FILE = 'forecasts.ndjson';

const JOB_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The folder of one job's result: `<dataDir>/tenants/<tenant>/forecast-batches/<jobId>/`. */
export function resultDir(dataDir: string, tenantId: string, jobId: string): string {
  if (!JOB_ID.test(jobId)) throw new Error(`unsafe job id for a path: '${jobId}'`);
  return join(tenantDir(dataDir, tenantId), 'forecast-batches', jobId);
}

/**
 * Removes every tenant's batch results, and temporary leftovers, last written more than `days`
 * days before `nowMs`; returns how many folders went.
 */
export async function pruneBatchResults(dataDir: string, days: number, nowMs = Date.now()): Promise<number> {
  const tenants = join(dataDir, 'tenants');
  const maxAgeMs = days * 86_400_000;
  let removed = 0;
  for (const tenant of await readdir(tenants).catch(() => [])) {
    const batches = join(tenants, tenant, 'forecast-batches');
    for (const name of await readdir(batches).catch(() => [])) {
      const path = join(batches, name);
      // A folder's time is that of its last change: its result file being written.
      const written = (await stat(path).catch(() => undefined))?.mtimeMs;
      if (written !== undefined && nowMs - written > maxAgeMs) {
        await rm(path, { recursive: true, force: true });
        removed++;
      }
    }
  }
  return removed;
}
