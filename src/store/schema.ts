/**
 * The typed shape of every table the platform owns. One interface serves SQLite and PostgreSQL:
 * times are ISO 8601 UTC strings, JSON documents are text, flags are 0/1 integers, so both dialects
 * store and return the same values.
 */
import type { ColumnType } from 'kysely';

/** A JSON document stored as text. */
type JsonText = string;

export interface TenantsTable {
  id: string;
  name: string;
  plan: string;
  /** 'active' | 'suspended'. */
  status: string;
  /** Per-tenant quota limits that replace the plan's (JSON object metric → limit). */
  quota_overrides: JsonText;
  /** White-label branding (JSON: name, logo_url, colors). */
  branding: JsonText;
  /** Sequence number of the last audit entry: the head of the tenant's hash chain. */
  audit_seq: number;
  /** Hash of the last audit entry ('' before the first). */
  audit_head: string;
  created_at: string;
  updated_at: string;
}

export interface UsersTable {
  id: string;
  tenant_id: string;
  email: string;
  password_hash: string;
  role: string;
  /** 1 for a platform super-admin, who may create, list and suspend tenants. */
  platform_admin: number;
  /** 'active' | 'disabled'. */
  status: string;
  created_at: string;
  updated_at: string;
}

export interface SessionsTable {
  id: string;
  tenant_id: string;
  user_id: string;
  /** SHA-256 (hex) of the current refresh token; rotated on every refresh. */
  refresh_hash: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
  refreshed_at: string | null;
}

export interface ApiKeysTable {
  id: string;
  tenant_id: string;
  name: string;
  role: string;
  /** SHA-256 (hex) of the whole key; the key itself is shown once and never stored. */
  key_hash: string;
  /** The first characters of the key, so a user can recognise it in a list. */
  prefix: string;
  created_by: string;
  created_at: string;
  revoked_at: string | null;
}

export interface UsageCountersTable {
  tenant_id: string;
  /** 'YYYY-MM' for monthly metrics, 'total' for stock metrics (stored bytes, models, series). */
  period: string;
  metric: string;
  value: ColumnType<number, number, number>;
}

export interface AuditLogTable {
  tenant_id: string;
  /** 1-based position in the tenant's chain. */
  seq: number;
  id: string;
  at: string;
  actor: string;
  action: string;
  target: string;
  request_id: string;
  /** 'success' | 'failure' | 'denied'. */
  outcome: string;
  details: JsonText;
  prev_hash: string;
  hash: string;
}

export interface DatasetsTable {
  id: string;
  tenant_id: string;
  name: string;
  /** File names that were uploaded, JSON array. */
  files: JsonText;
  /** The ingestion report, JSON. */
  report: JsonText;
  rows: number;
  bytes: number;
  /** SHA-256 over the uploaded files (lineage). */
  input_hash: string;
  code_version: string;
  created_by: string;
  created_at: string;
}

/** A durable job (issue 6): the system of record for status, attempts, lease and result. */
export interface JobsTable {
  id: string;
  tenant_id: string;
  /** 'retrain' | 'monitor'. */
  kind: string;
  payload: JsonText;
  /** 'queued' | 'running' | 'succeeded' | 'failed'. */
  status: string;
  attempts: number;
  max_attempts: number;
  /** Unique per tenant when set: a schedule tick or trigger enqueues once. */
  idempotency_key: string | null;
  /** Worker that holds the job while running, and until when (renewed by heartbeats). */
  lease_owner: string | null;
  lease_expires_at: string | null;
  heartbeat_at: string | null;
  /** Not claimed before this time (retry backoff). */
  run_after: string;
  created_by: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  result: JsonText | null;
  error: JsonText | null;
}

export interface JobLogsTable {
  tenant_id: string;
  job_id: string;
  seq: number;
  at: string;
  attempt: number;
  /** 'info' | 'warn' | 'error'. */
  level: string;
  message: string;
}

export interface SchedulesTable {
  id: string;
  tenant_id: string;
  name: string;
  /** 'cron' | 'decay' | 'drift'. */
  trigger: string;
  /** The job it starts: 'retrain', or 'monitor' (cron only). */
  job: string;
  /** Cron expression (trigger 'cron' only). */
  cron: string | null;
  timezone: string;
  /** The job's payload template, JSON. */
  payload: JsonText;
  enabled: number;
  /** Next due tick (cron only); claimed by compare-and-set so one process enqueues it. */
  next_run_at: string | null;
  last_run_at: string | null;
  last_job_id: string | null;
  created_by: string;
  created_at: string;
}

export interface MonitoringReportsTable {
  id: string;
  tenant_id: string;
  model_name: string;
  model_version: number;
  dataset_id: string;
  /** Worst feature status: 'ok' | 'warn' | 'drift'. */
  drift_status: string;
  decayed: number;
  expected_wape: number | null;
  realized_wape: number | null;
  /** The whole report (drift per feature, decay per period), JSON. */
  report: JsonText;
  triggered_job_id: string | null;
  created_at: string;
}

