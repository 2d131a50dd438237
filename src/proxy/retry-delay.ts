import type { GateContext } from './gate-context.js';
import type { RefusalReason } from './reject.js';

/** First retry delay after an upstream refusal or failure at admission; doubles per attempt. */
export const RETRY_BASE_DELAY_MS = 50;

/**
 * The wait before re-admission attempt `attempt` (1-based): 50 ms doubling up to `maxDelayMs`,
 * shortened so that the last attempt lands exactly at `deadline` instead of giving up early.
 * Undefined once the deadline has passed: the client is answered (503 / ABORT with retry guidance).
 */
export function retryDelay(attempt: number, maxDelayMs: number, now: number, deadline: number): number | undefined {
  if (now >= deadline) return undefined;
  const grown = Math.min(maxDelayMs, RETRY_BASE_DELAY_MS * 2 ** Math.min(30, attempt - 1));
  return Math.min(grown, deadline - now);
}

/** Why an admitted HELLO-mode client (WebSocket peek or RawSocket) is tried again. */
export type HelloRetryKind = 'no_such_realm' | 'upstream_failed';

/** What a client whose retries ran out at its deadline is answered, per kind. */
export const RETRY_GIVE_UP = { no_such_realm: 'queue_timeout', upstream_failed: 'upstream_unavailable' } as const satisfies Record<HelloRetryKind, RefusalReason>;

/** Counts one retry of an admitted HELLO-mode client (the metric of its kind); call before anything else. */
export function countHelloRetry(ctx: Pick<GateContext, 'metrics'>, kind: HelloRetryKind, label: string): void {
  if (kind === 'no_such_realm') ctx.metrics.readmission(label);
  else ctx.metrics.upstreamRetry(label);
}

/**
 * The delay before retry `attempt` of a HELLO-mode client, noted in the aggregated warnings;
 * undefined when its deadline has passed (answer it with RETRY_GIVE_UP[kind]).
 */
export function nextHelloRetry(ctx: Pick<GateContext, 'config' | 'warnings'>, kind: HelloRetryKind, label: string, attempt: number, now: number, deadline: number): number | undefined {
  const delay = retryDelay(attempt, ctx.config.hello.readmitMaxDelayMs, now, deadline);
  ctx.warnings.note(kind === 'no_such_realm' ? 'readmitted' : 'upstream_retry', label, { readmissions: attempt, delayMs: delay });
  return delay;
}
