/**
 * Process-level configuration: one place that reads the environment, so that every transport
 * (CLI, server, worker) resolves settings the same way.
 */
import { resolve } from 'node:path';

export const DEFAULT_DATA_DIR = './var';

/** The state folder: the `--data-dir` flag, else `SALESCAST_DATA_DIR`, else `./var`. */
export function resolveDataDir(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(flag ?? env.SALESCAST_DATA_DIR ?? DEFAULT_DATA_DIR);
}

/** The version stamped into lineage records (artifacts, manifests, reports). */
export const CODE_VERSION = '0.1.0';
