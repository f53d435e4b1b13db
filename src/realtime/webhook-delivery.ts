/**
 * Webhook delivery: each alert is POSTed as JSON to the tenant's webhook URLs, signed with
 * HMAC-SHA256 over `<timestamp>.<body>` (the receiver recomputes it with the secret it was given
 * and rejects stale timestamps, which defeats replays), and retried with exponential backoff and
 * jitter on network errors, 429 and 5xx. Other 4xx answers are final: retrying cannot fix them.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-salescast-signature';
export const TIMESTAMP_HEADER = 'x-salescast-timestamp';
export const DELIVERY_HEADER = 'x-salescast-delivery';

/** `sha256=<hex>` of HMAC-SHA256(secret, `${timestamp}.${body}`). */
export function signPayload(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** What a receiver does: true when `signature` is the signature of the body at that timestamp. */
export function verifySignature(secret: string, timestamp: string, body: string, signature: string): boolean {
  const expected = Buffer.from(signPayload(secret, timestamp, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export interface RetryPolicy {
  /** Attempts in all, the first included; default 5. */
  readonly maxAttempts: number;
  /** Delay before the second attempt; doubled for each next one (± 20% jitter). Default 500 ms. */
  readonly baseDelayMs: number;
  /** Per-attempt timeout; default 5 s. */
  readonly timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 500, timeoutMs: 5000 };

export interface DeliveryOutcome {
  readonly delivered: boolean;
  readonly attempts: number;
  /** 'delivered' or 'failed: <last reason>'. */
  readonly status: string;
}

export interface WebhookTarget {
  readonly url: string;
  readonly secret: string;
}

/**
 * Sends `event` to `target`, retrying per `policy`. Resolves when delivered or given up (never
 * rejects); `signal` aborts the waiting between attempts (server shutdown).
 */
export async function deliver(
  target: WebhookTarget,
  eventType: string,
  event: unknown,
  policy: RetryPolicy = DEFAULT_RETRY,
  signal?: AbortSignal,
): Promise<DeliveryOutcome> {
  const body = JSON.stringify(event);
  const delivery = randomUUID();
  let reason = 'not attempted';
  for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
    if (signal?.aborted) break;
    const timestamp = String(Math.floor(Date.now() / 1000));
    try {
      const res = await fetch(target.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'salescast-webhooks',
          'x-salescast-event': eventType,
          [DELIVERY_HEADER]: delivery,
          [TIMESTAMP_HEADER]: timestamp,
          [SIGNATURE_HEADER]: signPayload(target.secret, timestamp, body),
        },
        body,
        // A redirect would send the alert somewhere the URL check never saw: it fails the attempt.
        redirect: 'manual',
        signal: AbortSignal.timeout(policy.timeoutMs),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return { delivered: true, attempts: attempt, status: 'delivered' };
      reason = `HTTP ${res.status}`;
      if (res.status < 500 && res.status !== 429 && res.status !== 408) {
        return { delivered: false, attempts: attempt, status: `failed: ${reason}` };
      }
    } catch (e) {
      reason = (e as Error).name === 'TimeoutError' ? 'timeout' : ((e as Error).message ?? 'network error');
    }
    if (attempt < policy.maxAttempts) {
      const delay = policy.baseDelayMs * 2 ** (attempt - 1) * (0.8 + 0.4 * Math.random());
      await sleep(delay, signal);
    }
  }
  return { delivered: false, attempts: policy.maxAttempts, status: `failed: ${reason}` };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
