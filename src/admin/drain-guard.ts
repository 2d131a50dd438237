import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import type { Config } from '../config/schema.js';
import { ErrorCodes, RealmgateError } from '../errors.js';

/** Why an admin action was allowed (for the audit log line). */
export type Authorized = 'loopback' | 'token';

export type GuardVerdict =
  | { ok: true; by: Authorized }
  | { ok: false; status: 401 | 403 | 415; error: string; message: string };

/** What the guard looks at: the TCP peer (never X-Forwarded-For) and the request headers. */
export interface GuardRequest {
  remoteAddress: string | undefined;
  headers: IncomingHttpHeaders;
}

/**
 * Who may change the gate's state (POST /drain, POST /undrain). GETs stay open: kubelet probes
 * and Prometheus come from the node or other pods and carry nothing secret.
 *
 * 1. Cross-site requests are refused before anything else (CSRF): a browser on the same machine
 *    can POST to 127.0.0.1 with a "simple" request (text/plain, form) that needs no CORS
 *    preflight. So a body type other than JSON, an `Origin` that is not the request's own
 *    `Host`, or `Sec-Fetch-Site: cross-site|same-site` is refused.
 * 2. `Authorization: Bearer <admin.token>` (compared in constant time) authorizes from anywhere;
 *    a wrong token is refused even on loopback.
 * 3. Otherwise only a loopback peer is accepted (the pod itself: the preStop exec hook,
 *    `kubectl exec … realmgate drain`), and only with a loopback `Host` (or none), so a DNS
 *    rebinding page (evil.example resolving to 127.0.0.1) is not "loopback". With
 *    `admin.requireToken` loopback needs the token too.
 */
export function createDrainGuard(opts: { token: string | undefined; requireToken: boolean }): (req: GuardRequest) => GuardVerdict {
  const expected = opts.token === undefined ? undefined : digest(opts.token);
  const help = opts.token === undefined
    ? 'accepted from loopback only (the pod itself: preStop hook, `kubectl exec ... realmgate drain`)'
    : opts.requireToken
      ? 'needs Authorization: Bearer <admin.token>'
      : 'accepted from loopback, or from anywhere with Authorization: Bearer <admin.token>';
  return (req) => {
    const h = req.headers;
    const type = h['content-type'];
    if (type !== undefined && type.split(';')[0]!.trim().toLowerCase() !== 'application/json') {
      return { ok: false, status: 415, error: 'unsupported_media_type', message: 'send no body or an application/json one (form and text bodies are refused: CSRF)' };
    }
    const site = h['sec-fetch-site'];
    if (site === 'cross-site' || site === 'same-site') {
      return { ok: false, status: 403, error: 'cross_site', message: 'cross-site requests are refused' };
    }
    const origin = h.origin;
    if (origin !== undefined && !sameOrigin(origin, h.host)) {
      return { ok: false, status: 403, error: 'cross_site', message: `requests from origin ${JSON.stringify(origin.slice(0, 100))} are refused` };
    }
    const auth = h.authorization;
    if (auth !== undefined) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
      if (expected !== undefined && m && timingSafeEqual(digest(m[1]!), expected)) return { ok: true, by: 'token' };
      return { ok: false, status: 401, error: 'unauthorized', message: `wrong or unusable credentials; ${help}` };
    }
    if (!opts.requireToken && isLoopback(req.remoteAddress) && (h.host === undefined || isLoopbackHost(h.host))) {
      return { ok: true, by: 'loopback' };
    }
    return { ok: false, status: expected === undefined ? 403 : 401, error: 'forbidden', message: help };
  };
}

/** SHA-256 first: timingSafeEqual needs equal lengths, and comparing digests hides the token's length. */
function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

export function isLoopback(addr: string | undefined): boolean {
  if (addr === undefined) return false;
  return addr === '::1' || /^(::ffff:)?127\./.test(addr);
}

function isLoopbackHost(host: string): boolean {
  const name = host.replace(/:\d+$/, '').toLowerCase();
  return name === 'localhost' || name === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(name);
}

function sameOrigin(origin: string, host: string | undefined): boolean {
  try {
    return host !== undefined && new URL(origin).host === host.toLowerCase();
  } catch {
    return false; // "null" (sandboxed page, file://) or garbage: never same-origin
  }
}

/** The admin token from `admin.token` or `admin.tokenFile` (read once, at start). */
export function adminToken(admin: Config['admin']): string | undefined {
  if (admin.token !== undefined) return admin.token;
  if (admin.tokenFile === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(admin.tokenFile, 'utf8').trim();
  } catch (err) {
    throw new RealmgateError(ErrorCodes.CONFIG_READ, `cannot read admin.tokenFile ${admin.tokenFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
  if (text.length < 16) throw new RealmgateError(ErrorCodes.CONFIG_INVALID, `admin.tokenFile ${admin.tokenFile}: the token must have at least 16 characters`);
  return text;
}
