/**
 * Password policy and hashing. Hashes are argon2id with OWASP's parameters (19 MiB, 2 passes,
 * 1 lane); tests may pass cheaper parameters through the platform config, never production.
 */
import { hash, verify } from '@node-rs/argon2';
import { SalescastError } from '../core/errors.js';

export interface Argon2Params {
  /** KiB of memory. */
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/** OWASP Password Storage Cheat Sheet: argon2id, m=19456 KiB, t=2, p=1. */
export const OWASP_ARGON2: Argon2Params = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/** Argon2id's algorithm id in @node-rs/argon2 (its `Algorithm` is a const enum). */
const ARGON2ID = 2;

export const MIN_PASSWORD_LENGTH = 12;
const MAX_PASSWORD_LENGTH = 256;

/**
 * Throws `WEAK_PASSWORD` unless the password has at least 12 characters from at least three of
 * the classes lowercase, uppercase, digit, other.
 */
export function checkPasswordPolicy(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
    throw new SalescastError(
      'WEAK_PASSWORD',
      `A password must have between ${MIN_PASSWORD_LENGTH} and ${MAX_PASSWORD_LENGTH} characters; this one has ${password.length}.`,
      { field: 'password' },
    );
  }
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  if (classes < 3) {
    throw new SalescastError(
      'WEAK_PASSWORD',
      'A password must mix at least three of: lowercase letters, uppercase letters, digits, other characters.',
      { field: 'password' },
    );
  }
}

export function hashPassword(password: string, params: Argon2Params): Promise<string> {
  return hash(password, { ...params, algorithm: ARGON2ID });
}

/** False for a wrong password or an unreadable hash; never throws. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}
