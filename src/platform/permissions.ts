/**
 * Roles and what each may do, as data: routes and services ask `can(role, permission)` and
 * docs/PERMISSIONS.md is checked against `renderPermissionMatrix()`, so the matrix has one source.
 */

export const ROLES = ['admin', 'manager', 'analyst', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** Every permission, with the sentence the docs show for it. */
export const PERMISSIONS = {
  'forecasts:view': 'View forecasts, runs, models and explanations',
  'datasets:view': 'List and read datasets and their ingestion reports',
  'datasets:upload': 'Upload data (create datasets)',
  'models:train': 'Start training and backtest runs',
  'models:promote': 'Promote a model to production',
  'models:rollback': 'Roll back to an earlier model',
  'usage:view': 'Read usage counters and quotas',
  'users:manage': 'Create users, change their roles, disable them',
  'api-keys:manage': 'Create, list and revoke API keys',
  'billing:view': 'Read invoices',
  'billing:manage': 'Manage billing (plan, payment details)',
  'settings:manage': 'Change tenant settings such as branding',
  'audit:view': 'Read, verify and report on the audit trail',
  'alerts:acknowledge': 'Acknowledge real-time alerts',
} as const;
export type Permission = keyof typeof PERMISSIONS;

const ALL = Object.keys(PERMISSIONS) as Permission[];

/** The matrix itself: each role's permissions. */
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  admin: ALL,
  manager: [
    'forecasts:view',
    'datasets:view',
    'datasets:upload',
    'models:train',
    'models:promote',
    'models:rollback',
    'usage:view',
    'billing:view',
    'audit:view',
    'alerts:acknowledge',
  ],
  analyst: [
    'forecasts:view',
    'datasets:view',
    'datasets:upload',
    'models:train',
    'usage:view',
    'alerts:acknowledge',
  ],
  viewer: ['forecasts:view', 'datasets:view', 'usage:view'],
};

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function can(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

/** The matrix as a Markdown table (permission × role), as docs/PERMISSIONS.md shows it. */
export function renderPermissionMatrix(): string {
  const header = `| permission | ${ROLES.join(' | ')} |`;
  const rule = `|---|${ROLES.map(() => ':-:').join('|')}|`;
  const rows = ALL.map(
    (p) => `| \`${p}\`: ${PERMISSIONS[p]} | ${ROLES.map((r) => (can(r, p) ? 'yes' : '—')).join(' | ')} |`,
  );
  return [header, rule, ...rows].join('\n');
}
