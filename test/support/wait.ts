import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Waits until `check` returns a truthy value, re-checking every few ms.
 * For conditions with no event to await (a queue depth, a counter); fails
 * with `what` after `timeoutMs` instead of hanging the suite.
 */
export async function until<T>(check: () => T | Promise<T>, what: string, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}
