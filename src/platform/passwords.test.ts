import { describe, expect, it } from 'vitest';
import { checkPasswordPolicy, hashPassword, OWASP_ARGON2, verifyPassword } from './passwords.js';

describe('password policy', () => {
  it.each(['123', 'short-Pass1', 'alllowercaseletters', 'ALLUPPER-AND-SYMBOLS', 'x'.repeat(257)])(
    'refuses %s',
    (pw) => {
      expect(() => checkPasswordPolicy(pw)).toThrow(expect.objectContaining({ code: 'WEAK_PASSWORD' }));
    },
  );
  it.each(['Acme-Str0ng-Passw0rd!', 'lowerUPPER1234', 'correct horse Battery'])('accepts %s', (pw) => {
    expect(() => checkPasswordPolicy(pw)).not.toThrow();
  });
});

describe('password hashing', () => {
  it('uses argon2id with the OWASP parameters and verifies only the right password', async () => {
    const h = await hashPassword('Acme-Str0ng-Passw0rd!', OWASP_ARGON2);
    expect(h).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(h, 'Acme-Str0ng-Passw0rd!')).toBe(true);
    expect(await verifyPassword(h, 'Acme-Str0ng-Passw0rd?')).toBe(false);
    expect(await verifyPassword('not-a-hash', 'x')).toBe(false);
  });
});
