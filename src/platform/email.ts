/**
 * A strict email format: ASCII local part of letters, digits and `._%+-`, a dotted domain with a
 * letter TLD. Stricter than RFC 5322 on purpose: quotes, spaces, semicolons and parentheses are
 * never needed in a login and are what injection payloads are made of.
 */
import { SalescastError } from '../core/errors.js';

export const EMAIL_PATTERN =
  '^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.[A-Za-z]{2,24}$';
const EMAIL_RE = new RegExp(EMAIL_PATTERN);
export const MAX_EMAIL_LENGTH = 254;

/** The email, lowercased; throws `INVALID_ARGUMENT` naming the field if it is not an email. */
export function normalizeEmail(email: string, field = 'email'): string {
  if (email.length > MAX_EMAIL_LENGTH || !EMAIL_RE.test(email)) {
    throw new SalescastError(
      'INVALID_ARGUMENT',
      `'${field}' must be an email address like name@example.com.`,
      {
        field,
      },
    );
  }
  return email.toLowerCase();
}
