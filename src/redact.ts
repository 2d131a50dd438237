/**
 * Redaction of secrets that ride inside URLs and free text: userinfo (`http://user:pass@host`),
 * query values (`?token=…`, `?ticket=…`) and fragments (`#access_token=…`). One function,
 * `redactUrl()`, is used for everything the gate shows: /status, the start log line, source
 * errors, `check-config`, debug lines with a client's request target. The logger also runs
 * `redactText()` over every line, so a URL that reaches a log through another path (an error
 * message quoting it) is caught as well.
 *
 * Query *names* are kept (they help debugging: `?realm=[redacted]&token=[redacted]`) when they
 * look like ordinary parameter names; a bare or odd-looking key could itself be the secret
 * (`/ws?3f9a…`) and is replaced too.
 */

export const REDACTED = '[redacted]';

const PLAIN_KEY = /^[A-Za-z0-9_.\-[\]]{1,40}$/;

function redactQuery(search: string): string {
  // search starts with '?'. Split by hand: URLSearchParams would re-encode what it keeps.
  if (search.length <= 1) return search;
  const parts = search.slice(1).split('&').map((p) => {
    if (p === '') return p;
    const eq = p.indexOf('=');
    if (eq <= 0) return REDACTED;
    const key = p.slice(0, eq);
    return `${PLAIN_KEY.test(key) ? key : REDACTED}=${REDACTED}`;
  });
  return `?${parts.join('&')}`;
}

/**
 * `u` with userinfo, every query value and any fragment replaced by `[redacted]`. Takes an
 * absolute URL or a request target (`/ws?ticket=…`). Returns `u` unchanged (same string) when
 * there is nothing to hide, so ordinary URLs keep their exact spelling.
 */
export function redactUrl(u: string): string {
  if (!/[@?#]/.test(u)) return u;
  const relative = u.startsWith('/') && !u.startsWith('//');
  let url: URL;
  try {
    url = new URL(u, relative ? 'http://relative.invalid' : undefined);
  } catch {
    return redactUnparsed(u);
  }
  const hasUserinfo = url.username !== '' || url.password !== '';
  if (!hasUserinfo && url.search === '' && url.hash === '') return u;
  const search = redactQuery(url.search);
  const hash = url.hash === '' ? '' : `#${REDACTED}`;
  if (relative) return `${url.pathname}${search}${hash}`;
  // Rebuilt by hand: assigning `[redacted]` to URL#username would percent-encode the brackets.
  const userinfo = hasUserinfo ? `${REDACTED}@` : '';
  const authority = url.host === '' ? '' : `//${userinfo}${url.host}`;
  return `${url.protocol}${authority}${url.pathname}${search}${hash}`;
}

/** Not a URL the WHATWG parser takes: cut everything after `?`/`#` and anything before an `@`. */
function redactUnparsed(u: string): string {
  const cut = u.search(/[?#]/);
  let head = cut === -1 ? u : u.slice(0, cut);
  const at = head.lastIndexOf('@');
  if (at !== -1) {
    const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(head)?.[0] ?? '';
    head = `${scheme}${REDACTED}@${head.slice(at + 1)}`;
  }
  return cut === -1 ? head : `${head}${u[cut] === '?' ? '?' : '#'}${REDACTED}`;
}

// A URL inside free text: scheme://… up to whitespace or a quote/bracket that ends it in prose or JSON.
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi;

/** `text` with every absolute URL in it passed through redactUrl(). Cheap when there is none. */
export function redactText(text: string): string {
  if (!text.includes('://')) return text;
  return text.replace(URL_IN_TEXT, (m) => redactUrl(m));
}

/** Keys whose string value is a URL or a request target (`/ws?ticket=…`), redacted as one. */
const URL_KEYS = new Set(['url', 'path', 'target', 'upstream']);

/**
 * A deep copy of `value` with redactText() applied to every string (object keys included), and
 * redactUrl() to the values of keys named url/path/target/upstream, which may be relative.
 * For JSON-shaped data shown to people (/status, log objects); `depth` bounds the walk.
 */
export function redactDeep<T>(value: T, depth = 8): T {
  if (typeof value === 'string') return redactText(value) as T;
  if (value === null || typeof value !== 'object' || depth <= 0) return value;
  if (Array.isArray(value)) return value.map((v: unknown) => redactDeep(v, depth - 1)) as T;
  if (value instanceof Error || Buffer.isBuffer(value) || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[redactText(k)] = typeof v === 'string' && URL_KEYS.has(k) ? redactUrl(redactText(v)) : redactDeep(v, depth - 1);
  }
  return out as T;
}
