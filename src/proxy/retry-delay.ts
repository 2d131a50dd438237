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
