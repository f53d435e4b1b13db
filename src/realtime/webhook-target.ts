/**
 * Where a webhook may point. Alerts carry tenant data and the server makes the request, so a URL
 * must not turn the server against the network it runs in (server-side request forgery): no
 * link-local address (169.254.169.254 answers cloud metadata and credentials), no unspecified or
 * multicast one, whatever name resolves to it. Loopback and private addresses stay allowed: a
 * self-hosted installation delivers to its own services.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { SalescastError } from '../core/errors.js';

/** Why `address` (IPv4 or IPv6 text) may not receive webhooks, or undefined when it may. */
export function forbiddenAddress(address: string): string | undefined {
  const v4 = isIP(address) === 4 ? address : /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (v4) {
    const [a, b] = v4.split('.').map(Number);
    if (a === 169 && b === 254) return 'link-local (cloud metadata)';
    if (a === 0) return 'unspecified';
    if (a >= 224) return 'multicast or reserved';
    return undefined;
  }
  const v6 = address.toLowerCase();
  if (v6 === '::' || v6 === '::0') return 'unspecified';
  if (/^fe[89ab]/.test(v6)) return 'link-local';
  if (v6.startsWith('ff')) return 'multicast';
  return undefined;
}

/**
 * INVALID_ARGUMENT naming `url` unless it is an http(s) URL without credentials whose host
 * resolves only to addresses that may receive webhooks.
 */
export async function checkWebhookUrl(url: string): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SalescastError('INVALID_ARGUMENT', `The webhook url '${url}' is not a URL.`, { field: 'url' });
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new SalescastError('INVALID_ARGUMENT', 'The webhook url must be http(s).', { field: 'url' });
  }
  if (parsed.username || parsed.password) {
    throw new SalescastError(
      'INVALID_ARGUMENT',
      'The webhook url must not carry credentials: the signature authenticates each delivery.',
      { field: 'url' },
    );
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const addresses = isIP(host)
    ? [host]
    : await lookup(host, { all: true, verbatim: true }).then(
        (found) => found.map((a) => a.address),
        () => [],
      );
  if (addresses.length === 0) {
    throw new SalescastError('INVALID_ARGUMENT', `The webhook host '${host}' does not resolve.`, {
      field: 'url',
    });
  }
  for (const address of addresses) {
    const why = forbiddenAddress(address);
    if (why) {
      throw new SalescastError(
        'INVALID_ARGUMENT',
        `The webhook url points at ${address}, a ${why} address, which may not receive webhooks.`,
        { field: 'url' },
      );
    }
  }
}
