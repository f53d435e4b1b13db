/**
 * The security headers of every response, in two fixed sets merged in one step each instead of a
 * middleware chain per request.
 *
 * Every answer gets the set OWASP's REST Security Cheat Sheet gives for APIs: no caching of
 * tenant data by browsers or proxies, no framing, no MIME sniffing, HTTPS only, and no
 * cross-origin reads. HTML pages (the Swagger UI at /docs) also get helmet's policies for
 * documents; on JSON they would do nothing but lengthen every answer. `frame-ancestors` is the only
 * Content-Security-Policy directive, so the Swagger UI's own scripts still run.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'content-security-policy': "frame-ancestors 'none'",
  'cross-origin-resource-policy': 'same-origin',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

/** Added to HTML pages only. */
export const PAGE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'cross-origin-opener-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};
