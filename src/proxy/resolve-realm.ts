import type { IncomingMessage } from 'node:http';
import type { Config } from '../config/schema.js';
import { isValidRealm } from '../wamp/hello.js';

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
export function createRealmResolver(config: Pick<Config, 'realmFrom' | 'realms'>): (req: IncomingMessage) => Resolution {
  const byPath = new Map<string, string>();
  for (const r of config.realms) for (const p of r.paths) byPath.set(normalizePath(p), r.name);
  const order = config.realmFrom;
  const hello = order.includes('hello');

  return (req) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q < 0 ? url : url.slice(0, q);
    for (const from of order) {
      if (from === 'path') {
        const realm = byPath.get(normalizePath(pathname));
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

function normalizePath(p: string): string {
  return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
}
