/**
 * The contract between the model registry and everything that serves a tenant's production model
 * (forecast, explain, what-if and decision routes). Serving asks for the production forecaster of
 * a registered model name; the registry answers with a deserialized forecaster, loaded once per
 * process and dropped when a promotion or rollback changes which version is in production.
 */
import { SalescastError } from '../core/errors.js';
import { Forecaster } from '../forecast/forecaster.js';
import type { Store } from '../store/store.js';

/** The registered model name used when a caller names none. */
export const DEFAULT_MODEL_NAME = 'default';

export interface ProductionModel {
  tenantId: string;
  /** Registered model name. */
  name: string;
  /** Registry version number (1, 2, …) now in production. */
  version: number;
  /** The fitted forecaster, with the history it was trained on (`forecaster.history`). */
  forecaster: Forecaster;
  /** The dataset the version was trained on, for lineage in responses; null when unknown. */
  datasetId: string | null;
}

export interface ModelChange {
  tenantId: string;
  name: string;
  /** The version now in production. */
  version: number;
}

export interface ProductionModels {
  /**
   * The production version of `name` (default `DEFAULT_MODEL_NAME`) for the tenant. Throws
   * `SalescastError('NOT_FOUND')` naming the model when the tenant has no production version.
   */
  get(tenantId: string, name?: string): Promise<ProductionModel>;
  /** Listens for promotions and rollbacks (so caches keyed by version can drop entries). */
  onChange(listener: (change: ModelChange) => void): () => void;
}

/** The registry-backed implementation, with `notify` for the registry to call after a change. */
export interface RegistryProductionModels extends ProductionModels {
  /** Tells this process's listeners that `change.version` is now in production. */
  notify(change: ModelChange): void;
  /** Entries held now (tests and metrics). */
  readonly cacheSize: number;
}

/**
 * Production models read from the registry. Each `get` asks the database which version is in
 * production (one indexed query), so a promotion or rollback made by any process is seen by the
 * next call, without a restart. Deserialized forecasters are kept in an LRU keyed by
 * tenant + name + version (an entry never goes stale: versions are immutable); concurrent first
 * loads of one version share one deserialization.
 */
export function createProductionModels(deps: {
  store: Store;
  /** Most forecasters held in memory; default 16. */
  maxEntries?: number;
}): RegistryProductionModels {
  const max = deps.maxEntries ?? 16;
  const cache = new Map<string, ProductionModel>();
  const loading = new Map<string, Promise<ProductionModel>>();
  const listeners = new Set<(change: ModelChange) => void>();

  const remember = (key: string, model: ProductionModel) => {
    cache.delete(key);
    cache.set(key, model);
    while (cache.size > max) cache.delete(cache.keys().next().value as string);
  };

  return {
    async get(tenantId, name = DEFAULT_MODEL_NAME) {
      const current = await deps.store.withTenant(tenantId, (r) => r.models.production(name));
      if (!current) {
        throw new SalescastError('NOT_FOUND', `No production version of model '${name}'.`, {
          field: 'model',
        });
      }
      const version = Number(current.version);
      const key = `${tenantId}\u0000${name}\u0000${version}`;
      const hit = cache.get(key);
      if (hit) {
        remember(key, hit);
        return hit;
      }
      let pending = loading.get(key);
      if (!pending) {
        pending = (async () => {
          const bytes = await deps.store.withTenant(tenantId, (r) => r.models.artifact(name, version));
          if (!bytes) throw new SalescastError('NOT_FOUND', `Model '${name}' has no version ${version}.`);
          const model: ProductionModel = {
            tenantId,
            name,
            version,
            forecaster: Forecaster.deserialize(bytes),
            datasetId: current.dataset_id,
          };
          remember(key, model);
          return model;
        })().finally(() => loading.delete(key));
        loading.set(key, pending);
      }
      return pending;
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    notify(change) {
      for (const listener of listeners) {
        try {
          listener(change);
        } catch {
          // A failing listener must not undo or hide a committed promotion.
        }
      }
    },
    get cacheSize() {
      return cache.size;
    },
  };
}
