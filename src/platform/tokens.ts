/**
 * Access tokens (JWT, HS256, signed with one server secret) and opaque refresh tokens / API keys.
 * The secret comes from SALESCAST_JWT_SECRET, else from `<dataDir>/jwt-secret`, generated once.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jwtVerify, SignJWT } from 'jose';
import { SalescastError } from '../core/errors.js';

export interface AccessClaims {
  /** User id. */
  sub: string;
  /** Tenant id. */
  tid: string;
  /** Session id, checked against the sessions table (at most once per principal-cache TTL). */
  sid: string;
  /** Expiry, seconds since the epoch (set on verified tokens). */
  exp?: number;
}

const ISSUER = 'salescast';
const MIN_SECRET_BYTES = 32;

/** Loads (or creates once, mode 0600) the signing secret. */
export function loadJwtSecret(dataDir: string, envSecret: string | undefined): Uint8Array {
  if (envSecret !== undefined && envSecret !== '') {
    const bytes = new TextEncoder().encode(envSecret);
    if (bytes.length < MIN_SECRET_BYTES) {
      throw new SalescastError(
        'INVALID_CONFIG',
        `SALESCAST_JWT_SECRET must have at least ${MIN_SECRET_BYTES} bytes.`,
      );
    }
    return bytes;
  }
  const file = join(dataDir, 'jwt-secret');
  try {
    return new Uint8Array(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48);
  try {
    // 'wx' fails if another process created it first; then we read theirs.
    writeFileSync(file, secret.toString('base64url'), { mode: 0o600, flag: 'wx' });
    return new Uint8Array(secret);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return new Uint8Array(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url'));
  }
}

export async function signAccessToken(
  claims: AccessClaims,
  secret: Uint8Array,
  ttlSeconds: number,
): Promise<string> {
  return new SignJWT({ tid: claims.tid, sid: claims.sid })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.sub)
    .setIssuer(ISSUER)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(secret);
}

/** The claims of a valid, unexpired token, or undefined. */
export async function verifyAccessToken(
  token: string,
  secret: Uint8Array,
): Promise<AccessClaims | undefined> {
  try {
    const { payload } = await jwtVerify(token, secret, { issuer: ISSUER, algorithms: ['HS256'] });
    if (
      typeof payload.sub !== 'string' ||
      typeof payload.tid !== 'string' ||
      typeof payload.sid !== 'string'
    ) {
      return undefined;
    }
    return { sub: payload.sub, tid: payload.tid, sid: payload.sid, exp: payload.exp };
  } catch {
    return undefined;
  }
}

/** A random opaque secret: 32 bytes, base64url. */
export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}
