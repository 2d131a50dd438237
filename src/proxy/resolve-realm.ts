import type { Config } from '../config/schema.js';
import { isValidRealm } from '../wamp/hello.js';
import type { UpgradeRequest } from './upgrade-request.js';

export type RealmSource = 'path' | 'query' | 'header';

export type Resolution =
  | { kind: 'realm'; realm: string; from: RealmSource }
  /** No upgrade-time hint; `hello` says whether the HELLO may be read for it. */
  | { kind: 'none'; hello: boolean }
  | { kind: 'invalid'; message: string };


/**
 * Builds the resolver for `realmFrom`, tried in order: a configured path,
 * `?realm=`, the `X-Wamp-Realm` header. `hello` only marks that the gate may
 * read the realm from the first WAMP message after the handshake.
 */
export function createRealmResolver(config: Pick<Config, 'realmFrom' | 'realms'>): (req: UpgradeRequest) => Resolution {
  const byPath = new Map<string, string>();
  for (const r of config.realms) {
    for (const p of r.paths) {
      const n = normalizePath(p);
      if (n !== undefined) byPath.set(n, r.name);
    }
  }
  const order = config.realmFrom;
  const hello = order.includes('hello');

  return (req) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q < 0 ? url : url.slice(0, q);
    for (const from of order) {
      if (from === 'path') {
        if (byPath.size === 0) continue;
        const normal = normalizePath(pathname);
        if (normal === undefined) return { kind: 'invalid', message: 'request path has an invalid percent-encoding, an encoded "/", or climbs above the root' };
        const realm = byPath.get(normal);
        if (realm !== undefined) return { kind: 'realm', realm, from };
      } else if (from === 'query') {
        if (q < 0) continue;
        const realm = new URLSearchParams(url.slice(q + 1)).get('realm');
        if (realm === null) continue;
        if (!isValidRealm(realm)) return { kind: 'invalid', message: 'query parameter "realm" is not a valid realm name' };
        return { kind: 'realm', realm, from };
      } else if (from === 'header') {
        const h = req.headers['x-wamp-realm'];
        if (h === undefined) continue;
        const realm = Array.isArray(h) ? h[0] ?? '' : h.trim();
        if (!isValidRealm(realm)) return { kind: 'invalid', message: 'header X-Wamp-Realm is not a valid realm name' };
        return { kind: 'realm', realm, from };
      }
    }
    return { kind: 'none', hello };
  };
}

/**
 * The path as the upstream will understand it, so `/ws/%72ealm1`, `/ws//realm1`, `/ws/./realm1`
 * and `/ws/x/../realm1` all match `/ws/realm1`: percent-decoded per segment, empty and `.`
 * segments dropped, `..` applied, no trailing slash. Undefined (refused with 400) for a bad
 * escape, an encoded `/` (`%2F`: one segment or two, depending on who reads it) or `..` above
 * the root. The common clean path costs one regex test.
 */
export function normalizePath(p: string): string | undefined {
  if (!/%|\/\/|\/\.(\/|\.|$)/.test(p)) return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
  const out: string[] = [];
  for (const raw of p.split('/')) {
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (seg.includes('/')) return undefined;
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length === 0) return undefined;
      out.pop();
      continue;
    }
    out.push(seg);
  }
  return `/${out.join('/')}`;
}
