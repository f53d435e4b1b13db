import { describe, expect, it } from 'vitest';
import { checkWebhookUrl, forbiddenAddress } from './webhook-target.js';

describe('webhook targets', () => {
  it('classifies the addresses a webhook may not reach, and allows loopback and private ones', () => {
    expect(forbiddenAddress('169.254.169.254')).toBe('link-local (cloud metadata)');
    expect(forbiddenAddress('::ffff:169.254.169.254')).toBe('link-local (cloud metadata)');
    expect(forbiddenAddress('0.0.0.0')).toBe('unspecified');
    expect(forbiddenAddress('239.1.2.3')).toBe('multicast or reserved');
    expect(forbiddenAddress('::')).toBe('unspecified');
    expect(forbiddenAddress('fe80::1')).toBe('link-local');
    expect(forbiddenAddress('ff02::1')).toBe('multicast');
    for (const allowed of [
      '127.0.0.1',
      '10.0.0.8',
      '192.168.1.20',
      '203.0.113.7',
      '::1',
      'fd00::5',
      '2001:db8::1',
    ])
      expect(forbiddenAddress(allowed), allowed).toBeUndefined();
  });

  it('refuses URLs that are not http(s), carry credentials or point at a forbidden address', async () => {
    const refusal = (url: string) =>
      checkWebhookUrl(url).then(
        () => undefined,
        (e: Error) => e.message,
      );
    expect(await refusal('ftp://example.com/hook')).toBe('The webhook url must be http(s).');
    expect(await refusal('https://user:pw@example.com/hook')).toMatch(/must not carry credentials/);
    expect(await refusal('http://169.254.169.254/latest/meta-data')).toBe(
      'The webhook url points at 169.254.169.254, a link-local (cloud metadata) address, which may not receive webhooks.',
    );
    expect(await refusal('http://[fe80::1]:8080/hook')).toMatch(/points at fe80::1, a link-local address/);
    expect(await refusal('http://no-such-host.invalid/hook')).toBe(
      "The webhook host 'no-such-host.invalid' does not resolve.",
    );
    // localhost resolves to loopback, which a self-hosted installation may use.
    expect(await refusal('http://localhost:9000/hook')).toBeUndefined();
    expect(await refusal('http://127.0.0.1:22/')).toBeUndefined();
  });
});
