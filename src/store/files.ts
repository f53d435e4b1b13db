/**
 * Where each tenant's files live: `<dataDir>/tenants/<tenantId>/`, apart from every other
 * tenant's. Tenant ids are generated UUIDs; the check below keeps any other string from turning
 * into a path.
 */
import { join } from 'node:path';

const SAFE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The root folder of one tenant's files. */
export function tenantDir(dataDir: string, tenantId: string): string {
  if (!SAFE_ID.test(tenantId)) throw new Error(`unsafe tenant id for a path: '${tenantId}'`);
  return join(dataDir, 'tenants', tenantId);
}

/** The folder of one dataset of a tenant. */
export function datasetDir(dataDir: string, tenantId: string, datasetId: string): string {
  if (!SAFE_ID.test(datasetId)) throw new Error(`unsafe dataset id for a path: '${datasetId}'`);
  return join(tenantDir(dataDir, tenantId), 'datasets', datasetId);
}
