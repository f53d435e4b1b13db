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

export interface Database {
  tenants: TenantsTable;
  users: UsersTable;
  sessions: SessionsTable;
  api_keys: ApiKeysTable;
  usage_counters: UsageCountersTable;
  audit_log: AuditLogTable;
  datasets: DatasetsTable;
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
] as const satisfies readonly (keyof Database)[];
