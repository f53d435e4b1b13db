import { describe, expect, it } from 'vitest';
import { signPayload, verifySignature } from './webhook-delivery.js';

describe('webhook signatures', () => {
  it('is HMAC-SHA256 over "<timestamp>.<body>" (a known vector)', () => {
    // printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
    expect(signPayload('whsec_test', '1700000000', '{"a":1}')).toBe(
      'sha256=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789',
    );
  });
  it('verifies only the same secret, timestamp and body', () => {
    const sig = signPayload('s3cret', '1', 'body');
    expect(verifySignature('s3cret', '1', 'body', sig)).toBe(true);
    expect(verifySignature('other', '1', 'body', sig)).toBe(false);
    expect(verifySignature('s3cret', '2', 'body', sig)).toBe(false);
    expect(verifySignature('s3cret', '1', 'body!', sig)).toBe(false);
    expect(verifySignature('s3cret', '1', 'body', 'sha256=00')).toBe(false);
  });
});
