import type { HttpSourceConfig } from '../config/schema.js';
import { ErrorCodes, RealmgateError } from '../errors.js';
import { PollLoop } from './poll-loop.js';
import type { ReadinessSource, SourceContext, SourceSink } from './source.js';

/**
 * Any control plane: GET url → {"realms": {"realm1": true, "realm2": false}}.
 * Realms absent from an answer are unknown (= not ready). Each GET has a
 * deadline; a non-2xx status, a timeout or a malformed body is a failure.
 */
export function createHttpSource(cfg: HttpSourceConfig, name: string, ctx: SourceContext): ReadinessSource {
  let loop: PollLoop | undefined;
  let sink: SourceSink | undefined;

  async function poll(signal: AbortSignal): Promise<void> {
    // One controller per attempt, not AbortSignal.any(): on Node 20 every any() keeps a reference
    // in the long-lived loop signal, one per poll, forever (nodejs/node#55351).
    const attempt = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      attempt.abort();
    }, cfg.timeoutMs);
    const onStop = (): void => attempt.abort();
    signal.addEventListener('abort', onStop, { once: true });
    try {
      const res = await fetch(cfg.url, { headers: { accept: 'application/json', ...cfg.headers }, signal: attempt.signal });
      const text = await res.text();
      if (!res.ok) {
        throw new RealmgateError(ErrorCodes.SOURCE_FAILED, `GET ${cfg.url} answered HTTP ${res.status}`);
      }
      sink?.snapshot(parseAnswer(text, cfg.url));
    } catch (err) {
      if (signal.aborted) return;
      if (timedOut) {
        sink?.fail(new RealmgateError(ErrorCodes.SOURCE_TIMEOUT, `GET ${cfg.url} timed out after ${cfg.timeoutMs} ms`));
      } else if (err instanceof RealmgateError) {
        sink?.fail(err);
      } else {
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        const why = cause?.code ?? cause?.message ?? (err as Error).message;
        sink?.fail(new RealmgateError(ErrorCodes.SOURCE_FAILED, `GET ${cfg.url} failed: ${why}`, { cause: err }));
      }
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onStop);
    }
  }

  return {
    name,
    type: 'http',
    start(s) {
      sink = s;
      loop = new PollLoop({ clock: ctx.clock, intervalMs: cfg.intervalMs, attempt: poll });
      loop.start();
    },
    async close() {
      await loop?.close();
    },
    destroy() {
      void loop?.close();
    },
  };
}

/** Validates the control plane's answer; throws SOURCE_MALFORMED naming what is wrong. */
export function parseAnswer(text: string, url: string): Record<string, boolean> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new RealmgateError(ErrorCodes.SOURCE_MALFORMED, `GET ${url}: body is not JSON`);
  }
  const realms = (body as { realms?: unknown } | null)?.realms;
  if (realms === null || typeof realms !== 'object' || Array.isArray(realms)) {
    throw new RealmgateError(ErrorCodes.SOURCE_MALFORMED, `GET ${url}: expected {"realms": {"<realm>": true|false}}`);
  }
  const out: Record<string, boolean> = {};
  for (const [realm, ready] of Object.entries(realms)) {
    if (typeof ready !== 'boolean') {
      throw new RealmgateError(ErrorCodes.SOURCE_MALFORMED, `GET ${url}: realms["${realm}"] must be true or false`);
    }
    out[realm] = ready;
  }
  return out;
}
