/**
 * The model registry of one tenant: registered names, their immutable versions and the history of
 * stage changes. Only `stage` of a version ever changes (the schema enforces it); artifacts are
 * read apart from the rest so that listings never carry them.
 */
import type { Kysely } from 'kysely';
import type {
  Database,
  ModelStageHistoryTable,
  ModelVersionsTable,
  RegisteredModelsTable,
} from '../schema.js';

export type RegisteredModelRow = RegisteredModelsTable;
export type ModelVersionRow = ModelVersionsTable;
/** A version without its artifact bytes. */
export type ModelVersionMeta = Omit<ModelVersionRow, 'artifact'>;
export type StageChangeRow = ModelStageHistoryTable;

export interface ModelRepo {
  /**
   * Hands out the next version number of `name`, creating the registered model at 0 when it is new
   * (`created` says so). The row update also serialises concurrent registrations and stage changes
   * of one name (PostgreSQL row lock; SQLite has a single writer).
   */
  nextVersion(name: string, actor: string, at: string): Promise<{ version: number; created: boolean }>;
  /** Locks the registered model for the rest of the transaction; false when it does not exist. */
  lock(name: string, at: string): Promise<boolean>;
  insertVersion(row: Omit<ModelVersionRow, 'tenant_id'>): Promise<void>;
  setStage(name: string, version: number, stage: string): Promise<void>;
  appendHistory(row: Omit<StageChangeRow, 'tenant_id' | 'seq'>): Promise<void>;
  listModels(): Promise<RegisteredModelRow[]>;
  getModel(name: string): Promise<RegisteredModelRow | undefined>;
  /** Versions of `name`, newest first, without artifacts. */
  listVersions(name: string): Promise<ModelVersionMeta[]>;
  getVersion(name: string, version: number): Promise<ModelVersionMeta | undefined>;
  /** The production version of `name` (index `model_versions_one_production`), without artifact. */
  production(name: string): Promise<ModelVersionMeta | undefined>;
  /** Production versions of every name. */
  productions(): Promise<ModelVersionMeta[]>;
  artifact(name: string, version: number): Promise<Uint8Array | undefined>;
  /** Stage changes of `name`, oldest first. */
  history(name: string): Promise<StageChangeRow[]>;
}

const META_COLUMNS = [
  'id',
  'tenant_id',
  'model_name',
  'version',
  'stage',
  'artifact_bytes',
  'artifact_sha256',
  'metrics',
  'hyperparameters',
  'run_id',
  'dataset_id',
  'input_hash',
  'code_version',
  'created_by',
  'created_at',
] as const;

export function modelRepo(db: Kysely<Database>, tenantId: string): ModelRepo {
  const versions = () =>
    db.selectFrom('model_versions').select(META_COLUMNS).where('tenant_id', '=', tenantId);
  return {
    async nextVersion(name, actor, at) {
      const inserted = await db
        .insertInto('registered_models')
        .values({
          tenant_id: tenantId,
          name,
          latest_version: 0,
          created_by: actor,
          created_at: at,
          updated_at: at,
        })
        .onConflict((oc) => oc.columns(['tenant_id', 'name']).doNothing())
        .executeTakeFirst();
      const row = await db
        .updateTable('registered_models')
        .set((eb) => ({ latest_version: eb('latest_version', '+', 1), updated_at: at }))
        .where('tenant_id', '=', tenantId)
        .where('name', '=', name)
        .returning('latest_version')
        .executeTakeFirstOrThrow();
      return {
        version: Number(row.latest_version),
        created: Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0,
      };
    },
    async lock(name, at) {
      const r = await db
        .updateTable('registered_models')
        .set({ updated_at: at })
        .where('tenant_id', '=', tenantId)
        .where('name', '=', name)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async insertVersion(row) {
      await db
        .insertInto('model_versions')
        .values({ ...row, tenant_id: tenantId })
        .execute();
    },
    async setStage(name, version, stage) {
      await db
        .updateTable('model_versions')
        .set({ stage })
        .where('tenant_id', '=', tenantId)
        .where('model_name', '=', name)
        .where('version', '=', version)
        .execute();
    },
    async appendHistory(row) {
      const last = await db
        .selectFrom('model_stage_history')
        .select((eb) => eb.fn.max<number>('seq').as('seq'))
        .where('tenant_id', '=', tenantId)
        .where('model_name', '=', row.model_name)
        .executeTakeFirst();
      await db
        .insertInto('model_stage_history')
        .values({ ...row, tenant_id: tenantId, seq: Number(last?.seq ?? 0) + 1 })
        .execute();
    },
    listModels: () =>
      db
        .selectFrom('registered_models')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .orderBy('name')
        .execute(),
    getModel: (name) =>
      db
        .selectFrom('registered_models')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('name', '=', name)
        .executeTakeFirst(),
    listVersions: (name) => versions().where('model_name', '=', name).orderBy('version', 'desc').execute(),
    getVersion: (name, version) =>
      versions().where('model_name', '=', name).where('version', '=', version).executeTakeFirst(),
    production: (name) =>
      versions().where('model_name', '=', name).where('stage', '=', 'production').executeTakeFirst(),
    productions: () => versions().where('stage', '=', 'production').orderBy('model_name').execute(),
    async artifact(name, version) {
      const row = await db
        .selectFrom('model_versions')
        .select('artifact')
        .where('tenant_id', '=', tenantId)
        .where('model_name', '=', name)
        .where('version', '=', version)
        .executeTakeFirst();
      return row ? new Uint8Array(row.artifact) : undefined;
    },
    history: (name) =>
      db
        .selectFrom('model_stage_history')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('model_name', '=', name)
        .orderBy('seq')
        .execute(),
  };
}
