import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { can, PERMISSIONS, ROLE_PERMISSIONS, ROLES, renderPermissionMatrix } from './permissions.js';

describe('permission matrix', () => {
  it('gives admin everything and each lower role a subset of the one above', () => {
    expect([...ROLE_PERMISSIONS.admin].sort()).toEqual(Object.keys(PERMISSIONS).sort());
    for (let i = 1; i < ROLES.length; i++) {
      for (const p of ROLE_PERMISSIONS[ROLES[i]])
        expect(can(ROLES[i - 1], p), `${ROLES[i - 1]} ⊇ ${ROLES[i]}: ${p}`).toBe(true);
    }
  });

  it('keeps user management, billing management and settings with admins only', () => {
    for (const p of ['users:manage', 'billing:manage', 'api-keys:manage', 'settings:manage'] as const) {
      expect(ROLES.filter((r) => can(r, p))).toEqual(['admin']);
    }
    expect(ROLES.filter((r) => can(r, 'audit:view'))).toEqual(['admin', 'manager']);
    expect(ROLES.filter((r) => can(r, 'models:promote'))).toEqual(['admin', 'manager']);
    expect(ROLES.filter((r) => can(r, 'datasets:upload'))).toEqual(['admin', 'manager', 'analyst']);
    expect(ROLES.filter((r) => can(r, 'forecasts:view'))).toEqual(['admin', 'manager', 'analyst', 'viewer']);
  });

  it('is documented in docs/PERMISSIONS.md exactly as defined', () => {
    expect(readFileSync('docs/PERMISSIONS.md', 'utf8')).toContain(renderPermissionMatrix());
  });
});
