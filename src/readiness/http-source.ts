import type { HttpSourceConfig } from '../config/schema.js';
import { ErrorCodes, RealmgateError } from '../errors.js';
import { redactText, redactUrl } from '../redact.js';
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
  // Errors reach /status and logs: they name the URL without its userinfo or query values.
  const shown = redactUrl(cfg.url);
  const { url, headers } = requestFor(cfg);

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
      const res = await fetch(url, { headers, signal: attempt.signal });
      const text = await readCapped(res, MAX_ANSWER_BYTES, shown);
      if (!res.ok) {
        throw new RealmgateError(ErrorCodes.SOURCE_FAILED, `GET ${shown} answered HTTP ${res.status}`);
      }
      sink?.snapshot(parseAnswer(text, shown));
    } catch (err) {
      if (signal.aborted) return;
      if (timedOut) {
        sink?.fail(new RealmgateError(ErrorCodes.SOURCE_TIMEOUT, `GET ${shown} timed out after ${cfg.timeoutMs} ms`));
      } else if (err instanceof RealmgateError) {
        sink?.fail(err);
      } else {
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        const why = cause?.code ?? cause?.message ?? (err as Error).message;
        sink?.fail(new RealmgateError(ErrorCodes.SOURCE_FAILED, `GET ${shown} failed: ${redactText(why)}`, { cause: err }));
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

/** A realm map of 10,000 realms is ~300 KB: an answer beyond this is not a realm map. */
const MAX_ANSWER_BYTES = 1024 * 1024;

/** The body as text, refusing (SOURCE_MALFORMED) past `max` bytes instead of buffering it all. */
async function readCapped(res: Response, max: number, shown: string): Promise<string> {
  if (res.body === null) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > max) throw new RealmgateError(ErrorCodes.SOURCE_MALFORMED, `GET ${shown}: answer larger than ${max} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * fetch() refuses a URL with userinfo (and would quote it in the error): credentials in the URL
 * become a Basic Authorization header instead, unless the config sets one itself.
 */
function requestFor(cfg: HttpSourceConfig): { url: string; headers: Record<string, string> } {
  const headers: Record<string, string> = { accept: 'application/json', ...cfg.headers };
  const u = new URL(cfg.url);
  if (u.username === '' && u.password === '') return { url: cfg.url, headers };
  const basic = Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64');
  u.username = '';
  u.password = '';
  if (!Object.keys(headers).some((h) => h.toLowerCase() === 'authorization')) headers.authorization = `Basic ${basic}`;
  return { url: u.toString(), headers };
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
      // The key is the control plane's: quoted and cut, so it can neither forge nor flood a log line.
      throw new RealmgateError(ErrorCodes.SOURCE_MALFORMED, `GET ${url}: realms[${JSON.stringify(realm.slice(0, 100))}${realm.length > 100 ? '…' : ''}] must be true or false`);
    }
    out[realm] = ready;
  }
  return out;
}