export interface MlopsSettingsTable {
  tenant_id: string;
  auto_promote: number;
  decay_margin: number;
  decay_periods: number;
  decay_period_days: number;
  updated_by: string;
  updated_at: string;
}

export interface ExperimentRunsTable {
  id: string;
  tenant_id: string;
  /** 'train' | 'backtest' | 'retrain'. */
  kind: string;
  /** 'succeeded' | 'failed'. */
  status: string;
  /** The registered model a training run registers into; null for a backtest. */
  model_name: string | null;
  /** Training parameters, JSON. */
  params: JsonText;
  dataset_id: string | null;
  /** SHA-256 of the dataset's uploaded files (the dataset's own `input_hash`). */
  input_hash: string;
  /** Drivers and feature settings the model saw, JSON. */
  features: JsonText;
  code_version: string;
  /** Per-fold and aggregate backtest metrics, JSON. */
  metrics: JsonText;
  /** Why a failed run failed. */
  error: string | null;
  /** `model:<name>@<version>` for a run that registered a version. */
  artifact_ref: string | null;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
  created_by: string;
}

export interface RegisteredModelsTable {
  tenant_id: string;
  name: string;
  /** The last version number handed out (versions are numbered 1, 2, … per name). */
  latest_version: number;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface ModelVersionsTable {
  id: string;
  tenant_id: string;
  model_name: string;
  version: number;
  /** 'staging' | 'production' | 'archived'; the only column that ever changes. */
  stage: string;
  /** The serialized Forecaster. */
  artifact: Uint8Array;
  artifact_bytes: number;
  artifact_sha256: string;
  metrics: JsonText;
  hyperparameters: JsonText;
  run_id: string | null;
  dataset_id: string | null;
  input_hash: string;
  code_version: string;
  created_by: string;
  created_at: string;
}

export interface ModelStageHistoryTable {
  id: string;
  tenant_id: string;
  model_name: string;
  version: number;
  /** Null when the version was registered. */
  from_stage: string | null;
  to_stage: string;
  actor: string;
  reason: string;
  /** The metrics that justified the change, JSON. */
  metrics: JsonText;
  at: string;
  seq: number;
}

/** A streamed actual (y set) or event (drivers only) of one series and date (issue 7). */
export interface StreamRecordsTable {
  tenant_id: string;
  series_id: string;
  /** 'YYYY-MM-DD'. */
  date: string;
  y: number | null;
  /** Driver values of the record, JSON object. */
  drivers: JsonText;
  received_at: string;
}

export interface AlertsTable {
  id: string;
  tenant_id: string;
  /** kind|series|date: a repeat of the same finding updates this row. */
  dedup_key: string;
  /** 'actual_spike' | 'actual_drop' | 'forecast_spike' | 'forecast_drop'. */
  kind: string;
  /** 'minor' | 'major' | 'critical'. */
  severity: string;
  series_id: string;
  date: string;
  /** `<name>@<version>` of the production model that judged it. */
  model: string;
  value: number;
  expected: number;
  score: number;
  message: string;
  occurrences: number;
  /** 'open' | 'acknowledged'. */
  status: string;
  first_seen_at: string;
  last_seen_at: string;
  acknowledged_by: string | null;
  acknowledged_at: string | null;
}

export interface WebhooksTable {
  id: string;
  tenant_id: string;
  url: string;
  /** HMAC-SHA256 key of the signatures (shown once at creation). */
  secret: string;
  /** Alerts below this severity are not sent. */
  min_severity: string;
  created_by: string;
  created_at: string;
  /** 'delivered' | 'failed: <reason>' of the last delivery. */
  last_status: string | null;
  last_delivery_at: string | null;
}

export interface Database {
  tenants: TenantsTable;
  users: UsersTable;
  sessions: SessionsTable;
  api_keys: ApiKeysTable;
  usage_counters: UsageCountersTable;
  audit_log: AuditLogTable;
  datasets: DatasetsTable;
  experiment_runs: ExperimentRunsTable;
  registered_models: RegisteredModelsTable;
  model_versions: ModelVersionsTable;
  model_stage_history: ModelStageHistoryTable;
  jobs: JobsTable;
  job_logs: JobLogsTable;
  schedules: SchedulesTable;
  monitoring_reports: MonitoringReportsTable;
  mlops_settings: MlopsSettingsTable;
  stream_records: StreamRecordsTable;
  alerts: AlertsTable;
  webhooks: WebhooksTable;
}

/** Tables that carry tenant data; each one has row-level security in PostgreSQL. */
export const TENANT_TABLES = [
  'tenants',
  'users',
  'sessions',
  'api_keys',
  'usage_counters',
  'audit_log',
  'datasets',
  'experiment_runs',
  'registered_models',
  'model_versions',
  'model_stage_history',
  'jobs',
  'job_logs',
  'schedules',
  'monitoring_reports',
  'mlops_settings',
  'stream_records',
  'alerts',
  'webhooks',
] as const satisfies readonly (keyof Database)[];
